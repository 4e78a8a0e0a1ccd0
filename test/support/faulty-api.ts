import { afterAll, beforeAll } from 'vitest'
import { createAvolveDb, type AvolveDb } from '../../src/server.js'
import { FaultyProxy } from './faulty-proxy.js'
import { createPostgrestServer, type PostgrestServer } from './postgrest/server.js'
import type { TestDatabase } from './test-database.js'
import { testJwtSecret } from './tokens.js'

export interface FaultyApi {
  /** The PostgREST fixture on the test database. */
  api: PostgrestServer
  /** A proxy in front of it that injects network faults; point supabase-js at `proxy.url`. */
  proxy: FaultyProxy
  /** The server SDK on the same database, for set-up (minting) outside the faulty path. */
  server: AvolveDb
}

/** For a test file: the PostgREST fixture behind a FaultyProxy, and a server SDK, closed afterwards. */
export function useFaultyApi(db: () => TestDatabase): () => FaultyApi {
  let parts: FaultyApi | undefined
  beforeAll(async () => {
    const api = await createPostgrestServer({ databaseUrl: db().authenticatorUrl, jwtSecret: testJwtSecret })
    parts = { api, proxy: await new FaultyProxy(api.url).start(), server: createAvolveDb({ connection: db().authenticatorUrl, jwt: { secret: testJwtSecret } }) }
  })
  afterAll(async () => {
    await parts?.server.destroy()
    await parts?.proxy.close()
    await parts?.api.close()
  })
  return () => {
    if (!parts) throw new Error('useFaultyApi(): available inside tests only')
    return parts
  }
}
