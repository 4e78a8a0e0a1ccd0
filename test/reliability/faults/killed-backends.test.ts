import { describe, expect, it } from 'vitest'
import { recordFigure } from '../../support/reliability-report.js'
import { signedInUsers, useSdk } from '../../support/sdk.js'
import { useTestDatabase } from '../../support/test-database.js'
import { expectBatchesAndHoldsSound, planBatchesAndHolds, runBatchesAndHolds, type LoadWorld } from './batch-hold-load.js'
import { expectExactlyOnce, planTransfers, retryFailed, sendAll, type PlannedTransfer } from './transfer-load.js'

const db = useTestDatabase()
const sdk = useSdk(db, { pool: { max: 8 }, retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 40 } })

/**
 * Terminates a random busy SDK backend every 15 ms until stopped; resolves to how many it killed.
 * `slowDown` makes that every 150 ms: a transaction alone on the server (the last sweeps) is killed
 * whenever it is busy at a tick, so at 15 ms one slower than that on a loaded machine never commits.
 */
function startKiller(): { stop: () => Promise<number>; slowDown: () => void } {
  let kills = 0
  let stop = false
  let pauseMs = 15
  const killer = (async () => {
    while (!stop) {
      const { rows } = await db().admin.query<{ n: number }>(
        `select count(pg_terminate_backend(pid))::int as n from (
           select pid from pg_stat_activity where datname = current_database() and usename = 'authenticator' and state <> 'idle'
           order by random() limit 1) victims`,
      )
      kills += rows[0]!.n
      await new Promise((r) => setTimeout(r, pauseMs))
    }
  })()
  return {
    slowDown: () => {
      pauseMs = 150
    },
    stop: async () => {
      stop = true
      await killer
      return kills
    },
  }
}

describe('backends killed mid-transaction', () => {
  it('leave nothing half-applied; retried transfers move tokens exactly once', async () => {
    const users = await signedInUsers(db(), sdk(), 4)
    for (const u of users) await sdk().asService().tokens.mint({ to: u.id, tokenType: 'GEN', amount: '100000' })
    const plans = planTransfers(600, users.length)
    const send = (p: PlannedTransfer) => users[p.from]!.scope.tokens.transfer({ to: users[p.to]!.id, tokenType: 'GEN', amount: p.amount, idempotencyKey: p.key })

    const killer = startKiller()
    const result = await sendAll(plans, send, 8)
    const kills = await killer.stop()

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

  it('batches apply whole exactly once or not at all; holds resolve once, never after expiry; the ledger balances', async () => {
    const users = await signedInUsers(db(), sdk(), 4)
    for (const u of users) await sdk().asService().tokens.mint({ to: u.id, tokenType: 'GEN', amount: '100000' })
    const world: LoadWorld = {
      users: users.map((u) => ({ id: u.id, tokens: u.scope.tokens })),
      service: sdk().asService().tokens,
      expire: async (id) => {
        await db().admin.query(`update public.token_holds set expires_at = now() - interval '1 second' where id = $1`, [id])
      },
    }
    const planned = planBatchesAndHolds(72, 84, users.length)

    const killer = startKiller()
    const outcome = await runBatchesAndHolds({ ...world, beforeLastSweeps: killer.slowDown }, planned, 8)
    const kills = await killer.stop()

    expect(kills).toBeGreaterThan(10)
    const violations = await expectBatchesAndHoldsSound(db().admin, world, planned, outcome, '100000')
    recordFigure('killed-backends', {
      area: 'faults',
      check:
        'pg_terminate_backend of busy SDK backends during 72 batches (one in six refused, one in five sent twice at once) and 84 holds with captures, releases, races and expiries (8 workers, the expiry sweep running; kills every 15 ms during the load, every 150 ms during the last sweeps), then retries with the same keys',
      cases: planned.length,
      faults: kills,
      violations,
      command: 'npx vitest run test/reliability/faults/killed-backends.test.ts',
      notes: `${outcome.surfaced} calls surfaced as retryable TransientErrors and were retried with the same key (batch key, hold key, hold id); the sweep released ${outcome.swept} expired holds under the faults`,
    })
  })
})
