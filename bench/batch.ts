/**
 * Issue 19: a batch of transfers against the same transfers one by one, through the SDK's server
 * adapter, taking turns in every round (bench/lib/load.ts). An operation is ten transfers from one
 * random sender to random receivers: one `tokens.transferBatch` call, or ten `tokens.transfer` calls
 * awaited in turn, as code that has no batch would send them.
 */
import type { BenchDatabase } from './lib/environment.js'
import { sdkDuel, type DuelOptions } from './lib/sdk-duel.js'
import { round, type Summary } from './lib/stats.js'
import { pairOf } from './transfers.js'

export const BATCH_SIZE = 10

export type BatchContender = 'batch' | 'singles'

/** One level of callers: transfers per second per contender, and each operation's latency. */
export interface BatchLevel {
  /** Transfers (not operations) per second. */
  batch: Summary
  singles: Summary
  batchOverSingles: number
  /** Milliseconds per operation of `BATCH_SIZE` transfers, over the measured calls of every round. */
  latencyMs: Record<BatchContender, { p50: number; p95: number }>
  /** Operations that threw or whose batch did not apply: not counted in the throughput. */
  errors: Record<BatchContender, number>
}

export interface BatchFigures {
  size: number
  levels: Record<string, BatchLevel>
}

/** One sender and `BATCH_SIZE` receivers, drawn the way bench/transfers.ts draws its pairs. */
function operation(users: number): { from: number; to: number[] } {
  const [from] = pairOf(users, false)
  // A receiver drawn like pairOf's: any user but the sender, repeats allowed, as a real batch may have.
  const to = Array.from({ length: BATCH_SIZE }, () => (from + 1 + Math.floor(Math.random() * (users - 1))) % users)
  return { from, to }
}

export async function batchAgainstSingles(db: BenchDatabase, users: string[], o: DuelOptions): Promise<BatchFigures> {
  const transfersOf = (ids: string[]) => {
    const { from, to } = operation(ids.length)
    return { from, transfers: to.map((t) => ({ to: ids[t]!, tokenType: 'GEN' as const, amount: '1' })) }
  }
  const measured = await sdkDuel<BatchContender>(
    db,
    users,
    o,
    {
      batch: async (scopes, ids) => {
        const { from, transfers } = transfersOf(ids)
        const result = await scopes[from]!.tokens.transferBatch(transfers)
        // A refused batch replies rather than throws; counted as done it would flatter the batch.
        if (!result.applied) throw new Error(`batch refused at ${result.failedIndex}`)
      },
      singles: async (scopes, ids) => {
        const { from, transfers } = transfersOf(ids)
        for (const t of transfers) await scopes[from]!.tokens.transfer(t)
      },
    },
    BATCH_SIZE,
  )
  const levels: Record<string, BatchLevel> = {}
  for (const [callers, m] of Object.entries(measured)) {
    const { batch, singles } = m.perSecond
    levels[callers] = { batch, singles, batchOverSingles: round(batch.median / singles.median, 3), latencyMs: m.latencyMs, errors: m.errors }
  }
  return { size: BATCH_SIZE, levels }
}
