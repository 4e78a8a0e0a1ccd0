/**
 * What a run cost the database server, beside its throughput: the CPU time of every PostgreSQL
 * process (Linux `/proc`) and the WAL it wrote. On a machine where the server takes the cores, a
 * transfer's CPU and WAL are what its throughput follows, so they say where a ratio comes from.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import type pg from 'pg'

/** The server's CPU and WAL position at one moment. */
export interface ServerMark {
  cpuMicros: number
  walLsn: string
}

/** Per transfer over a run: server CPU in µs and WAL in bytes. */
export interface ServerCost {
  cpuMicros: number
  walBytes: number
}

let ticksPerSecond: number | undefined
const clockTicks = () => (ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100)

/** utime, stime, cutime and cstime of a process, in clock ticks; undefined once it is gone. */
function times(pid: number): { own: number; children: number; parent: number } | undefined {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // The fields after the command name, which may itself hold spaces and parentheses.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { parent: Number(f[1]), own: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) }
}

/** The postmaster's pid: the parent of this connection's backend. */
export async function postmasterPid(admin: pg.Pool): Promise<number | undefined> {
  if (process.platform !== 'linux') return undefined
  const backend = (await admin.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid
  return times(backend)?.parent
}

/**
 * CPU time the server has used so far, in µs: the postmaster's own, that of the backends it has
 * reaped (which the kernel adds to its children's times), and that of those still running.
 */
function serverCpuMicros(postmaster: number): number {
  const pm = times(postmaster)
  if (!pm) throw new Error(`the server's postmaster (pid ${postmaster}) is gone`)
  let ticks = pm.own + pm.children
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const child = times(Number(name))
    if (child?.parent === postmaster) ticks += child.own
  }
  return (ticks * 1e6) / clockTicks()
}

/** Where the server's CPU time and WAL stand now. */
export async function markServer(admin: pg.Pool, postmaster: number): Promise<ServerMark> {
  const walLsn = (await admin.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn')).rows[0]!.lsn
  return { cpuMicros: serverCpuMicros(postmaster), walLsn }
}

/** Server CPU and WAL per transfer since `mark`, over `transfers` transfers. */
export async function costSince(admin: pg.Pool, postmaster: number, mark: ServerMark, transfers: number): Promise<ServerCost> {
  // A finished client's backend exits on its own: give the postmaster a moment to reap it, so that
  // its time is counted once, in the postmaster's children's times.
  await new Promise((resolve) => setTimeout(resolve, 200))
  const wal = (await admin.query<{ bytes: string }>('select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1::pg_lsn)::text as bytes', [mark.walLsn])).rows[0]!
  const cpu = serverCpuMicros(postmaster) - mark.cpuMicros
  return { cpuMicros: cpu / transfers, walBytes: Number(wal.bytes) / transfers }
}
