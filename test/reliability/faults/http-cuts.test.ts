import { describe, expect, it } from 'vitest'
import { createAvolveClient } from '../../../src/client.js'
import { useFaultyApi } from '../../support/faulty-api.js'
import { rpcTo } from '../../support/faulty-proxy.js'
import { recordFigure } from '../../support/reliability-report.js'
import { createUsers } from '../../support/requests.js'
import { supabaseAs } from '../../support/supabase-session.js'
import { useTestDatabase } from '../../support/test-database.js'
import { signUserToken } from '../../support/tokens.js'
import { expectBatchesAndHoldsSound, planBatchesAndHolds, runBatchesAndHolds } from './batch-hold-load.js'
import { expectExactlyOnce, planTransfers, retryFailed, sendAll, type PlannedTransfer } from './transfer-load.js'

const db = useTestDatabase()
const faulty = useFaultyApi(db)

describe('HTTP connections cut mid-request on the client path', () => {
  it('every transfer still moves tokens exactly once', async () => {
    const ids = await createUsers(db().admin, 3)
    for (const id of ids) await faulty().server.asService().tokens.mint({ to: id, tokenType: 'GEN', amount: '10000' })
    const clients = await Promise.all(
      ids.map(async (id) => createAvolveClient(supabaseAs(faulty().proxy.url, { accessToken: await signUserToken(id), userId: id }), { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } })),
    )
    // About one request in four loses its answer after the server committed, one in ten never arrives.
    let lost = 0
    let cut = 0
    const chance = (p: number, count: () => void) => (req: Parameters<ReturnType<typeof rpcTo>>[0]) => {
      if (!rpcTo('transfer_tokens')(req) || Math.random() >= p) return false
      count()
      return true
    }
    faulty().proxy.inject(
      chance(0.25, () => lost++),
      { kind: 'lose-answer' },
      Number.POSITIVE_INFINITY,
    )
    faulty().proxy.inject(
      chance(0.1, () => cut++),
      { kind: 'cut-before' },
      Number.POSITIVE_INFINITY,
    )

    const plans = planTransfers(200, ids.length)
    const send = (p: PlannedTransfer) => clients[p.from]!.tokens.transfer({ to: ids[p.to]!, tokenType: 'GEN', amount: p.amount, idempotencyKey: p.key })
    const result = await sendAll(plans, send, 4)
    expect(result.notTransient).toEqual([])
    expect(lost + cut).toBeGreaterThan(20)
    await retryFailed(plans, result, send)
    const violations = await expectExactlyOnce(db().admin, plans)
    recordFigure('http-cuts', {
      area: 'faults',
      check: 'client SDK transfers through a proxy that loses answers after commit (25%) or cuts requests before they arrive (10%)',
      cases: plans.length,
      faults: lost + cut,
      violations,
      command: 'npx vitest run test/reliability/faults/http-cuts.test.ts',
      notes: `${lost} answers lost after commit, ${cut} requests cut before arrival; ${result.failures.size} calls surfaced as retryable TransientErrors after the SDK's own retries`,
    })
  })

  it('batches apply whole exactly once or not at all; holds resolve once, never after expiry; the ledger balances', async () => {
    const ids = await createUsers(db().admin, 4)
    for (const id of ids) await faulty().server.asService().tokens.mint({ to: id, tokenType: 'GEN', amount: '100000' })
    const clients = await Promise.all(
      ids.map(async (id) => createAvolveClient(supabaseAs(faulty().proxy.url, { accessToken: await signUserToken(id), userId: id }), { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } })),
    )
    // The same odds on every call that writes: a lost answer after the commit is the caller's unknown outcome.
    const writes = ['transfer_tokens_batch', 'hold_tokens', 'capture_hold', 'release_hold'].map(rpcTo)
    let lost = 0
    let cut = 0
    const chance = (p: number, count: () => void) => (req: Parameters<ReturnType<typeof rpcTo>>[0]) => {
      if (!writes.some((w) => w(req)) || Math.random() >= p) return false
      count()
      return true
    }
    faulty().proxy.inject(
      chance(0.25, () => lost++),
      { kind: 'lose-answer' },
      Number.POSITIVE_INFINITY,
    )
    faulty().proxy.inject(
      chance(0.1, () => cut++),
      { kind: 'cut-before' },
      Number.POSITIVE_INFINITY,
    )
    const world = {
      users: ids.map((id, i) => ({ id, tokens: clients[i]!.tokens })),
      service: faulty().server.asService().tokens,
      expire: async (id: string) => {
        await db().admin.query(`update public.token_holds set expires_at = now() - interval '1 second' where id = $1`, [id])
      },
    }
    const planned = planBatchesAndHolds(48, 56, ids.length)
    const outcome = await runBatchesAndHolds(world, planned, 4)
    expect(lost + cut).toBeGreaterThan(20)
    const violations = await expectBatchesAndHoldsSound(db().admin, world, planned, outcome, '100000')
    recordFigure('http-cuts', {
      area: 'faults',
      check:
        'client SDK batches (one in six refused, one in five sent twice at once), holds, captures and releases (races and expiries included, the sweep running) through a proxy that loses answers after commit (25%) or cuts requests before they arrive (10%)',
      cases: planned.length,
      faults: lost + cut,
      violations,
      command: 'npx vitest run test/reliability/faults/http-cuts.test.ts',
      notes: `${lost} answers lost after commit, ${cut} requests cut before arrival; ${outcome.surfaced} calls surfaced as retryable TransientErrors after the SDK's own retries and were retried with the same key; the sweep released ${outcome.swept} expired holds`,
    })
  })
})
