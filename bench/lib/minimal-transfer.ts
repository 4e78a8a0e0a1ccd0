/**
 * The smallest correct transfer (bench/minimal-transfer.sql) and the pgbench scripts that run it and
 * the project's `public.transfer_tokens` the same way: what bench/minimal.ts compares. Apart from the
 * runner so that tests can use it without the built SDK.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type pg from 'pg'
import { packageRoot } from '../../src/tooling/migrations.js'
import { fund } from './environment.js'

/** Accounts in the comparison; the figure (and pgbench's usual scale) is 100. */
export const LEDGER_USERS = 100
/** Clients of the hot-account case. */
export const HOT_CLIENTS = 16
/** A fixed prefix, so pgbench can compute an account's id from its number instead of looking it up. */
const ID_PREFIX = 'b0000000-0000-4000-8000-'

/** The id of ledger account `i` (0 ≤ i < 2^48): the same id the pgbench scripts compute. */
export const ledgerUserId = (i: number): string => ID_PREFIX + i.toString(16).padStart(12, '0')
const idOf = (variable: string) => `('${ID_PREFIX}' || lpad(to_hex(:${variable}::int), 12, '0'))::uuid`

export type Contender = 'transfer_tokens' | 'minimal'

/**
 * The pgbench script of one transfer of 1 GEN with a fresh key: from a random account to another
 * random one, or with `hot` from a random account to account 0. Each is one statement, run on a
 * superuser's connection. `transfer_tokens` is called by its SQL contract's named arguments, with the
 * claims of a back-office (service role) request set for that statement's transaction first, so that
 * its caller checks pass whether they read the role or the claims. The role itself stays: a
 * function's execute privilege is checked before the statement runs, so switching it in the same
 * statement would not be what the function's own checks saw.
 */
export function transferScript(contender: Contender, users: number, hot: boolean): string {
  const pick = hot ? [`\\set f random(1, ${users - 1})`, '\\set t 0'] : [`\\set f random(0, ${users - 1})`, `\\set t (:f + 1 + random(0, ${users - 2})) % ${users}`]
  const call =
    contender === 'minimal'
      ? `select bench_minimal.transfer(${idOf('f')}, ${idOf('t')}, 1, gen_random_uuid());`
      : `select public.transfer_tokens(p_from_user_id => ${idOf('f')}, p_to_user_id => ${idOf('t')}, p_token_type => 'GEN', p_amount => 1, p_idempotency_key => gen_random_uuid()) ` +
        `from (select set_config('request.jwt.claims', '{"role":"service_role"}', true)) as caller;`
  return `${[...pick, call].join('\n')}\n`
}

/**
 * The ledger accounts, funded alike in the project's ledger (minted as the service role) and in a
 * fresh `bench_minimal` schema; returns their ids.
 */
export async function prepareLedger(admin: pg.Pool, balance = '1000000000'): Promise<string[]> {
  const users = Array.from({ length: LEDGER_USERS }, (_, i) => ledgerUserId(i))
  await admin.query(`insert into auth.users (id, email) select id, id::text || '@bench.test' from unnest($1::uuid[]) id`, [users])
  await fund(admin, users, 'GEN', balance)
  await admin.query(readFileSync(join(packageRoot(), 'bench', 'minimal-transfer.sql'), 'utf8'))
  await admin.query('insert into bench_minimal.balances (user_id, balance) select id, $2::numeric from unnest($1::uuid[]) id', [users, balance])
  await admin.query('analyze bench_minimal.balances')
  return users
}
