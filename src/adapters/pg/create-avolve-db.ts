import type { Kysely } from 'kysely'
import pg from 'pg'
import { NotAuthenticatedError } from '../../errors/avolve-error.js'
import { resolveRetryPolicy, type RetryPolicy } from '../../retry/backoff.js'
import type { UserClaims } from '../../schemas/auth.js'
import { CONNECTION_STRING_EXAMPLE, readConnectionUrl } from '../../values/connection-url.js'
import { serviceIdentity, type RequestIdentity } from './request-identity.js'
import { createServiceScope, createUserScope, type ServiceScope, type UserScope } from './scopes.js'
import { claimsOfUser, TokenVerifier, type JwtVerification, type VerifiedClaims } from './token-verifier.js'
import { poolSource, kyselySource, type ConnectionSource } from './connection-source.js'
import { RoleSettings } from './role-settings.js'
import { TransactionRunner } from './unit-of-work.js'

/**
 * A connection string, a `pg` Pool the app already has, or a Kysely instance over PostgreSQL.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { createAvolveDb, type AvolveConnection } from '@avolve/db/server'
 *
 * const connection: AvolveConnection = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * const db = createAvolveDb({ connection, jwt: { secret: process.env.SUPABASE_JWT_SECRET! } })
 * ```
 */
export type AvolveConnection = string | pg.Pool | Kysely<any>

/**
 * How {@link createAvolveDb} connects, verifies access tokens and retries.
 *
 * @example
 * ```ts
 * import { createAvolveDb, type AvolveDbOptions } from '@avolve/db/server'
 *
 * const options: AvolveDbOptions = {
 *   connection: process.env.DATABASE_URL!,
 *   jwt: { jwksUrl: 'https://<project>.supabase.co/auth/v1/.well-known/jwks.json' },
 *   pool: { max: 20 },
 *   retry: { maxAttempts: 3 },
 * }
 * const db = createAvolveDb(options)
 * ```
 */
export interface AvolveDbOptions {
  connection: AvolveConnection
  /** How `asUser(accessToken)` verifies tokens. Not needed when you pass verified claims. */
  jwt?: JwtVerification
  /**
   * Pool settings, when `connection` is a connection string (default: at most 10 connections, and
   * `pipeline: true`: a unit of work sends its statements in flights rather than one round trip
   * each, a transfer in one; set `pipeline: false` for a proxy that cannot take pipelined requests).
   */
  pool?: Omit<pg.PoolConfig, 'connectionString'>
  /** Retries of transient failures (default: 5 attempts, 25 ms to 1 s jittered backoff); false disables them. */
  retry?: Partial<RetryPolicy> | false
}

/**
 * The server SDK: scopes that run every call as one user (or the service role) under RLS. Made by
 * {@link createAvolveDb}; make one per process and share it.
 *
 * @example
 * ```ts
 * import { createAvolveDb, type AvolveDb } from '@avolve/db/server'
 *
 * export const db: AvolveDb = createAvolveDb({ connection: process.env.DATABASE_URL!, jwt: { secret: process.env.SUPABASE_JWT_SECRET! } })
 * ```
 */
export interface AvolveDb {
  /**
   * A scope for one end user, from their access token (verified first: signature, expiry, audience)
   * or from claims you have verified yourself. Either must carry `exp`: without one it would never
   * expire. Every call runs in a transaction as that user, so RLS and auth.uid() apply exactly as on
   * the frontend, and so do the `authenticated` role's settings (its statement_timeout).
   * @throws NotAuthenticatedError for a malformed, forged or expired token, or one without `exp`.
   * @example
   * ```ts
   * import { createAvolveDb } from '@avolve/db/server'
   *
   * const db = createAvolveDb({ connection: process.env.DATABASE_URL!, jwt: { secret: process.env.SUPABASE_JWT_SECRET! } })
   * const me = await db.asUser(request.headers.get('authorization')!.slice('Bearer '.length))
   * me.userId // the token's sub
   * await me.tokens.balance('GEN') // "69.5"
   * ```
   */
  asUser(auth: string | UserClaims): Promise<UserScope>
  /**
   * The service_role scope for back-office work: minting, any user's records, statistics.
   * @example
   * ```ts
   * import { createAvolveDb } from '@avolve/db/server'
   *
   * const db = createAvolveDb(process.env.DATABASE_URL!)
   * const row = await db.asService().tokens.mint({ to: userId, tokenType: 'GEN', amount: '100' })
   * // { kind: 'mint', to_user_id: userId, token_type: 'GEN', amount: '100', … }
   * ```
   */
  asService(): ServiceScope
  /**
   * Closes the pool this SDK created (a pool or Kysely instance you passed in stays open).
   * @example
   * ```ts
   * import { createAvolveDb } from '@avolve/db/server'
   *
   * const db = createAvolveDb(process.env.DATABASE_URL!)
   * process.on('SIGTERM', () => void db.destroy())
   * ```
   */
  destroy(): Promise<void>
}

function isKysely(value: unknown): value is Kysely<any> {
  const v = value as Kysely<any>
  return typeof v?.selectFrom === 'function' && typeof v?.connection === 'function' && typeof v?.withoutPlugins === 'function'
}

/**
 * A client whose backend dies while checked out also emits 'error' after the failed query has
 * already reported it; unheard, that event would crash the process. The query's own error is what
 * the SDK reports (and retries), so the event only needs a listener.
 */
function quietClients(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    client.on('error', () => {})
  })
}

function checkedConnectionString(url: string): string {
  const read = readConnectionUrl(url)
  if (read.ok) return url
  throw new TypeError(
    read.problem === 'not_a_url'
      ? `createAvolveDb: the connection string is not a URL; expected ${CONNECTION_STRING_EXAMPLE}`
      : `createAvolveDb: the connection string must start with postgres:// or postgresql:// (got ${read.protocol}//)`,
  )
}

/**
 * Creates the server SDK over a direct PostgreSQL connection (Supabase's pooler in transaction
 * mode works: nothing outlives a transaction and no named prepared statements are used).
 * @throws TypeError when the connection string is not a postgres:// or postgresql:// URL.
 * @example
 * ```ts
 * import { createAvolveDb } from '@avolve/db/server'
 *
 * const db = createAvolveDb({ connection: process.env.DATABASE_URL!, jwt: { secret: process.env.SUPABASE_JWT_SECRET! } })
 * const me = await db.asUser(accessToken)
 * const row = await me.tokens.transfer({ to: friendId, tokenType: 'GEN', amount: '5' })
 * // { id: '…', kind: 'transfer', from_user_id: me.userId, to_user_id: friendId, token_type: 'GEN', amount: '5', … }
 * ```
 */
export function createAvolveDb(options: AvolveDbOptions | AvolveConnection): AvolveDb {
  const opts: AvolveDbOptions = typeof options === 'string' || isKysely(options) || !('connection' in options) ? { connection: options as AvolveConnection } : options
  let ownedPool: pg.Pool | undefined
  let connections: ConnectionSource
  if (typeof opts.connection === 'string') {
    ownedPool = new pg.Pool({
      max: 10,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 10_000,
      application_name: '@avolve/db',
      pipeline: true,
      ...opts.pool,
      connectionString: checkedConnectionString(opts.connection),
    })
    // An idle client's connection can drop (server restart); the pool replaces it.
    ownedPool.on('error', () => {})
    quietClients(ownedPool)
    connections = poolSource(ownedPool)
  } else if (isKysely(opts.connection)) {
    // Plugins (CamelCasePlugin, ...) would rewrite the SDK's own queries and rows.
    connections = kyselySource(opts.connection.withoutPlugins())
  } else {
    quietClients(opts.connection)
    connections = poolSource(opts.connection)
  }
  const retry = resolveRetryPolicy(opts.retry)
  const verifier = opts.jwt ? new TokenVerifier(opts.jwt) : undefined
  // The API roles' own settings (statement_timeout, …), read on first use and applied per transaction.
  const roleSettings = new RoleSettings()
  const runner = (identity: RequestIdentity) => new TransactionRunner(connections, identity, retry, roleSettings)
  let destroyed = false

  return {
    async asUser(auth) {
      let claims: VerifiedClaims
      // The moment the scope stops: a token's exp plus the leeway it was verified with.
      let expiresAt: number
      if (typeof auth === 'string') {
        if (!verifier) {
          throw new NotAuthenticatedError({
            code: 'verification_not_configured',
            message: 'asUser(accessToken) needs createAvolveDb({ jwt: { secret } | { jwksUrl } }) to verify the token; or pass claims you verified',
          })
        }
        claims = await verifier.verify(auth)
        expiresAt = claims.exp + verifier.leewaySeconds
      } else {
        claims = claimsOfUser(auth)
        expiresAt = claims.exp
      }
      return createUserScope(runner({ role: 'authenticated', claims, userId: claims.sub, expiresAt }), claims)
    },
    asService() {
      return createServiceScope(runner(serviceIdentity()))
    },
    async destroy() {
      if (destroyed) return
      destroyed = true
      if (ownedPool) await ownedPool.end()
    },
  }
}
