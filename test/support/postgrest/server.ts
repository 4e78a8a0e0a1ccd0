/**
 * A TEST FIXTURE, not a product: a loopback HTTP server implementing, against the real PostgreSQL, the
 * documented subset of PostgREST that supabase-js's `.rpc()` and `.from().select()` use, so code built
 * on supabase-js can be tested over real HTTP with supabase-js unchanged. There is no PostgREST binary
 * on this machine. The database does the real work (roles, RLS, grants, functions, JSON); the fixture
 * parses requests, runs SQL in a transaction as the JWT's role and formats what comes back as the
 * chosen PostgREST release line (12.2, 13 or 14; see version.ts) does. Its fidelity is measured by
 * test/postgrest-parity/, cases written from PostgREST's source and spec, tagged by version.
 *
 * In scope: JWT auth; POST/GET/HEAD /rpc/<fn> (VARIADIC by name, RAISE SQLSTATE 'PGRST', the
 * response.status / response.headers settings, "Perhaps you meant" hints); GET/HEAD /<table> with
 * select (alias, cast), filters, not., or/and, order, limit/offset, Range, Prefer (count=exact,
 * handling, timezone, max-affected on calls), singular objects; PostgREST's errors.
 * Out of scope, answered 501 PGRST127: writes through /<table>, OPTIONS, the OpenAPI root, embedding,
 * JSON paths, full-text search, count=planned|estimated, non-JSON bodies, filtering a function's
 * result, calling a function through its single unnamed parameter, 12.2's params=single-object.
 * Not reproduced: db-pre-request, (any)/(all) quantifiers, Content-Location on reads.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { ApiError, errorResponse, notImplemented, pgrstError, toApiError } from './errors.js'
import { authenticate, type Identity } from './jwt.js'
import { parsePreferences, preferenceApplied } from './preferences.js'
import { decodeComponent, parseQueryParams } from './query-params.js'
import { requestedRange } from './range.js'
import { planRead } from './read.js'
import { wantsSingular, withResponseGucs, type Reply } from './reply.js'
import { argumentKeys, findRoutine, jsonArguments, planCall, type RpcArguments } from './rpc.js'
import { loadSchemaCache, type SchemaCache } from './schema-cache.js'
import { inRequestTransaction } from './transaction.js'
import type { PostgrestVersion } from './version.js'

export type { PostgrestVersion } from './version.js'

export interface PostgrestServerOptions {
  /** The login role PostgREST connects as (`authenticator`). */
  databaseUrl: string
  /** The project's HS256 JWT secret. */
  jwtSecret: string
  /** db-anon-role: the role of requests without a token. */
  anonRole?: string
  /** db-schemas (a single schema). */
  schema?: string
  /** Connections in the pool; 1 makes every request reuse the same session. */
  poolSize?: number
  /** The release line whose answers (error forms above all) the fixture gives; default '14'. */
  postgrestVersion?: PostgrestVersion
}

export interface PostgrestServer {
  /** e.g. http://127.0.0.1:PORT; the API is under /rest/v1/, as on Supabase. */
  url: string
  close(): Promise<void>
}

interface Config {
  pool: pg.Pool
  cache: SchemaCache
  key: Uint8Array
  anonRole: string
  version: PostgrestVersion
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

const header = (req: IncomingMessage, name: string) => [req.headers[name] ?? []].flat().join(', ') || undefined

/** Reads and plans one request in PostgREST's order (path, schema, method, query, range, body, plan), then runs it. */
async function respond({ pool, cache, version }: Config, req: IncomingMessage, identity: Identity): Promise<Reply> {
  const method = req.method ?? 'GET'
  const url = new URL(req.url ?? '/', 'http://fixture')
  // 12.2 answers a path it does not serve with an empty JSON object; 13 added PGRST125.
  const invalidPath = () =>
    version === '12.2' ? new ApiError(404, { code: '', details: null, hint: null, message: '' }, {}, undefined, '{}') : pgrstError(404, 'PGRST125', 'Invalid path specified in request URL')
  if (!/^\/rest\/v1(\/|$)/.test(url.pathname)) throw invalidPath()
  // What PostgREST sees behind Supabase's gateway, which strips /rest/v1.
  const path = url.pathname.slice('/rest/v1'.length) || '/'
  const segments = path.split('/').slice(1).map(decodeComponent)
  const isRpc = segments.length === 2 && segments[0] === 'rpc'
  if (segments.join() === '') throw notImplemented('The OpenAPI root endpoint')
  if (!isRpc && segments.length !== 1) throw invalidPath()
  const isRead = method === 'GET' || method === 'HEAD'

  const profile = header(req, isRead ? 'accept-profile' : 'content-profile')
  if (profile !== undefined && profile !== cache.schema) {
    throw version === '12.2'
      ? pgrstError(406, 'PGRST106', `The schema must be one of the following: ${cache.schema}`)
      : pgrstError(406, 'PGRST106', `Invalid schema: ${profile}`, null, `Only the following schemas are exposed: ${cache.schema}`)
  }
  if (method === 'OPTIONS' || (!isRpc && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method))) throw notImplemented(`${method} on ${path}`)
  if (isRpc && !isRead && method !== 'POST') throw pgrstError(405, 'PGRST101', `Cannot use the ${method} method on RPC`)
  if (!isRpc && !isRead) throw pgrstError(405, 'PGRST117', `Unsupported HTTP method: ${method}`)

  const query = parseQueryParams(url.search, isRpc && isRead)
  const prefs = parsePreferences(header(req, 'prefer'), version, cache.timezones)
  if (prefs.count !== undefined && prefs.count !== 'exact') throw notImplemented(`Prefer: count=${prefs.count}`)
  if (prefs.singleObject) throw notImplemented('Prefer: params=single-object')
  const strict = prefs.handling === 'strict'
  const shape = {
    singular: false,
    count: prefs.count !== undefined,
    // RFC 9110: only GET honours the Range header.
    range: requestedRange(query.limit, query.offset, method === 'GET' ? header(req, 'range') : undefined),
    head: method === 'HEAD',
    ...(profile === undefined ? {} : { profile }),
    ...(preferenceApplied(prefs, isRpc) === undefined ? {} : { preferenceApplied: preferenceApplied(prefs, isRpc)! }),
    ...(isRpc && strict && prefs.maxAffected !== undefined ? { maxAffected: prefs.maxAffected } : {}),
    version,
  }
  // After the plan and content negotiation, as Plan.hs checks them.
  const refuseInvalidPreferences = () => {
    if (strict && prefs.invalid.length > 0) {
      throw pgrstError(400, 'PGRST122', 'Invalid preferences given with handling=strict', `Invalid preferences: ${prefs.invalid.join(', ')}`)
    }
  }

  let plan: { run(client: pg.PoolClient): Promise<Reply> }
  let readOnly = isRead
  let isolation = cache.roleIsolation.get(identity.role) ?? 'read committed'
  if (isRpc) {
    let args: RpcArguments = { kind: 'query', args: query.args }
    if (!isRead) {
      const type = (header(req, 'content-type') ?? 'application/json').split(';')[0]!.trim().toLowerCase()
      if (['text/plain', 'text/xml', 'text/csv', 'application/octet-stream', 'application/x-www-form-urlencoded'].includes(type)) {
        throw notImplemented(`A ${type} request body`)
      }
      if (type !== 'application/json') throw pgrstError(400, 'PGRST102', `Content-Type not acceptable: ${type}`)
      args = jsonArguments(await readBody(req))
    }
    const routine = findRoutine(cache, segments[1]!, argumentKeys(args), !isRead, version)
    shape.singular = wantsSingular(header(req, 'accept'))
    refuseInvalidPreferences()
    if (version !== '12.2' && strict && prefs.maxAffected !== undefined && !routine.returns.startsWith('setof')) {
      throw pgrstError(400, 'PGRST128', 'Function must return SETOF or TABLE when max-affected preference is used with handling=strict')
    }
    // A POST to a STABLE or IMMUTABLE function is read-only too (Plan.hs txMode).
    readOnly ||= routine.volatility !== 'v'
    isolation = routine.isolation ?? isolation
    plan = planCall(cache, routine, args, query, shape)
  } else {
    shape.singular = wantsSingular(header(req, 'accept'))
    plan = planRead(cache, segments[0]!, query, shape)
    refuseInvalidPreferences()
  }

  // request.headers: lower-cased names, Cookie left out and parsed into request.cookies instead.
  const { cookie, ...rest } = req.headers
  const headers = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, [v ?? []].flat().join(', ')]))
  const cookies = Object.fromEntries(
    (cookie ?? '')
      .split(';')
      .filter((c) => c.includes('='))
      .map((c) => c.split(/=(.*)/s, 2).map((s) => s.trim())),
  )
  const roleSettings = cache.roleSettings.get(identity.role) ?? []
  const searchPath = `"${cache.schema}", "public"` // the schema + db-extra-search-path's default
  const ctx = { identity, method, path, headers, cookies, readOnly, isolation, roleSettings, searchPath, version, ...(prefs.timezone ? { timezone: prefs.timezone } : {}) }
  const reply = await inRequestTransaction(pool, ctx, (client) => plan.run(client))
  return withResponseGucs(reply)
}

async function handle(config: Config, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let identity: Identity | undefined
  let reply: Reply & { reason?: string }
  try {
    // PostgREST authenticates before it looks at anything else in the request.
    identity = authenticate(header(req, 'authorization'), config.key, config.anonRole, config.version)
    reply = await respond(config, req, identity)
  } catch (error) {
    // "authed" means the role in effect is not db-anon-role (App.hs).
    reply = errorResponse(toApiError(error, identity !== undefined && identity.role !== config.anonRole, config.version), config.version)
  }
  const body = reply.body === undefined || req.method === 'HEAD' ? undefined : Buffer.from(reply.body, 'utf8')
  if (body !== undefined) reply.headers['Content-Length'] = String(body.length)
  if (reply.reason === undefined) res.writeHead(reply.status, reply.headers)
  else res.writeHead(reply.status, reply.reason, reply.headers)
  res.end(body)
}

/** Starts the fixture on 127.0.0.1 (a free port); the schema cache is read once, now. */
export async function createPostgrestServer(options: PostgrestServerOptions): Promise<PostgrestServer> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10, connectionTimeoutMillis: 10_000 })
  pool.on('error', () => {}) // an idle connection the server dropped is replaced on the next request
  const cache = await loadSchemaCache(pool, options.schema ?? 'public').catch(async (error: unknown) => {
    await pool.end()
    throw new Error(`PostgREST fixture: could not read the schema cache: ${error instanceof Error ? error.message : String(error)}`)
  })
  const config: Config = {
    pool,
    cache,
    key: new TextEncoder().encode(options.jwtSecret),
    anonRole: options.anonRole ?? 'anon',
    version: options.postgrestVersion ?? '14',
  }
  const server = createServer((req, res) => {
    handle(config, req, res).catch((error: unknown) => res.destroy(error instanceof Error ? error : new Error(String(error))))
  })
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await pool.end()
    },
  }
}
