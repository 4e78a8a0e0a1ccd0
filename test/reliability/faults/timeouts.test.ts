import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { createAvolveDb, TransientError, type AvolveDb } from '../../../src/server.js'
import { recordFigure } from '../../support/reliability-report.js'
import { createUsers } from '../../support/requests.js'
import { useTestDatabase } from '../../support/test-database.js'
import { inAnHour, testJwtSecret } from '../../support/tokens.js'
import { expectExactlyOnce, planTransfers, retryFailed, sendAll, type PlannedTransfer } from './transfer-load.js'

const db = useTestDatabase()
const opened: AvolveDb[] = []
afterAll(async () => {
  await Promise.all(opened.map((s) => s.destroy()))
})

/** The SDK with server settings of its own (`-c name=value` at connection start) and a small pool. */
function sdkWith(settings: string, pool: { max?: number; connectionTimeoutMillis?: number } = {}) {
  const url = new URL(db().authenticatorUrl)
  url.searchParams.set('options', settings)
  const sdk = createAvolveDb({ connection: url.toString(), jwt: { secret: testJwtSecret }, pool, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 } })
  opened.push(sdk)
  return sdk
}

/** Locks every balance row of `users` from a superuser connection until released. */
async function lockBalances(users: string[]) {
  const c = new pg.Client({ connectionString: db().adminUrl })
  await c.connect()
  await c.query('begin')
  await c.query('select 1 from public.token_balances where user_id = any($1) for update', [users])
  return async () => {
    await c.query('commit')
    await c.end()
  }
}

async function ledgerRows(keys: string[]): Promise<number> {
  const { rows } = await db().admin.query('select count(*)::int as n from public.token_transactions where idempotency_key = any($1)', [keys])
  return rows[0].n
}

/** Funded users, 24 planned transfers among them through `sdk`, and their balance rows locked. */
async function lockedWorld(sdk: AvolveDb) {
  const ids = await createUsers(db().admin, 3)
  const service = sdkWith('-c statement_timeout=0')
  for (const id of ids) await service.asService().tokens.mint({ to: id, tokenType: 'GEN', amount: '1000' })
  const scopes = await Promise.all(ids.map((id) => sdk.asUser({ sub: id, role: 'authenticated', exp: inAnHour() })))
  const plans = planTransfers(24, ids.length)
  const send = (p: PlannedTransfer) => scopes[p.from]!.tokens.transfer({ to: ids[p.to]!, tokenType: 'GEN', amount: p.amount, idempotencyKey: p.key })
  return { plans, send, release: await lockBalances(ids) }
}

/** While the fault held, every call in `failed` failed whole: typed, retryable, and nothing applied. */
async function expectFailedWhole(result: Awaited<ReturnType<typeof sendAll>>, failed: PlannedTransfer[], code: string): Promise<number> {
  expect(result.notTransient).toEqual([])
  expect(result.failures.size).toBe(failed.length)
  expect([...result.failures.values()].every((e) => e instanceof TransientError && e.code === code && e.retryable)).toBe(true)
  const halfApplied = await ledgerRows(failed.map((p) => p.key))
  expect(halfApplied).toBe(0)
  return halfApplied
}

function record(check: string, cases: number, faults: number, violations: number, code: string) {
  recordFigure('timeouts', {
    area: 'faults',
    check,
    cases,
    faults,
    violations,
    command: 'npx vitest run test/reliability/faults/timeouts.test.ts',
    notes: `each affected call failed whole with a retryable TransientError (${code}); afterwards the same keys moved tokens exactly once`,
  })
}

async function timeoutScenario(check: string, setting: string, code: string) {
  const { plans, send, release } = await lockedWorld(sdkWith(setting))
  const result = await sendAll(plans, send, 4).finally(release)
  const halfApplied = await expectFailedWhole(result, plans, code)
  await retryFailed(plans, result, send)
  record(check, plans.length, result.failures.size, halfApplied + (await expectExactlyOnce(db().admin, plans)), code)
}

describe('timeouts and an exhausted pool', () => {
  it('lock_timeout firing: typed retryable errors, nothing half-applied, then exactly once', async () => {
    await timeoutScenario('lock_timeout (100 ms) firing on locked balance rows', '-c lock_timeout=100', 'lock_timeout')
  })

  it('statement_timeout firing: typed retryable errors, nothing half-applied, then exactly once', async () => {
    await timeoutScenario('statement_timeout (100 ms) firing on locked balance rows', '-c statement_timeout=100', 'statement_timeout')
  })

  it('the pool exhausted: typed retryable errors, nothing half-applied, then exactly once', async () => {
    const { plans, send, release } = await lockedWorld(sdkWith('-c statement_timeout=0', { max: 2, connectionTimeoutMillis: 100 }))
    // Two calls block on the locks and hold both connections; the others find no free connection.
    const [held, rest] = [plans.slice(0, 2), plans.slice(2)]
    const blocked = Promise.all(held.map(send))
    await new Promise((r) => setTimeout(r, 200))
    const result = await sendAll(rest, send, 4)
    const halfApplied = await expectFailedWhole(result, rest, 'pool_timeout')
    await release()
    await blocked
    await retryFailed(rest, result, send)
    record(
      'pool exhausted: 2 connections held by blocked calls, 100 ms connection wait',
      plans.length,
      result.failures.size,
      halfApplied + (await expectExactlyOnce(db().admin, plans)),
      'pool_timeout',
    )
  })
})
