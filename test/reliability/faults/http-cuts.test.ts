import { describe, expect, it } from 'vitest'
import { createAvolveClient } from '../../../src/client.js'
import { useFaultyApi } from '../../support/faulty-api.js'
import { rpcTo } from '../../support/faulty-proxy.js'
import { recordFigure } from '../../support/reliability-report.js'
import { createUsers } from '../../support/requests.js'
import { supabaseAs } from '../../support/supabase-session.js'
import { useTestDatabase } from '../../support/test-database.js'
import { signUserToken } from '../../support/tokens.js'
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
})
