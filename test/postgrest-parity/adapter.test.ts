import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mapPostgrestError } from '../../src/adapters/supabase/map-error.js'
import { SupabaseDataPort } from '../../src/adapters/supabase/data-port.js'
import { createAvolveClient, NotAuthenticatedError, UnexpectedError, type AvolveError } from '../../src/client.js'
import type { RpcName } from '../../src/generated/rpc.js'
import { expectAvolveError } from '../support/expect-error.js'
import { createPostgrestServer, type PostgrestServer } from '../support/postgrest/server.js'
import { postgrestVersions, type PostgrestVersion } from '../support/postgrest/version.js'
import { createUsers } from '../support/requests.js'
import { supabaseAs } from '../support/supabase-session.js'
import { useTestDatabase } from '../support/test-database.js'
import { testJwtSecret } from '../support/tokens.js'
import { hs256, parityTokens, type ParityTokens } from './tokens.js'

/**
 * The browser adapter against each PostgREST version's error forms (README, "Supported PostgREST
 * versions"): what the SDK throws is decided by code and status, the same in 12.2, 13 and 14. No
 * assertion here reads PostgREST's wording.
 */
const db = useTestDatabase()
const servers = new Map<PostgrestVersion, PostgrestServer>()
let user: string
let tokens: ParityTokens

beforeAll(async () => {
  ;[user] = (await createUsers(db().admin, 1)) as [string]
  tokens = parityTokens(user)
  await db().admin.query(`
    create function public.parity_pick(a int) returns text language sql stable as $$ select 'int' $$;
    create function public.parity_pick(a text) returns text language sql stable as $$ select 'text' $$;
    grant execute on function public.parity_pick(int), public.parity_pick(text) to authenticated;`)
  for (const version of postgrestVersions) {
    servers.set(version, await createPostgrestServer({ databaseUrl: db().authenticatorUrl, jwtSecret: testJwtSecret, postgrestVersion: version }))
  }
})
afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.close()))
})

const session = (version: PostgrestVersion, accessToken: string) => supabaseAs(servers.get(version)!.url, { accessToken, userId: user })
const client = (version: PostgrestVersion, accessToken: string) => createAvolveClient(session(version, accessToken), { retry: false })

/** Every token form, and what the SDK makes of it in every version. */
const tokenForms: [keyof ParityTokens, string][] = [
  ['expired', 'token_expired'],
  ['wrongSecret', 'invalid_token'],
  ['twoParts', 'invalid_token'],
  ['randomCharacters', 'invalid_token'],
  ['algNone', 'invalid_token'],
  ['rs256', 'invalid_token'],
  ['notYetValid', 'invalid_token'],
  ['issuedInFuture', 'invalid_token'],
  ['expNotANumber', 'invalid_token'],
  ['audNotAString', 'invalid_token'],
  ['claimsNotAnObject', 'invalid_token'],
  ['unknownRole', 'invalid_token'],
]

describe.each(postgrestVersions)('the browser adapter against PostgREST %s', (version) => {
  it.each(tokenForms)('token form %s: NotAuthenticatedError %s, on reads and on calls', async (form, code) => {
    const avolve = client(version, tokens[form])
    const read = await expectAvolveError(avolve.tokens.balances(), NotAuthenticatedError, code)
    expect(read.status).toBeGreaterThanOrEqual(400)
    await expectAvolveError(avolve.consent.record('terms_of_service', ['parity-terms']), NotAuthenticatedError, code)
  })

  it('the anon key as the bearer token: not_authenticated (42501 as 401)', async () => {
    const anonKey = hs256({ role: 'anon', iss: 'supabase', exp: Math.floor(Date.now() / 1000) + 3600 })
    const error = await expectAvolveError(client(version, anonKey).tokens.balances(), NotAuthenticatedError, 'not_authenticated')
    expect([error.status, error.sqlstate]).toEqual([401, '42501'])
  })

  it('a valid token reads (the forms above are the token, not the request)', async () => {
    await expect(client(version, tokens.valid).tokens.balances()).resolves.toEqual([])
  })

  describe('a database older than the SDK: schema_mismatch', () => {
    const mapped = async (request: (s: SupabaseClient) => PromiseLike<{ error: unknown; status: number }>): Promise<AvolveError> => {
      const { error, status } = await request(session(version, tokens.valid) as unknown as SupabaseClient)
      expect(error).not.toBeNull()
      return mapPostgrestError(error as never, status)
    }

    it('a function the API does not have (PGRST202)', async () => {
      const port = new SupabaseDataPort(session(version, tokens.valid), user, 5000)
      await expectAvolveError(port.call('parity_missing' as RpcName, {} as never), UnexpectedError, 'schema_mismatch')
    })

    it('overloads the API cannot choose between (PGRST203)', async () => {
      const error = await mapped((s) => s.rpc('parity_pick', { a: 1 }))
      expect([error, error.code, error.status]).toEqual([expect.any(UnexpectedError), 'schema_mismatch', 300])
    })

    it('a table the API does not have (12.2: 42P01, 13+: PGRST205)', async () => {
      const error = await mapped((s) => s.from('parity_nosuch').select('*'))
      expect([error, error.code, error.status]).toEqual([expect.any(UnexpectedError), 'schema_mismatch', 404])
    })
  })
})
