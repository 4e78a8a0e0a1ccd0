import { afterAll } from 'vitest'
import { createAvolveDb, type AvolveDb, type AvolveDbOptions } from '../../src/server.js'
import { createUsers } from './requests.js'
import type { TestDatabase } from './test-database.js'
import { signUserToken, testJwtSecret } from './tokens.js'

/**
 * The server SDK on a test database, connected as the `authenticator` login role (as in production:
 * never a superuser), verifying tokens with the test JWT secret. Closed after the file's tests.
 */
export function useSdk(db: () => TestDatabase, options: Partial<AvolveDbOptions> | (() => Partial<AvolveDbOptions>) = {}): () => AvolveDb {
  let sdk: AvolveDb | undefined
  afterAll(async () => {
    await sdk?.destroy()
  })
  return () => {
    sdk ??= createAvolveDb({ connection: db().authenticatorUrl, jwt: { secret: testJwtSecret }, ...(typeof options === 'function' ? options() : options) })
    return sdk
  }
}

/** New users and a signed-in scope for each. */
export async function signedInUsers(db: TestDatabase, sdk: AvolveDb, count: number) {
  const ids = await createUsers(db.admin, count)
  return Promise.all(ids.map(async (id) => ({ id, scope: await sdk.asUser(await signUserToken(id)) })))
}
