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
 * Runs one round's contenders, starting with a different one each round, so that none always runs
 * first (on a warmer or colder machine, after a fresher or older ledger) and the ratios stay fair.
 */
export async function inRotation(round: number, contenders: readonly (() => Promise<unknown>)[]): Promise<void> {
  for (let i = 0; i < contenders.length; i++) await contenders[(round + i) % contenders.length]!()
}
