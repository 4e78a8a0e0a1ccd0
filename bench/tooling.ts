import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { measureClient } from '../scripts/client-size.js'
import { packageRoot } from '../src/tooling/migrations.js'

const run = promisify(execFile)

/** Wall time of `npm run codegen -- --check` in fresh processes: the first run (cold) and the next ones (warm). */
export async function codegenTimes(runs: number): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await run(process.execPath, ['--import', 'tsx', 'codegen/cli.ts', '--check'], { cwd: packageRoot(), env: { ...process.env, DATABASE_URL: '' } })
    times.push((performance.now() - started) / 1000)
  }
  return times
}

export async function memoryAfterCalls(apiUrl: string, user: string, total: number) {
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/memory-probe.ts', apiUrl, user, String(total)], { cwd: packageRoot(), maxBuffer: 1 << 20 })
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { calls: number; after1kBytes: number; afterTotalBytes: number }
}

export { measureClient }
