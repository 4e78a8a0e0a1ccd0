import { describe, expect, it } from 'vitest'
import { recordFigure } from '../../support/reliability-report.js'
import { signedInUsers, useSdk } from '../../support/sdk.js'
import { useTestDatabase } from '../../support/test-database.js'
import { expectExactlyOnce, planTransfers, retryFailed, sendAll, type PlannedTransfer } from './transfer-load.js'

const db = useTestDatabase()
const sdk = useSdk(db, { pool: { max: 8 }, retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 40 } })

describe('backends killed mid-transaction', () => {
  it('leave nothing half-applied; retried transfers move tokens exactly once', async () => {
    const users = await signedInUsers(db(), sdk(), 4)
    for (const u of users) await sdk().asService().tokens.mint({ to: u.id, tokenType: 'GEN', amount: '100000' })
    const plans = planTransfers(600, users.length)
    const send = (p: PlannedTransfer) => users[p.from]!.scope.tokens.transfer({ to: users[p.to]!.id, tokenType: 'GEN', amount: p.amount, idempotencyKey: p.key })

    let kills = 0
    let stop = false
    const killer = (async () => {
      while (!stop) {
        const { rows } = await db().admin.query<{ n: number }>(
          `select count(pg_terminate_backend(pid))::int as n from (
             select pid from pg_stat_activity where datname = current_database() and usename = 'authenticator' and state <> 'idle'
             order by random() limit 1) victims`,
        )
        kills += rows[0]!.n
        await new Promise((r) => setTimeout(r, 15))
      }
    })()
    const result = await sendAll(plans, send, 8)
    stop = true
    await killer

    expect(result.notTransient).toEqual([])
    expect(kills).toBeGreaterThan(10)
    await retryFailed(plans, result, send)
    const violations = await expectExactlyOnce(db().admin, plans)
    recordFigure('killed-backends', {
      area: 'faults',
      check: 'pg_terminate_backend of busy SDK backends during 600 concurrent transfers (8 workers), then retries with the same keys',
      cases: plans.length,
      faults: kills,
      violations,
      command: 'npx vitest run test/reliability/faults/killed-backends.test.ts',
      notes: `${result.ok} went through (some after the SDK's own retries); ${result.failures.size} surfaced as retryable TransientErrors and were retried with the same key`,
    })
  })
})
