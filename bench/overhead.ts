import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { packageRoot } from '../src/tooling/migrations.js'

const run = promisify(execFile)

/**
 * The SDK's own work per call, without any I/O, timed by plain `node` on the built package (not
 * through tsx, whose source maps slow some paths): validating inputs, decoding a row, classifying
 * an error, and constructing the error object (V8's stack capture, reported next to its floor).
 */
export async function overheads(): Promise<Record<string, number[]>> {
  const { stdout } = await run(process.execPath, ['bench/overhead-probe.mjs'], { cwd: packageRoot() })
  return JSON.parse(stdout.trim()) as Record<string, number[]>
}
