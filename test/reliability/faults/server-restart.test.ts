import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAvolveDb, type AvolveDb } from '../../../src/server.js'
import { createDatabase, startDatabaseServer, withClient, type DatabaseServer } from '../../../src/tooling/embedded-server.js'
import { applyMigrations, applySupabaseBase } from '../../../src/tooling/migrations.js'
import { recordFigure } from '../../support/reliability-report.js'
import { createUsers } from '../../support/requests.js'
import { inAnHour, testJwtSecret } from '../../support/tokens.js'
import { expectBatchesAndHoldsSound, planBatchesAndHolds, runBatchesAndHolds, type LoadWorld } from './batch-hold-load.js'
import { expectExactlyOnce, planTransfers, retryFailed, sendAll, type PlannedTransfer } from './transfer-load.js'

// A server of its own: restarting the shared one would break every other test file.
let server: DatabaseServer
let admin: pg.Pool
let sdk: AvolveDb

beforeAll(async () => {
  server = await startDatabaseServer({ databaseUrl: '' })
  const url = await createDatabase(server, 'restart')
  const password = randomBytes(8).toString('hex')
  await withClient(url, async (c) => {
    await applySupabaseBase(c)
    await applyMigrations(c)
    await c.query(`alter role authenticator password '${password}'`)
  })
  const api = new URL(url)
  api.username = 'authenticator'
  api.password = password
  admin = new pg.Pool({ connectionString: url, max: 2 })
  admin.on('error', () => {})
  sdk = createAvolveDb({ connection: api.toString(), jwt: { secret: testJwtSecret }, pool: { max: 6, connectionTimeoutMillis: 2_000 }, retry: { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 400 } })
}, 60_000)

afterAll(async () => {
  await sdk?.destroy()
  await admin?.end()
  await server?.stop()
})

/** A quick restart (the SDK's own retries ride it out) and a long outage (they cannot); resolves to how many. */
async function restartTwice(): Promise<number> {
  let restarts = 0
  for (const [wait, downtime] of [
    [150, 0],
    [400, 1_500],
  ] as const) {
    await new Promise((r) => setTimeout(r, wait))
    await server.restart(downtime)
    restarts++
  }
  return restarts
}

describe('the database server restarted mid-run', () => {
  it('breaks calls into typed retryable errors, and retried transfers move tokens exactly once', async () => {
    const ids = await createUsers(admin, 3)
    for (const id of ids) await sdk.asService().tokens.mint({ to: id, tokenType: 'GEN', amount: '100000' })
    const scopes = await Promise.all(ids.map((id) => sdk.asUser({ sub: id, role: 'authenticated', exp: inAnHour() })))
    const plans = planTransfers(300, ids.length)
    const send = (p: PlannedTransfer) => scopes[p.from]!.tokens.transfer({ to: ids[p.to]!, tokenType: 'GEN', amount: p.amount, idempotencyKey: p.key })

    const restarter = restartTwice()
    const result = await sendAll(plans, send, 6)
    const restarts = await restarter
    expect(restarts).toBe(2)
    expect(result.notTransient).toEqual([])
    expect(result.failures.size, 'the long outage reached callers as TransientErrors').toBeGreaterThan(0)
    await retryFailed(plans, result, send)
    const violations = await expectExactlyOnce(admin, plans)
    recordFigure('server-restart', {
      area: 'faults',
      check: 'embedded PostgreSQL restarted twice during 300 concurrent transfers (6 workers), then retries with the same keys',
      cases: plans.length,
      faults: restarts,
      violations,
      command: 'npx vitest run test/reliability/faults/server-restart.test.ts',
      notes: `${result.failures.size} calls surfaced as retryable TransientErrors (${[...new Set([...result.failures.values()].map((e) => e.code))].join(', ') || 'none'})`,
    })
  })

  it('batches apply whole exactly once or not at all; holds resolve once, never after expiry; the ledger balances', async () => {
    const ids = await createUsers(admin, 4)
    for (const id of ids) await sdk.asService().tokens.mint({ to: id, tokenType: 'GEN', amount: '100000' })
    const scopes = await Promise.all(ids.map((id) => sdk.asUser({ sub: id, role: 'authenticated', exp: inAnHour() })))
    const world: LoadWorld = {
      users: ids.map((id, i) => ({ id, tokens: scopes[i]!.tokens })),
      service: sdk.asService().tokens,
      // The superuser's update rides out the restarts too.
      expire: async (id) => {
        for (let attempt = 1; ; attempt++) {
          try {
            await admin.query(`update public.token_holds set expires_at = now() - interval '1 second' where id = $1`, [id])
            return
          } catch (e) {
            if (attempt > 50) throw e
            await new Promise((r) => setTimeout(r, 100))
          }
        }
      },
    }
    const planned = planBatchesAndHolds(48, 56, ids.length)

    const restarter = restartTwice()
    const outcome = await runBatchesAndHolds(world, planned, 6)
    const restarts = await restarter
    expect(restarts).toBe(2)
    expect(outcome.surfaced, 'the long outage reached callers as TransientErrors').toBeGreaterThan(0)
    const violations = await expectBatchesAndHoldsSound(admin, world, planned, outcome, '100000')
    recordFigure('server-restart', {
      area: 'faults',
      check:
        'embedded PostgreSQL restarted twice during 48 batches (one in six refused, one in five sent twice at once) and 56 holds with captures, releases, races and expiries (6 workers, the expiry sweep running), then retries with the same keys',
      cases: planned.length,
      faults: restarts,
      violations,
      command: 'npx vitest run test/reliability/faults/server-restart.test.ts',
      notes: `${outcome.surfaced} calls surfaced as retryable TransientErrors and were retried with the same key (batch key, hold key, hold id); the sweep released ${outcome.swept} expired holds under the faults`,
    })
  })
})
