/**
 * The project's transfer against the smallest correct transfer (bench/minimal-transfer.sql), both
 * under pgbench on the same server, taking turns in every round: `public.transfer_tokens(...)` as
 * the service role from a superuser's connection, `bench_minimal.transfer(...)`, and the SDK's real
 * path (bench/transfers.ts) beside them. 100 users, random pairs, and the hot account (every client
 * pays one receiver).
 */
import type { BenchDatabase } from './lib/environment.js'
import { inRoundOrder } from './lib/load.js'
import { HOT_CLIENTS, transferScript, type Contender } from './lib/minimal-transfer.js'
import { runPgbench } from './lib/pgbench.js'
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
}

export interface Comparison {
  /** Random pairs, by number of clients. */
  levels: Record<string, LevelFigures>
  /** `HOT_CLIENTS` clients paying account 0. */
  hot: { clients: number; transferTokens: Summary; minimal: Summary; ratio: number }
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
  const pgbench = (contender: Contender, clients: number, hot: boolean) => async () =>
    (await runPgbench({ script: transferScript(contender, users.length, hot), url: db.adminUrl, clients, seconds: o.seconds })).perSecond
  const levels: Record<string, LevelFigures> = {}
  for (const clients of o.levels) {
    const samples = { transferTokens: [] as number[], minimal: [] as number[], sdk: [] as number[] }
    const contenders = [
      async () => void samples.transferTokens.push(await pgbench('transfer_tokens', clients, false)()),
      async () => void samples.minimal.push(await pgbench('minimal', clients, false)()),
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
    levels[clients] = {
      transferTokens,
      minimal,
      transferTokensOverMinimal: round(transferTokens.median / minimal.median, 3),
      ...(sdk ? { sdk, sdkOverTransferTokens: round(sdk.median / transferTokens.median, 3) } : {}),
    }
  }
  const hot = { transferTokens: [] as number[], minimal: [] as number[] }
  const rounds = o.rounds(HOT_CLIENTS)
  for (let r = 1; r <= rounds; r++) {
    o.progress(`hot account, ${HOT_CLIENTS} clients, round ${r}/${rounds}`)
    await inRoundOrder(r, [
      async () => void hot.transferTokens.push(await pgbench('transfer_tokens', HOT_CLIENTS, true)()),
      async () => void hot.minimal.push(await pgbench('minimal', HOT_CLIENTS, true)()),
    ])
  }
  const transferTokens = summarize(hot.transferTokens)
  const minimal = summarize(hot.minimal)
  return { levels, hot: { clients: HOT_CLIENTS, transferTokens, minimal, ratio: round(transferTokens.median / minimal.median, 3) } }
}
