/**
 * Two ways of doing the same work through the SDK's server adapter, measured side by side: at each
 * level of callers they take turns in every round (load.ts), each round on an SDK of its own with a
 * user scope per bench user. What bench/batch.ts and bench/holds.ts compare.
 */
import type { UserRepositories } from '../../src/index.js'
import type { BenchDatabase } from './environment.js'
import { inRoundOrder, throughput } from './load.js'
import { server } from './sdk.js'
import { percentile, round, summarize, type Summary } from './stats.js'

/** One operation of a contender, given every bench user's scope (`scopes[i]` is `users[i]`'s). */
export type Operation = (scopes: UserRepositories[], users: string[]) => Promise<void>

export interface DuelOptions {
  levels: number[]
  rounds: number
  seconds: number
  progress: (message: string) => void
}

/** Per contender at one level: operations per second times `unit`, latency per operation, operations that threw. */
export interface DuelLevel<C extends string> {
  perSecond: Record<C, Summary>
  latencyMs: Record<C, { p50: number; p95: number }>
  errors: Record<C, number>
}

/** `callers` callers running `op` for `seconds` on an SDK of their own (a pool of `callers`). */
async function run(db: BenchDatabase, users: string[], callers: number, seconds: number, op: Operation) {
  const sdk = server.createAvolveDb({ connection: db.apiUrl, pool: { max: callers } })
  try {
    const exp = Math.floor(Date.now() / 1000) + 3600
    const scopes = await Promise.all(users.map((sub) => sdk.asUser({ sub, role: 'authenticated', exp })))
    return await throughput(callers, seconds, () => op(scopes, users))
  } finally {
    await sdk.destroy()
  }
}

/** The contenders' figures per level of callers (keyed by the level). */
export async function sdkDuel<C extends string>(db: BenchDatabase, users: string[], o: DuelOptions, contenders: Record<C, Operation>, unit = 1): Promise<Record<string, DuelLevel<C>>> {
  const names = Object.keys(contenders) as C[]
  const levels: Record<string, DuelLevel<C>> = {}
  for (const callers of o.levels) {
    const perSecond = Object.fromEntries(names.map((c) => [c, [] as number[]])) as Record<C, number[]>
    const latencies = Object.fromEntries(names.map((c) => [c, [] as number[]])) as Record<C, number[]>
    const errors = Object.fromEntries(names.map((c) => [c, 0])) as Record<C, number>
    const contender = (c: C) => async () => {
      const t = await run(db, users, callers, o.seconds, contenders[c])
      perSecond[c].push(t.perSecond * unit)
      latencies[c].push(...t.latenciesMs)
      errors[c] += t.errors
    }
    for (let r = 1; r <= o.rounds; r++) {
      o.progress(`${callers} callers, round ${r}/${o.rounds}`)
      await inRoundOrder(r, names.map(contender))
    }
    const latency = (l: number[]) => {
      const sorted = [...l].sort((a, b) => a - b)
      return { p50: round(percentile(sorted, 50), 2), p95: round(percentile(sorted, 95), 2) }
    }
    levels[callers] = {
      perSecond: Object.fromEntries(names.map((c) => [c, summarize(perSecond[c])])) as Record<C, Summary>,
      latencyMs: Object.fromEntries(names.map((c) => [c, latency(latencies[c])])) as Record<C, { p50: number; p95: number }>,
      errors,
    }
  }
  return levels
}
