import { afterAll, beforeAll } from 'vitest'
import { createAvolveClient } from '../../src/client.js'
import type { UserRepositories } from '../../src/index.js'
import type { AvolveDb } from '../../src/server.js'
import { createPostgrestServer, type PostgrestVersion } from '../support/postgrest/server.js'
import { createUsers } from '../support/requests.js'
import { useSdk } from '../support/sdk.js'
import { supabaseAs } from '../support/supabase-session.js'
import { useTestDatabase, type TestDatabase } from '../support/test-database.js'
import { signUserToken, testJwtSecret } from '../support/tokens.js'

export interface SignedInUser {
  id: string
  scope: UserRepositories
}

/** What the contract suite needs from an adapter, and the set-up it may do outside the adapter. */
export interface ContractEnv {
  readonly adapter: string
  db(): TestDatabase
  /** Back-office set-up (minting, pending records): always through the server SDK's service scope. */
  service(): ReturnType<AvolveDb['asService']>
  /** New users, each signed in through this adapter. */
  users(count: number): Promise<SignedInUser[]>
  /** A user signed in through this adapter with an access token that has expired. */
  withExpiredToken(id: string): Promise<UserRepositories>
}

/**
 * The server adapter, connected as `authenticator` straight to PostgreSQL or, with `via`, through
 * another endpoint in front of it (a transaction-mode pooler).
 */
export function serverEnv(via?: { label: string; connection: (db: TestDatabase) => string }): ContractEnv {
  const db = useTestDatabase()
  const service = useSdk(db)
  const sdk = via ? useSdk(db, () => ({ connection: via.connection(db()) })) : service
  return {
    adapter: via ? `server (Kysely) via ${via.label}` : 'server (Kysely)',
    db,
    service: () => service().asService(),
    async users(count) {
      const ids = await createUsers(db().admin, count)
      return Promise.all(ids.map(async (id) => ({ id, scope: await sdk().asUser(await signUserToken(id)) })))
    },
    async withExpiredToken(id) {
      // The server refuses the token as the scope is made; the contract sees that rejection.
      return sdk().asUser(await signUserToken(id, { expiresIn: -120 }))
    },
  }
}

/** The browser adapter through supabase-js over HTTP, against the PostgREST stand-in answering as `postgrestVersion`. */
export function clientEnv(postgrestVersion: PostgrestVersion = '14'): ContractEnv {
  const db = useTestDatabase()
  const sdk = useSdk(db)
  let api: { url: string; close(): Promise<void> }
  beforeAll(async () => {
    api = await createPostgrestServer({ databaseUrl: db().authenticatorUrl, jwtSecret: testJwtSecret, postgrestVersion })
  })
  afterAll(async () => {
    await api?.close()
  })
  const signIn = (id: string, token: string, sessionExpiresAt?: number) =>
    createAvolveClient(supabaseAs(api.url, { accessToken: token, userId: id, ...(sessionExpiresAt ? { sessionExpiresAt } : {}) }), {
      retry: { baseDelayMs: 5, maxDelayMs: 50 },
    })
  return {
    adapter: `client (supabase-js over HTTP, PostgREST ${postgrestVersion})`,
    db,
    service: () => sdk().asService(),
    async users(count) {
      const ids = await createUsers(db().admin, count)
      return Promise.all(ids.map(async (id) => ({ id, scope: signIn(id, await signUserToken(id)) })))
    },
    async withExpiredToken(id) {
      // The session still looks fresh to supabase-js; the API refuses the token inside it.
      return signIn(id, await signUserToken(id, { expiresIn: -120 }))
    },
  }
}
