/**
 * Runs `op` from `workers` concurrent callers for `seconds` (after a warm-up); returns operations per
 * second, and this process's CPU time (all its threads: JS, GC, libuv) per operation over the same
 * window: the part of the machine a client library spends, which throughput alone hides on a machine
 * where the database takes most of the cores.
 */
export async function throughput(
  workers: number,
  seconds: number,
  op: (worker: number, i: number) => Promise<unknown>,
  warmupSeconds = 1,
): Promise<{ perSecond: number; errors: number; latenciesMs: number[]; cpuMicrosPerOp: number }> {
  const warmupEnd = Date.now() + warmupSeconds * 1000
  const end = warmupEnd + seconds * 1000
  let counted = 0
  let errors = 0
  let cpuAtWarmupEnd: NodeJS.CpuUsage | undefined
  const latenciesMs: number[] = []
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; Date.now() < end; i++) {
        const started = performance.now()
        try {
          await op(w, i)
          if (Date.now() > warmupEnd) {
            cpuAtWarmupEnd ??= process.cpuUsage()
            counted++
            latenciesMs.push(performance.now() - started)
          }
        } catch {
          errors++
        }
      }
    }),
  )
  const cpu = process.cpuUsage(cpuAtWarmupEnd)
  return { perSecond: counted / seconds, errors, latenciesMs, cpuMicrosPerOp: counted ? (cpu.user + cpu.system) / counted : Number.NaN }
}

/** A contender that runs `measure` and keeps its throughput and its Node CPU per operation. */
export function recordingInto(perSecond: number[], cpuMicrosPerOp: number[], measure: () => Promise<{ perSecond: number; cpuMicrosPerOp: number }>) {
  return async (): Promise<void> => {
    const t = await measure()
    perSecond.push(t.perSecond)
    cpuMicrosPerOp.push(t.cpuMicrosPerOp)
  }
}

/** Sequential latencies of `op`, `count` times after `warmup` unmeasured calls, in milliseconds. */
export async function latencies(count: number, op: (i: number) => Promise<unknown>, warmup = 50): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await op(-i - 1)
  const out: number[] = []
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    await op(i)
    out.push(performance.now() - started)
  }
  return out.sort((a, b) => a - b)
}

/**
 * The order of `n` contenders in round `round`: a balanced Latin square (Williams). Each contender
 * runs in every position, and right after every other contender equally often: every n rounds when
 * n is even, every 2n when it is odd. A plain rotation keeps the cyclic order, so each contender
 * would always follow the same one and inherit whatever it leaves behind (dead tuples, a running
 * autovacuum, a busier cache).
 */
export function roundOrder(n: number, round: number): number[] {
  const first = [0]
  for (let lo = 1, hi = n - 1; first.length < n; ) first.push(first.length % 2 ? lo++ : hi--)
  const row = first.map((c) => (c + round) % n)
  return n % 2 === 1 && Math.floor(round / n) % 2 === 1 ? row.reverse() : row
}

/** Runs one round's contenders in `roundOrder`, so that none always runs first or after the same one. */
export async function inRoundOrder(round: number, contenders: readonly (() => Promise<unknown>)[]): Promise<void> {
  for (const i of roundOrder(contenders.length, round)) await contenders[i]!()
}
