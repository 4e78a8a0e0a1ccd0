import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, inject } from 'vitest'

/** A database of its own for one test file: a copy of the migrated template. */
export interface TestDatabase {
  readonly name: string
  /** Superuser connection string: set-up and assertions only, never the code under test. */
  readonly adminUrl: string
  /** The `authenticator` login role (as PostgREST connects): what the SDK under test uses. */
  readonly authenticatorUrl: string
  /** A superuser pool on this database. */
  readonly admin: pg.Pool
  /** A pool logged in as `authenticator`, for requests made the way PostgREST makes them. */
  readonly api: pg.Pool
}

function withDatabase(url: string, database: string, user?: { name: string; password: string }): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  if (user) {
    u.username = user.name
    u.password = user.password
  }
  return u.toString()
}

/**
 * A database of its own: a copy of the migrated template, or with `{ empty: true }` a database with
 * nothing in it (not even the Supabase base), for tests of the migrations themselves.
 */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase & { drop(): Promise<void> }> {
  const { serverUrl, template: migrated, authenticatorPassword } = inject('database')
  const template = options.empty ? 'template0' : migrated
  const name = `test_${randomBytes(6).toString('hex')}`
  const root = new pg.Client({ connectionString: serverUrl })
  await root.connect()
  try {
    await root.query(`create database ${name} template ${template}`)
  } finally {
    await root.end()
  }
  const adminUrl = withDatabase(serverUrl, name)
  const authenticatorUrl = withDatabase(serverUrl, name, { name: 'authenticator', password: authenticatorPassword })
  const admin = new pg.Pool({ connectionString: adminUrl, max: 4 })
  const api = new pg.Pool({ connectionString: authenticatorUrl, max: 20 })
  admin.on('error', () => {})
  api.on('error', () => {})
  return {
    name,
    adminUrl,
    authenticatorUrl,
    admin,
    api,
    async drop() {
      await Promise.all([admin.end(), api.end()])
      const c = new pg.Client({ connectionString: serverUrl })
      await c.connect()
      try {
        await c.query(`drop database if exists ${name} with (force)`)
      } finally {
        await c.end()
      }
    },
  }
}

/** Registers a fresh database for the current test file; the getter is valid inside tests. */
export function useTestDatabase(): () => TestDatabase {
  let db: (TestDatabase & { drop(): Promise<void> }) | undefined
  beforeAll(async () => {
    db = await createTestDatabase()
  })
  afterAll(async () => {
    await db?.drop()
  })
  return () => {
    if (!db) throw new Error('useTestDatabase(): the database exists only inside tests and hooks')
    return db
  }
}
