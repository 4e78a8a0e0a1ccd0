/**
 * Issue 19: a two-phase transfer (a hold, then its capture) against a plain transfer, through the
 * SDK's server adapter, taking turns in every round (bench/lib/load.ts). An operation is one
 * completed transfer of 1 GEN from a random funded user to another: one `tokens.transfer`, or a
 * `tokens.hold` by the payer followed by `tokens.capture` from the payee's own user scope.
 */
import { server } from './lib/sdk.js'
import type { BenchDatabase } from './lib/environment.js'
import { inRoundOrder, throughput } from './lib/load.js'
import { percentile, round, summarize, type Summary } from './lib/stats.js'
import { pairOf } from './transfers.js'

export type HoldContender = 'holdCapture' | 'transfer'

/** One level of callers: completed transfers per second per contender, and each one's latency. */
export interface HoldLevel {
  /** Completed transfers per second: a hold and its capture count as one. */
  holdCapture: Summary
  transfer: Summary
  holdCaptureOverTransfer: number
  /** Milliseconds per completed transfer (hold and capture together), over the measured calls of every round. */
  latencyMs: Record<HoldContender, { p50: number; p95: number }>
  /** Operations that threw: not counted in the throughput. */
  errors: Record<HoldContender, number>
}

export interface HoldFigures {
  /** Seconds to expiry of every hold: long enough that none expires before its capture. */
  expiresIn: number
  levels: Record<string, HoldLevel>
}

export interface HoldOptions {
  levels: number[]
  rounds: number
  seconds: number
  progress: (message: string) => void
}

const EXPIRES_IN = 3600

/** `callers` callers running `contender` for `seconds` on an SDK of their own (a pool of `callers`). */
async function run(db: BenchDatabase, users: string[], callers: number, seconds: number, contender: HoldContender) {
  const sdk = server.createAvolveDb({ connection: db.apiUrl, pool: { max: callers } })
  try {
    const exp = Math.floor(Date.now() / 1000) + 3600
    const scopes = await Promise.all(users.map((sub) => sdk.asUser({ sub, role: 'authenticated', exp })))
    return await throughput(callers, seconds, async () => {
      const [from, to] = pairOf(users.length, false)
      const payer = scopes[from]!
      if (contender === 'transfer') {
        await payer.tokens.transfer({ to: users[to]!, tokenType: 'GEN', amount: '1' })
      } else {
        const h = await payer.tokens.hold({ to: users[to]!, tokenType: 'GEN', amount: '1', expiresIn: EXPIRES_IN })
        await scopes[to]!.tokens.capture(h.id)
      }
    })
  } finally {
    await sdk.destroy()
  }
}

export async function holdsAgainstTransfers(db: BenchDatabase, users: string[], o: HoldOptions): Promise<HoldFigures> {
  const levels: Record<string, HoldLevel> = {}
  for (const callers of o.levels) {
    const perSecond = { holdCapture: [] as number[], transfer: [] as number[] }
    const latencies = { holdCapture: [] as number[], transfer: [] as number[] }
    const errors = { holdCapture: 0, transfer: 0 }
    const contender = (c: HoldContender) => async () => {
      const t = await run(db, users, callers, o.seconds, c)
      perSecond[c].push(t.perSecond)
      latencies[c].push(...t.latenciesMs)
      errors[c] += t.errors
    }
    for (let r = 1; r <= o.rounds; r++) {
      o.progress(`${callers} callers, round ${r}/${o.rounds}`)
      await inRoundOrder(r, [contender('holdCapture'), contender('transfer')])
    }
    const latency = (l: number[]) => {
      const sorted = [...l].sort((a, b) => a - b)
      return { p50: round(percentile(sorted, 50), 2), p95: round(percentile(sorted, 95), 2) }
    }
    const holdCapture = summarize(perSecond.holdCapture)
    const transfer = summarize(perSecond.transfer)
    levels[callers] = {
      holdCapture,
      transfer,
      holdCaptureOverTransfer: round(holdCapture.median / transfer.median, 3),
      latencyMs: { holdCapture: latency(latencies.holdCapture), transfer: latency(latencies.transfer) },
      errors,
    }
  }
  return { expiresIn: EXPIRES_IN, levels }
}
