import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { ensureCommand } from './system-tools.js'

export interface PgBouncer {
  /** Connection string through PgBouncer for `user` (password included) to `database`. */
  url: string
  /** PgBouncer's admin console (database `pgbouncer`), for SHOW STATS / SHOW POOLS. */
  adminUrl: string
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited (${child.exitCode}):\n${log()}`)
    const open = await new Promise<boolean>((r) => {
      const c = createConnection({ host: '127.0.0.1', port }, () => {
        c.end()
        r(true)
      })
      c.on('error', () => r(false))
    })
    if (open) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`pgbouncer did not listen on ${port}:\n${log()}`)
}

/**
 * Starts Debian's PgBouncer on loopback in transaction mode (as Supabase's Supavisor pools), in front
 * of the server of `target` (a connection string with the user and password to pool). PgBouncer
 * refuses to run as root, so as root it runs as the `postgres` system user the embedded server uses.
 */
export async function startPgBouncer(target: string, options: { poolSize?: number } = {}): Promise<PgBouncer> {
  const binary = ensureCommand('pgbouncer', 'pgbouncer')
  const t = new URL(target)
  const user = decodeURIComponent(t.username)
  const password = decodeURIComponent(t.password)
  const database = t.pathname.slice(1)
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'avolve-pgbouncer-'))
  const asRoot = userInfo().uid === 0
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    `${[
      '[databases]',
      `${database} = host=${t.hostname} port=${t.port} dbname=${database}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = scram-sha-256',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize ?? 10}`,
      'max_client_conn = 500',
      'ignore_startup_parameters = extra_float_digits,options',
      `admin_users = ${user}`,
      'stats_period = 1',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
    ].join('\n')}\n`,
  )
  writeFileSync(join(dir, 'userlist.txt'), `"${user}" "${password}"\n`)
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }))
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }))
    chmodSync(dir, 0o755)
    for (const f of ['', 'pgbouncer.ini', 'userlist.txt']) chownSync(join(dir, f), uid, gid)
  }
  let output = ''
  const child = spawn(binary, [join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) } : {}),
  })
  child.stdout?.on('data', (d) => (output += d))
  child.stderr?.on('data', (d) => (output += d))
  await waitForPort(port, child, () => output)
  const url = new URL(target)
  url.hostname = '127.0.0.1'
  url.port = String(port)
  const admin = new URL(url)
  admin.pathname = '/pgbouncer'
  return {
    url: url.toString(),
    adminUrl: admin.toString(),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGINT')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
