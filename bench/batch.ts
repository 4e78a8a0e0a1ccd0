/**
 * Issue 19: a batch of transfers against the same transfers one by one, through the SDK's server
 * adapter, taking turns in every round (bench/lib/load.ts). An operation is ten transfers from one
 * random sender to random receivers: one `tokens.transferBatch` call, or ten `tokens.transfer` calls
 * awaited in turn, as code that has no batch would send them.
 */
import { server } from './lib/sdk.js'
import type { BenchDatabase } from './lib/environment.js'
import { inRoundOrder, throughput } from './lib/load.js'
import { percentile, round, summarize, type Summary } from './lib/stats.js'
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

export interface BatchOptions {
  levels: number[]
  rounds: number
  seconds: number
  progress: (message: string) => void
}

/** One sender and `BATCH_SIZE` receivers, drawn the way bench/transfers.ts draws its pairs. */
function operation(users: number): { from: number; to: number[] } {
  const [from] = pairOf(users, false)
  // A receiver drawn like pairOf's: any user but the sender, repeats allowed, as a real batch may have.
  const to = Array.from({ length: BATCH_SIZE }, () => (from + 1 + Math.floor(Math.random() * (users - 1))) % users)
  return { from, to }
}

/** `callers` callers running `contender` for `seconds` on an SDK of their own (a pool of `callers`). */
async function run(db: BenchDatabase, users: string[], callers: number, seconds: number, contender: BatchContender) {
  const sdk = server.createAvolveDb({ connection: db.apiUrl, pool: { max: callers } })
  try {
    const exp = Math.floor(Date.now() / 1000) + 3600
    const scopes = await Promise.all(users.map((sub) => sdk.asUser({ sub, role: 'authenticated', exp })))
    return await throughput(callers, seconds, async () => {
      const { from, to } = operation(users.length)
      const me = scopes[from]!
      const transfers = to.map((t) => ({ to: users[t]!, tokenType: 'GEN' as const, amount: '1' }))
      if (contender === 'batch') {
        const result = await me.tokens.transferBatch(transfers)
        // A refused batch replies rather than throws; counted as done it would flatter the batch.
        if (!result.applied) throw new Error(`batch refused at ${result.failedIndex}`)
      } else {
        for (const t of transfers) await me.tokens.transfer(t)
      }
    })
  } finally {
    await sdk.destroy()
  }
}

export async function batchAgainstSingles(db: BenchDatabase, users: string[], o: BatchOptions): Promise<BatchFigures> {
  const levels: Record<string, BatchLevel> = {}
  for (const callers of o.levels) {
    const perSecond = { batch: [] as number[], singles: [] as number[] }
    const latencies = { batch: [] as number[], singles: [] as number[] }
    const errors = { batch: 0, singles: 0 }
    const contender = (c: BatchContender) => async () => {
      const t = await run(db, users, callers, o.seconds, c)
      perSecond[c].push(t.perSecond * BATCH_SIZE)
      latencies[c].push(...t.latenciesMs)
      errors[c] += t.errors
    }
    for (let r = 1; r <= o.rounds; r++) {
      o.progress(`${callers} callers, round ${r}/${o.rounds}`)
      await inRoundOrder(r, [contender('batch'), contender('singles')])
    }
    const latency = (l: number[]) => {
      const sorted = [...l].sort((a, b) => a - b)
      return { p50: round(percentile(sorted, 50), 2), p95: round(percentile(sorted, 95), 2) }
    }
    const batch = summarize(perSecond.batch)
    const singles = summarize(perSecond.singles)
    levels[callers] = {
      batch,
      singles,
      batchOverSingles: round(batch.median / singles.median, 3),
      latencyMs: { batch: latency(latencies.batch), singles: latency(latencies.singles) },
      errors,
    }
  }
  return { size: BATCH_SIZE, levels }
}
