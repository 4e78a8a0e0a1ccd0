import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { createAvolveDb, TransientError } from '../../src/server.js'
import { checkLedgerInvariants } from '../support/ledger-invariants.js'
import { expectAvolveError } from '../support/expect-error.js'
import { signedInUsers, useSdk } from '../support/sdk.js'
import { useTestDatabase } from '../support/test-database.js'
import { testJwtSecret } from '../support/tokens.js'

const db = useTestDatabase()
const sdk = useSdk(db)

/** Holds a row lock from a superuser connection until released, so an SDK call blocks on it. */
async function lockBalance(userId: string, token = 'GEN') {
  const client = new pg.Client({ connectionString: db().adminUrl })
  await client.connect()
  await client.query('begin')
  await client.query('select 1 from public.token_balances where user_id = $1 and token_type = $2 for update', [userId, token])
  return {
    client,
    async release() {
      await client.query('commit').catch(() => {})
      await client.end()
    },
  }
}

/** The pid of the SDK's backend once it waits on a lock while running `fragment`. */
async function blockedBackend(fragment: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await db().admin.query<{ pid: number }>(
      `select pid from pg_stat_activity where datname = current_database() and usename = 'authenticator'
         and wait_event_type = 'Lock' and query like $1`,
      [`%${fragment}%`],
    )
    if (rows[0]) return rows[0].pid
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`no backend blocked in ${fragment}`)
}

const ledgerCount = async (key: string) => (await db().admin.query('select count(*)::int as n from public.token_transactions where idempotency_key = $1', [key])).rows[0].n

describe('retries', () => {
  it('a transfer whose backend is killed mid-call is retried and moves tokens exactly once', async () => {
    const [alice, bob] = await signedInUsers(db(), sdk(), 2)
    await sdk().asService().tokens.mint({ to: alice!.id, tokenType: 'GEN', amount: '10' })
    await sdk().asService().tokens.mint({ to: bob!.id, tokenType: 'GEN', amount: '1' })
    const lock = await lockBalance(bob!.id)
    const key = crypto.randomUUID()
    const transfer = alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '4', idempotencyKey: key })
    const pid = await blockedBackend('transfer_tokens')
    await db().admin.query('select pg_terminate_backend($1)', [pid])
    await lock.release()
    const tx = await transfer
    expect(tx.amount).toBe('4')
    expect(await ledgerCount(key)).toBe(1)
    expect(await alice!.scope.tokens.balance('GEN')).toBe('6')
    expect(await bob!.scope.tokens.balance('GEN')).toBe('5')
    // The retry ran on a new backend: the killed one is gone.
    const { rows } = await db().admin.query('select count(*)::int as n from pg_stat_activity where pid = $1', [pid])
    expect(rows[0]).toEqual({ n: 0 })
  })

  it('a consent whose backend is killed before commit is retried and recorded once', async () => {
    const [alice] = await signedInUsers(db(), sdk(), 1)
    // Block record_consent on the profile row's key-share lock: hold the row for update.
    const holder = new pg.Client({ connectionString: db().adminUrl })
    await holder.connect()
    await holder.query('begin')
    await holder.query('select 1 from public.users where id = $1 for update', [alice!.id])
    const recording = alice!.scope.consent.record('terms_of_service', ['killed-once'])
    const pid = await blockedBackend('record_consent')
    await db().admin.query('select pg_terminate_backend($1)', [pid])
    await holder.query('commit')
    await holder.end()
    await recording
    const { rows } = await db().admin.query(`select count(*)::int as n from public.user_consent where user_id = $1`, [alice!.id])
    expect(rows[0]).toEqual({ n: 1 })
  })

  it('a deadlock victim is retried: the transfer completes once', async () => {
    const [alice, bob] = await signedInUsers(db(), sdk(), 2)
    for (const u of [alice!, bob!]) await sdk().asService().tokens.mint({ to: u.id, tokenType: 'GEN', amount: '10' })
    const [low, high] = [alice!, bob!].sort((x, y) => (x.id < y.id ? -1 : 1)) as [typeof alice & {}, typeof bob & {}]
    const before = await db().admin.query<{ n: string }>('select deadlocks::text as n from pg_stat_database where datname = current_database()')
    // The SDK's transfer locks low then high. This connection holds high, then asks for low: a cycle.
    const other = new pg.Client({ connectionString: db().adminUrl })
    await other.connect()
    await other.query(`set deadlock_timeout = '20s'`) // so the SDK's backend is the one that detects it
    await other.query('begin')
    await other.query('select 1 from public.token_balances where user_id = $1 for update', [high.id])
    const key = crypto.randomUUID()
    const transfer = low.scope.tokens.transfer({ to: high.id, tokenType: 'GEN', amount: '3', idempotencyKey: key })
    await blockedBackend('transfer_tokens')
    const otherWaits = other.query('select 1 from public.token_balances where user_id = $1 for update', [low.id])
    await otherWaits // granted once the SDK's transaction is rolled back as the deadlock victim
    await other.query('commit')
    await other.end()
    await transfer
    const after = await db().admin.query<{ n: string }>('select deadlocks::text as n from pg_stat_database where datname = current_database()')
    expect(Number(after.rows[0]!.n) - Number(before.rows[0]!.n)).toBe(1)
    expect(await ledgerCount(key)).toBe(1)
    expect(await low.scope.tokens.balance('GEN')).toBe('7')
  })

  it('gives up after the configured attempts with a typed, retryable error', async () => {
    const unreachable = createAvolveDb({
      connection: 'postgres://authenticator:x@127.0.0.1:1/none',
      jwt: { secret: testJwtSecret },
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    })
    try {
      const started = Date.now()
      const error = await expectAvolveError(unreachable.asService().tokens.mint({ to: crypto.randomUUID(), tokenType: 'GEN', amount: '1' }), TransientError, 'connection_lost')
      expect(error.retryable).toBe(true)
      expect(error.outcomeUnknown).toBe(false)
      expect(Date.now() - started).toBeLessThan(5_000)
    } finally {
      await unreachable.destroy()
    }
  })

  it('surfaces an exhausted pool as a retryable TransientError', async () => {
    const tiny = createAvolveDb({ connection: db().authenticatorUrl, jwt: { secret: testJwtSecret }, pool: { max: 1, connectionTimeoutMillis: 100 }, retry: false })
    const [alice] = await signedInUsers(db(), sdk(), 1)
    await sdk().asService().tokens.mint({ to: alice!.id, tokenType: 'GEN', amount: '1' })
    const lock = await lockBalance(alice!.id)
    try {
      const svc = tiny.asService()
      const slow = svc.tokens.mint({ to: alice!.id, tokenType: 'GEN', amount: '1' }) // waits on the lock, holding the only connection
      await blockedBackend('mint_tokens')
      await expectAvolveError(svc.tokens.forUser(alice!.id).balance('GEN'), TransientError, 'pool_timeout')
      await lock.release()
      await slow
    } finally {
      await tiny.destroy()
    }
  })

  it('after all of that, the ledger invariants hold', async () => {
    expect((await checkLedgerInvariants(db().admin)).violations).toEqual([])
  })
})
