/**
 * Issue 19: a two-phase transfer (a hold, then its capture) against a plain transfer, through the
 * SDK's server adapter, taking turns in every round (bench/lib/load.ts). An operation is one
 * completed transfer of 1 GEN from a random funded user to another: one `tokens.transfer`, or a
 * `tokens.hold` by the payer followed by `tokens.capture` from the payee's own user scope.
 */
import type { BenchDatabase } from './lib/environment.js'
import { sdkDuel, type DuelOptions } from './lib/sdk-duel.js'
import { round, type Summary } from './lib/stats.js'
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

const EXPIRES_IN = 3600

export async function holdsAgainstTransfers(db: BenchDatabase, users: string[], o: DuelOptions): Promise<HoldFigures> {
  const measured = await sdkDuel<HoldContender>(db, users, o, {
    holdCapture: async (scopes, ids) => {
      const [from, to] = pairOf(ids.length, false)
      const h = await scopes[from]!.tokens.hold({ to: ids[to]!, tokenType: 'GEN', amount: '1', expiresIn: EXPIRES_IN })
      await scopes[to]!.tokens.capture(h.id)
    },
    transfer: async (scopes, ids) => {
      const [from, to] = pairOf(ids.length, false)
      await scopes[from]!.tokens.transfer({ to: ids[to]!, tokenType: 'GEN', amount: '1' })
    },
  })
  const levels: Record<string, HoldLevel> = {}
  for (const [callers, m] of Object.entries(measured)) {
    const { holdCapture, transfer } = m.perSecond
    levels[callers] = { holdCapture, transfer, holdCaptureOverTransfer: round(holdCapture.median / transfer.median, 3), latencyMs: m.latencyMs, errors: m.errors }
  }
  return { expiresIn: EXPIRES_IN, levels }
}
