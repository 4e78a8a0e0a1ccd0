import type pg from 'pg'
import { pgrstError } from './errors.js'
import type { Identity } from './jwt.js'
import type { PostgrestVersion } from './version.js'

/** What PostgREST sets at the start of every request's transaction (Query/PreQuery.hs). */
export interface RequestContext {
  identity: Identity
  method: string
  /** The path as PostgREST sees it behind Supabase's gateway: without the /rest/v1 prefix. */
  path: string
  /** Lower-cased names, without Cookie. */
  headers: Record<string, string>
  cookies: Record<string, string>
  readOnly: boolean
  isolation: string
  /** The impersonated role's own settings, e.g. statement_timeout for anon. */
  roleSettings: [string, string][]
  /** `Prefer: timezone=...` */
  timezone?: string
  searchPath: string
  version: PostgrestVersion
}

/** The level comes from role or function settings; only the three SQL keywords reach the statement. */
function isolationSql(level: string): string {
  const l = level.toLowerCase()
  return l === 'serializable' ? 'SERIALIZABLE' : l === 'repeatable read' ? 'REPEATABLE READ' : 'READ COMMITTED'
}

/**
 * One transaction per request, as PostgREST's mainTx: BEGIN with the isolation level and access mode,
 * one statement of transaction-local set_config calls (every value bound), the work, then COMMIT, or
 * ROLLBACK when anything throws. Nothing is set at session level, so a pooled connection carries
 * nothing from one request into the next.
 */
export async function inRequestTransaction<T>(pool: pg.Pool, ctx: RequestContext, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient
  try {
    client = await pool.connect()
  } catch (error) {
    const details = error instanceof Error ? error.message : String(error)
    if (/timeout exceeded when trying to connect/i.test(details)) {
      throw pgrstError(504, 'PGRST003', 'Timed out acquiring connection from connection pool.')
    }
    // 14 dropped "Retrying the connection." from the message (Error.hs ConnectionUsageError).
    throw pgrstError(503, 'PGRST000', ctx.version === '14' ? 'Database connection error.' : 'Database connection error. Retrying the connection.', details)
  }
  const values: string[] = []
  const bind = (v: string) => `$${values.push(v)}`
  // The claims with "role" set to the role in effect (`{"role":"anon"}` without a token).
  const claims = { ...ctx.identity.claims, role: ctx.identity.role }
  const calls = [
    `set_config('search_path', ${bind(ctx.searchPath)}, true)`,
    // Role settings come before the role, as PostgREST orders them (GRANT SET works for the authenticator).
    ...ctx.roleSettings.map(([k, v]) => `set_config(${bind(k)}, ${bind(v)}, true)`),
    `set_config('role', ${bind(ctx.identity.role)}, true)`,
    `set_config('request.jwt.claims', ${bind(JSON.stringify(claims))}, true)`,
    `set_config('request.method', ${bind(ctx.method)}, true)`,
    `set_config('request.path', ${bind(ctx.path)}, true)`,
    `set_config('request.headers', ${bind(JSON.stringify(ctx.headers))}, true)`,
    `set_config('request.cookies', ${bind(JSON.stringify(ctx.cookies))}, true)`,
    ...(ctx.timezone === undefined ? [] : [`set_config('timezone', ${bind(ctx.timezone)}, true)`]),
  ]
  let broken = false
  try {
    await client.query(`BEGIN ISOLATION LEVEL ${isolationSql(ctx.isolation)} ${ctx.readOnly ? 'READ ONLY' : 'READ WRITE'}`)
    await client.query(`select ${calls.join(', ')}`, values)
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true
    })
    throw error
  } finally {
    // A connection that could not roll back is discarded, never handed to the next request.
    client.release(broken)
  }
}
