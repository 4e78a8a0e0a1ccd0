import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ensureCommand } from '../../test/support/system-tools.js'

const run = promisify(execFile)
/** Added to a timed run for its clients to connect. */
const CONNECTING_SECONDS = 1

export interface PgbenchRun {
  /** The pgbench script (`\set` lines and SQL), written to a file for the run. */
  script: string
  /** Connection string: host, port, user, password and database are taken from it. */
  url: string
  clients: number
  /**
   * Measure for about this long, or instead run `transactions` per client (`-t`). pgbench's clock
   * starts before its clients connect (about a second for 32 of them here, SCRAM and a fork each) and
   * its figure leaves the connection time out, so the run is that much longer than the measurement.
   */
  seconds?: number
  transactions?: number
}

/** pgbench's path; installs Debian's postgresql-client first when it is missing and this runs as root (as CI does). */
export const pgbenchCommand = () => ensureCommand('pgbench', 'postgresql-client')

/** `pgbench (PostgreSQL) 15.x …`, for the report. */
export async function pgbenchVersion(): Promise<string> {
  return (await run(pgbenchCommand(), ['--version'])).stdout.trim()
}

/** Reads pgbench's throughput, transactions per second without the connection time, from its report. */
export function parseTps(stdout: string): number {
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1]
  if (!tps) throw new Error(`could not read pgbench's tps:\n${stdout}`)
  return Number(tps)
}

/** How many transactions pgbench's clients completed, from its report. */
export function parseTransactions(stdout: string): number {
  const n = /number of transactions actually processed: (\d+)/.exec(stdout)?.[1]
  if (!n) throw new Error(`could not read pgbench's transaction count:\n${stdout}`)
  return Number(n)
}

/**
 * Runs one pgbench measurement (extended query protocol, as `pg` and the SDK send, no vacuum first,
 * at most two threads: the machine's cores) and returns its transactions per second and how many it
 * completed. A client that fails a statement makes pgbench exit non-zero, and this reject.
 */
export async function runPgbench(options: PgbenchRun): Promise<{ perSecond: number; transactions: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'avolve-pgbench-'))
  try {
    const file = join(dir, 'script.sql')
    writeFileSync(file, options.script)
    const url = new URL(options.url)
    const length = options.transactions !== undefined ? ['-t', String(options.transactions)] : ['-T', String((options.seconds ?? 5) + CONNECTING_SECONDS)]
    const { stdout } = await run(
      pgbenchCommand(),
      [
        '-n',
        '-M',
        'extended',
        '-c',
        String(options.clients),
        '-j',
        String(Math.min(options.clients, 2)),
        ...length,
        '-f',
        file,
        '-h',
        url.hostname,
        '-p',
        url.port,
        '-U',
        decodeURIComponent(url.username),
        decodeURIComponent(url.pathname.slice(1)),
      ],
      { env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) }, maxBuffer: 1 << 22 },
    )
    return { perSecond: parseTps(stdout), transactions: parseTransactions(stdout) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
