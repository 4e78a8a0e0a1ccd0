/**
 * `npm run bench:against -- <revision>`: this tree's SDK against the SDK of another git revision
 * (and raw `pg`), taking turns in one process on one database, at one level of callers. On a noisy
 * machine this is the closest before/after a change can get: both builds see the same minutes, the
 * same ledger and the same PostgreSQL. Options: --callers 16, --rounds 6, --seconds 5.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { packageRoot } from '../src/tooling/migrations.js'
import { createBenchUsers, fund, startBenchDatabase } from './lib/environment.js'
import { inRoundOrder, recordingInto } from './lib/load.js'
import { printTable, progress, span } from './lib/report.js'
import type { server } from './lib/sdk.js'
import { summarize } from './lib/stats.js'
import { rawTransfers, sdkTransfers } from './transfers.js'

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { callers: { type: 'string', default: '16' }, rounds: { type: 'string', default: '6' }, seconds: { type: 'string', default: '5' } },
})
const [revision] = positionals
const callers = Number(flags.callers)
const rounds = Number(flags.rounds)
const seconds = Number(flags.seconds)
if (!revision || ![callers, rounds, seconds].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('usage: npm run bench:against -- <git revision> [--callers 16] [--rounds 6] [--seconds 5]')
  process.exit(2)
}

const root = packageRoot()
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim()

/** Builds `rev` in a scratch worktree (sharing this tree's node_modules); returns its server module. */
async function buildOf(rev: string, dir: string): Promise<typeof server> {
  const sha = git('rev-parse', '--verify', `${rev}^{commit}`)
  // The other build runs on this tree's schema: a revision with other migrations is not comparable.
  if (git('diff', '--name-only', sha, '--', 'migrations')) {
    throw new Error(`${rev} has other migrations than this tree; compare revisions with the same schema`)
  }
  git('worktree', 'add', '--quiet', '--detach', dir, sha)
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  execFileSync(process.execPath, [join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js')], { cwd: dir, stdio: 'ignore' })
  const entry = join(dir, 'dist', 'server.js')
  if (!existsSync(entry)) throw new Error(`building ${rev} made no dist/server.js`)
  return (await import(pathToFileURL(entry).href)) as typeof server
}

async function main() {
  const dir = join(mkdtempSync(join(tmpdir(), 'avolve-against-')), 'tree')
  const short = git('rev-parse', '--short', `${revision}^{commit}`)
  const label = short.startsWith(revision!) ? short : `${revision} (${short})`
  const db = await startBenchDatabase(() => {})
  try {
    progress(`building ${label}`)
    const other = await buildOf(revision!, dir)
    const users = await createBenchUsers(db.admin, 64)
    await fund(db.admin, users, 'GEN', '1000000000')
    const samples = { other: [] as number[], tree: [] as number[], raw: [] as number[], otherCpu: [] as number[], treeCpu: [] as number[], rawCpu: [] as number[] }
    const contenders = [
      recordingInto(samples.other, samples.otherCpu, () => sdkTransfers(db, users, callers, seconds, false, other)),
      recordingInto(samples.tree, samples.treeCpu, () => sdkTransfers(db, users, callers, seconds)),
      recordingInto(samples.raw, samples.rawCpu, () => rawTransfers(db, users, callers, seconds)),
    ]
    // One unmeasured turn each: JIT warm-up, and the first ledger rows.
    for (const c of contenders) await c()
    for (const list of Object.values(samples)) list.length = 0
    for (let r = 1; r <= rounds; r++) {
      progress(`${callers} callers, round ${r}/${rounds}`)
      await inRoundOrder(r, contenders)
    }
    const raw = summarize(samples.raw)
    const row = (name: string, s: number[], cpu: number[]) => {
      const throughput = summarize(s)
      return [name, span(throughput), (throughput.median / raw.median).toFixed(3), summarize(cpu).median.toFixed(0)]
    }
    printTable(
      `transfers/s at ${callers} callers, median (min–max) of ${rounds} rounds of ${seconds} s`,
      ['build', 'transfers/s', '/ raw', 'Node CPU µs per transfer'],
      [row(label, samples.other, samples.otherCpu), row('this tree', samples.tree, samples.treeCpu), row('raw pg', samples.raw, samples.rawCpu)],
    )
  } finally {
    await db.stop()
    if (existsSync(dir)) git('worktree', 'remove', '--force', dir)
    rmSync(join(dir, '..'), { recursive: true, force: true })
  }
}

main().catch((e: unknown) => {
  console.error(`bench:against failed: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
})
