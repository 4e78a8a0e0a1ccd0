import pg from 'pg'
import { server } from './lib/sdk.js'
import type { BenchDatabase } from './lib/environment.js'
import { throughput } from './lib/load.js'
import { inOneWrite } from './lib/one-write.js'
import { pgbenchVersion, runPgbench } from './lib/pgbench.js'
import { ROLE_TIMEOUT, selectList, SETUP } from './lib/raw-statements.js'

const columns = selectList('token_transactions')
/** The read-back of the ledger row the SDK sends: by the sender and its idempotency key, behind the call. */
const readBackByKey = `select ${columns} from "public"."token_transactions" where "from_user_id" = $1 and "idempotency_key" = $2 limit $3`
/** The read-back by the id the call returned: what code that waits for each answer sends. */
const readBackById = `select ${columns} from "public"."token_transactions" where "id" = $1 limit $2`
const TRANSFER = 'select public.transfer_tokens(p_from_user_id => $1::uuid, p_to_user_id => $2::uuid, p_token_type => $3::text, p_amount => $4::numeric, p_idempotency_key => $5::uuid) as result'

/** The pair of users for operation `i` of `worker`: random, never the same user (no built-in hot spot). */
export function pairOf(users: number, hotReceiver: boolean): [number, number] {
  const from = hotReceiver ? 1 + Math.floor(Math.random() * (users - 1)) : Math.floor(Math.random() * users)
  const to = hotReceiver ? 0 : (from + 1 + Math.floor(Math.random() * (users - 1))) % users
  return [from, to]
}

/**
 * Transfers through the SDK's server path (a user scope per sender, claims already verified): this
 * tree's build, or `build`, another revision's (bench/against.ts).
 */
export async function sdkTransfers(db: BenchDatabase, users: string[], callers: number, seconds: number, hot = false, build: typeof server = server) {
  const sdk = build.createAvolveDb({ connection: db.apiUrl, pool: { max: callers } })
  try {
    // Verified claims carry an expiry; an hour outlasts any run.
    const exp = Math.floor(Date.now() / 1000) + 3600
    const scopes = await Promise.all(users.map((sub) => sdk.asUser({ sub, role: 'authenticated', exp })))
    return await throughput(callers, seconds, () => {
      const [f, t] = pairOf(users.length, hot)
      return scopes[f]!.tokens.transfer({ to: users[t]!, tokenType: 'GEN', amount: '1' })
    })
  } finally {
    await sdk.destroy()
  }
}

/**
 * How raw `pg` sends a transfer. `one write per flight`: what the SDK sends, the way it sends it,
 * written by hand on a pipelining pool (begin, the set_config statement, the RPC, the read-back by
 * idempotency key and commit, in one flight, handed to the socket in one write through
 * `client.connection.stream`), the Node floor of the SDK's path. `a write per statement`: the same
 * flight as pg sends it by default, each statement written as it is issued. `one at a time`: the same
 * job as code usually writes it, awaiting each statement (begin, set-up, RPC, read-back by id, commit).
 */
export type RawStyle = 'one write per flight' | 'a write per statement' | 'one at a time'

/** The same job through raw `pg`, with the same pool size, in `style`. */
export async function rawTransfers(db: BenchDatabase, users: string[], callers: number, seconds: number, style: RawStyle = 'one write per flight') {
  const pool = new pg.Pool({ connectionString: db.apiUrl, max: callers, pipeline: style !== 'one at a time' })
  pool.on('error', () => {})
  const claims = users.map((sub) => JSON.stringify({ sub, role: 'authenticated' }))
  try {
    return await throughput(callers, seconds, async () => {
      const [f, t] = pairOf(users.length, false)
      const key = crypto.randomUUID()
      const args = [users[f], users[t], 'GEN', '1', key]
      const c = await pool.connect()
      try {
        if (style !== 'one at a time') {
          const flight = () =>
            Promise.all([c.query('begin'), c.query(SETUP, ['authenticated', claims[f], ROLE_TIMEOUT]), c.query(TRANSFER, args), c.query(readBackByKey, [users[f], key, 1]), c.query('commit')])
          await (style === 'one write per flight' ? inOneWrite(c, flight) : flight())
        } else {
          await c.query('begin')
          await c.query(SETUP, ['authenticated', claims[f], ROLE_TIMEOUT])
          const { rows } = await c.query<{ result: string }>(TRANSFER, args)
          await c.query(readBackById, [rows[0]!.result, 1])
          await c.query('commit')
        }
      } catch (e) {
        await c.query('rollback').catch(() => {})
        throw e
      } finally {
        c.release()
      }
    })
  } finally {
    await pool.end()
  }
}

/**
 * The engine's limit: pgbench (C, libpq) running the same statements with the same number of
 * clients, sent the way the SDK sends them (all five in one pipeline).
 */
export async function pgbenchTransfers(db: BenchDatabase, users: string[], callers: number, seconds: number): Promise<{ perSecond: number; version: string }> {
  await db.admin.query(`create schema if not exists bench; create table if not exists bench.users (i int primary key, id uuid not null);
    grant usage on schema bench to authenticated, authenticator; grant select on bench.users to authenticated, authenticator`)
  await db.admin.query('delete from bench.users')
  await db.admin.query('insert into bench.users select i - 1, id from unnest($1::uuid[]) with ordinality u(id, i)', [users])
  const key = `(lpad(to_hex(:k1::bigint), 16, '0') || lpad(to_hex(:k2::bigint), 16, '0'))::uuid`
  const script = `${[
    `\\set f random(0, ${users.length - 1})`,
    `\\set t (:f + 1 + random(0, ${users.length - 2})) % ${users.length}`,
    // The idempotency key, made from two random numbers so that the call and the read-back behind
    // it (pgbench cannot pass a result on inside a pipeline) compute the same one.
    '\\set k1 random(0, 9223372036854775806)',
    '\\set k2 random(0, 9223372036854775806)',
    '\\startpipeline',
    'BEGIN;',
    `SELECT set_config('statement_timeout', '${ROLE_TIMEOUT}', true), set_config('datestyle', 'ISO', true), set_config('role', 'authenticated', true), set_config('request.jwt.claims', json_build_object('sub', (SELECT id FROM bench.users WHERE i = :f), 'role', 'authenticated')::text, true);`,
    `SELECT public.transfer_tokens((SELECT id FROM bench.users WHERE i = :f), (SELECT id FROM bench.users WHERE i = :t), 'GEN', 1, ${key});`,
    `${readBackByKey.replace('$1', '(SELECT id FROM bench.users WHERE i = :f)').replace('$2', key).replace('$3', '1')};`,
    'COMMIT;',
    '\\endpipeline',
  ].join('\n')}\n`
  const { perSecond } = await runPgbench({ script, url: db.apiUrl, clients: callers, seconds })
  return { perSecond, version: await pgbenchVersion() }
}
