/**
 * The project's transfer against the smallest correct transfer (bench/minimal-transfer.sql), both
 * under pgbench on the same server, taking turns in every round: `public.transfer_tokens(...)` as
 * the service role from a superuser's connection, `bench_minimal.transfer(...)`, and the SDK's real
 * path (bench/transfers.ts) beside them. 100 users, random pairs, and the hot account (every client
 * pays one receiver). Each pgbench run also records the server's CPU and WAL per transfer, which is
 * where a throughput ratio comes from on a machine whose cores the server fills.
 */
import type { BenchDatabase } from './lib/environment.js'
import { inRoundOrder } from './lib/load.js'
import { HOT_CLIENTS, transferScript, type Contender } from './lib/minimal-transfer.js'
import { runPgbench } from './lib/pgbench.js'
import { costSince, markServer, postmasterPid, type ServerCost } from './lib/server-cost.js'
import { round, summarize, type Summary } from './lib/stats.js'
import { sdkTransfers } from './transfers.js'

/** One level of clients: the medians of each contender and the ratios the targets read. */
export interface LevelFigures {
  transferTokens: Summary
  minimal: Summary
  /** The SDK's server path (role, claims, the RPC and its read-back, pipelined), when measured. */
  sdk?: Summary
  transferTokensOverMinimal: number
  sdkOverTransferTokens?: number
  /** Medians per transfer of the server's CPU and WAL under each contender (Linux only). */
  cost?: CostFigures
}

/** What a transfer cost the server under each contender, and the project's over the minimal's. */
export interface CostFigures {
  transferTokens: ServerCost
  minimal: ServerCost
  cpuRatio: number
  walRatio: number
}

export interface Comparison {
  /** Random pairs, by number of clients. */
  levels: Record<string, LevelFigures>
  /** `HOT_CLIENTS` clients paying account 0. */
  hot: { clients: number; transferTokens: Summary; minimal: Summary; ratio: number; cost?: CostFigures }
}

export interface CompareOptions {
  levels: number[]
  rounds: (clients: number) => number
  seconds: number
  /** Also run the SDK's path at each level. */
  sdk: boolean
  progress: (message: string) => void
}

/**
 * Runs the contenders in turns (a balanced order per round, bench/lib/load.ts) on `db`, where
 * `prepareLedger` has run: each level of random pairs, then the hot account.
 */
export async function compareWithMinimal(db: BenchDatabase, users: string[], o: CompareOptions): Promise<Comparison> {
  const postmaster = await postmasterPid(db.admin)
  /** One pgbench run of `contender`: its throughput into `rates`, and its cost per transfer into `costs`. */
  const pgbench = (contender: Contender, clients: number, hot: boolean, rates: number[], costs: ServerCost[]) => async () => {
    const mark = postmaster === undefined ? undefined : await markServer(db.admin, postmaster)
    const run = await runPgbench({ script: transferScript(contender, users.length, hot), url: db.adminUrl, clients, seconds: o.seconds })
    rates.push(run.perSecond)
    if (mark) costs.push(await costSince(db.admin, postmaster!, mark, run.transactions))
  }
  const levels: Record<string, LevelFigures> = {}
  for (const clients of o.levels) {
    const samples = { transferTokens: [] as number[], minimal: [] as number[], sdk: [] as number[] }
    const costs = { transferTokens: [] as ServerCost[], minimal: [] as ServerCost[] }
    const contenders = [
      pgbench('transfer_tokens', clients, false, samples.transferTokens, costs.transferTokens),
      pgbench('minimal', clients, false, samples.minimal, costs.minimal),
      ...(o.sdk ? [async () => void samples.sdk.push((await sdkTransfers(db, users, clients, o.seconds)).perSecond)] : []),
    ]
    const rounds = o.rounds(clients)
    for (let r = 1; r <= rounds; r++) {
      o.progress(`${clients} clients, round ${r}/${rounds}`)
      await inRoundOrder(r, contenders)
    }
    const transferTokens = summarize(samples.transferTokens)
    const minimal = summarize(samples.minimal)
    const sdk = o.sdk ? summarize(samples.sdk) : undefined
    const cost = costFigures(costs)
    levels[clients] = {
      transferTokens,
      minimal,
      transferTokensOverMinimal: round(transferTokens.median / minimal.median, 3),
      ...(sdk ? { sdk, sdkOverTransferTokens: round(sdk.median / transferTokens.median, 3) } : {}),
      ...(cost ? { cost } : {}),
    }
  }
  const hot = { transferTokens: [] as number[], minimal: [] as number[] }
  const hotCosts = { transferTokens: [] as ServerCost[], minimal: [] as ServerCost[] }
  const rounds = o.rounds(HOT_CLIENTS)
  for (let r = 1; r <= rounds; r++) {
    o.progress(`hot account, ${HOT_CLIENTS} clients, round ${r}/${rounds}`)
    await inRoundOrder(r, [pgbench('transfer_tokens', HOT_CLIENTS, true, hot.transferTokens, hotCosts.transferTokens), pgbench('minimal', HOT_CLIENTS, true, hot.minimal, hotCosts.minimal)])
  }
  const transferTokens = summarize(hot.transferTokens)
  const minimal = summarize(hot.minimal)
  const cost = costFigures(hotCosts)
  return {
    levels,
    hot: { clients: HOT_CLIENTS, transferTokens, minimal, ratio: round(transferTokens.median / minimal.median, 3), ...(cost ? { cost } : {}) },
  }
}

/** The medians of the rounds' costs per transfer, and their ratios; none where they were not measured. */
function costFigures(costs: { transferTokens: ServerCost[]; minimal: ServerCost[] }): CostFigures | undefined {
  if (!costs.transferTokens.length || !costs.minimal.length) return undefined
  const median = (list: ServerCost[]): ServerCost => ({
    cpuMicros: round(summarize(list.map((c) => c.cpuMicros)).median, 0),
    walBytes: round(summarize(list.map((c) => c.walBytes)).median, 0),
  })
  const transferTokens = median(costs.transferTokens)
  const minimal = median(costs.minimal)
  return { transferTokens, minimal, cpuRatio: round(transferTokens.cpuMicros / minimal.cpuMicros, 2), walRatio: round(transferTokens.walBytes / minimal.walBytes, 2) }
}
