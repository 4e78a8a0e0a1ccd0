import pg from 'pg'
import { CONNECTION_STRING_EXAMPLE, readConnectionUrl } from '../values/connection-url.js'
import { CliError, UsageError } from './errors.js'

/** A validated database URL, with a description of it that is safe to print (no password). */
export interface DatabaseTarget {
  /** The connection string as given. */
  readonly url: string
  readonly host: string
  readonly port: number
  readonly database: string
  readonly user: string
  /** `user@host:port/database`: for messages, never the password. */
  readonly display: string
}

/**
 * The database a command works on: `--database-url`, else `DATABASE_URL`. A command that cannot
 * work without one gets a {@link UsageError} saying how to give it.
 */
export function resolveDatabaseTarget(flag: string | undefined, env: NodeJS.ProcessEnv): DatabaseTarget {
  const target = optionalDatabaseTarget(flag, env)
  if (target) return target
  throw new UsageError(`no database given: pass --database-url ${CONNECTION_STRING_EXAMPLE} or set DATABASE_URL.`)
}

/** The same, for a command that has its own default (an embedded server) when neither is given. */
export function optionalDatabaseTarget(flag: string | undefined, env: NodeJS.ProcessEnv): DatabaseTarget | undefined {
  if (flag !== undefined) return parseDatabaseUrl(flag, '--database-url')
  if (env.DATABASE_URL) return parseDatabaseUrl(env.DATABASE_URL, 'DATABASE_URL')
  return undefined
}

/**
 * Checks that `value` is a `postgres://` (or `postgresql://`) URL before anything connects, so a
 * typo is reported as one instead of as a confusing network error.
 *
 * @param origin where the value came from, named in the message (`--database-url`, `DATABASE_URL`)
 */
export function parseDatabaseUrl(value: string, origin: string): DatabaseTarget {
  const read = readConnectionUrl(value)
  if (!read.ok && read.problem === 'not_a_url') {
    throw new UsageError(
      `${origin} is not a URL (${JSON.stringify(redact(value))}): expected ${CONNECTION_STRING_EXAMPLE} ` +
        `(on Supabase: Project Settings → Database → Connection string; percent-encode special characters in the password).`,
    )
  }
  if (!read.ok) throw new UsageError(`${origin} must be a postgres:// URL, not ${read.protocol}//…: expected ${CONNECTION_STRING_EXAMPLE}.`)
  const url = read.url
  // A unix socket is given as ?host=/path, which leaves the URL's own host empty.
  const socket = url.searchParams.get('host')
  if (!url.hostname && !socket) {
    throw new UsageError(`${origin} names no host: expected ${CONNECTION_STRING_EXAMPLE}.`)
  }
  const host = url.hostname || socket || ''
  const port = url.port ? Number(url.port) : 5432
  const user = decodeURIComponent(url.username) || process.env.PGUSER || 'postgres'
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || user
  return { url: value, host, port, database, user, display: `${user}@${host}:${port}/${database}` }
}

/** How long to wait for a server to answer: `PGCONNECT_TIMEOUT` seconds (as libpq reads it), else 10. */
export function connectTimeoutSeconds(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.PGCONNECT_TIMEOUT)
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 10
}

export interface ConnectOptions {
  /** Shown in `pg_stat_activity.application_name`. */
  applicationName?: string
  /** Type parsers for this connection (e.g. int8 as number for reports). */
  types?: pg.CustomTypesConfig
  env?: NodeJS.ProcessEnv
}

/**
 * Opens one `pg.Client` to `target`. A failure to connect becomes a {@link CliError} that names the
 * server and what to do: unreachable (refused, timed out, unknown host), wrong password, missing
 * database, TLS trouble.
 */
export async function connect(target: DatabaseTarget, options: ConnectOptions = {}): Promise<pg.Client> {
  const timeout = connectTimeoutSeconds(options.env ?? process.env)
  const client = new pg.Client({
    connectionString: target.url,
    connectionTimeoutMillis: timeout * 1000,
    application_name: options.applicationName ?? 'avolve-db',
    ...(options.types ? { types: options.types } : {}),
  })
  // A connection that dies later must surface as the failing query's error, not crash the process.
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (error) {
    await client.end().catch(() => {})
    throw explainConnectionError(error, target, timeout)
  }
  return client
}

/**
 * Runs `work` on one connection to `target`, closed afterwards whatever happens.
 *
 * @example
 * const tables = await withConnection(target, { applicationName: 'avolve-db inspect' }, (client) => client.query('select 1'))
 */
export async function withConnection<T>(target: DatabaseTarget, options: ConnectOptions, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(target, options)
  try {
    return await work(client)
  } finally {
    await client.end().catch(() => {})
  }
}

/**
 * Runs `work` on a connection to the command's database (`--database-url`, else `DATABASE_URL`; a
 * usage error when neither is given), closed afterwards.
 *
 * @example
 * return withDatabase(values['database-url'], context, { applicationName: 'avolve-db maintain' }, async (client, target) => { ... })
 */
export async function withDatabase<T>(
  databaseUrl: string | undefined,
  context: { readonly env: NodeJS.ProcessEnv },
  options: Omit<ConnectOptions, 'env'>,
  work: (client: pg.Client, target: DatabaseTarget) => Promise<T>,
): Promise<T> {
  const target = resolveDatabaseTarget(databaseUrl, context.env)
  return withConnection(target, { ...options, env: context.env }, (client) => work(client, target))
}

/**
 * Turns an error met while connecting (or while a tool such as codegen connects) into a message
 * that names the server and the fix. Errors it does not recognise come back unchanged.
 */
export function explainConnectionError(error: unknown, target: DatabaseTarget, timeoutSeconds = 10): unknown {
  const where = `${target.host}:${target.port}`
  const code = errorCode(error)
  const message = error instanceof Error ? error.message : String(error)
  const fail = (text: string) => new CliError(text, { cause: error })
  switch (code) {
    case 'ECONNREFUSED':
      return fail(
        `cannot reach PostgreSQL at ${where}: connection refused. Is the server running, and is the port right? ` +
          `(Supabase: the direct connection and the session pooler use 5432, the transaction pooler 6543.)`,
      )
    case 'ETIMEDOUT':
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return fail(`cannot reach PostgreSQL at ${where} (${code}): check the host and port, and that a firewall lets you through.`)
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail(`cannot resolve the host "${target.host}" (${code}): check the host name in the URL.`)
    case '28P01':
      return fail(
        `password authentication failed for user "${target.user}" at ${where}: check the password in the URL ` +
          `(percent-encode special characters; Supabase: Project Settings → Database to reset it).`,
      )
    case '28000':
      return fail(`the server at ${where} does not let "${target.user}" connect to "${target.database}" (${message}): check the user name and the server's pg_hba.conf.`)
    case '3D000':
      return fail(`database "${target.database}" does not exist at ${where}: create it (create database ${quoteIdent(target.database)}) or fix the database name at the end of the URL.`)
    case '53300':
      return fail(`the server at ${where} has no free connection slots (too many connections): close idle clients or use the pooler, then retry.`)
    case '57P03':
      return fail(`the server at ${where} is starting up or shutting down: wait a moment and retry.`)
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return fail(`the TLS certificate of ${where} was not accepted (${code}): give its CA with sslrootcert=PATH in the URL, or use sslmode=no-verify if you trust the network.`)
  }
  if (/timeout/i.test(message)) {
    return fail(`PostgreSQL at ${where} did not answer within ${timeoutSeconds} s: check the host and port (set PGCONNECT_TIMEOUT=SECONDS to wait longer).`)
  }
  if (/does not support SSL/i.test(message)) {
    return fail(`the server at ${where} does not support TLS: remove sslmode=… (or ssl=true) from the URL.`)
  }
  if (/client password must be a string/i.test(message)) {
    return fail(`the server at ${where} asks for a password and the URL has none: put it in the URL (${CONNECTION_STRING_EXAMPLE}).`)
  }
  if (/Connection terminated unexpectedly|ECONNRESET/i.test(message)) {
    return fail(`the server at ${where} closed the connection during start-up: is it PostgreSQL, and is the port right?`)
  }
  return error
}

/** The error's code: a SQLSTATE, a Node network code, or that of the first of an AggregateError's errors. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') return code
  const inner = (error as { errors?: unknown[] }).errors
  return Array.isArray(inner) && inner.length > 0 ? errorCode(inner[0]) : undefined
}

/** The URL with its password replaced, for messages. */
export function redact(value: string): string {
  return value.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@')
}

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`
}
