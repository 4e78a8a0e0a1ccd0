import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgrestServer, type PostgrestServer } from '../support/postgrest/server.js'
import { createUsers } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'
import { signUserToken, testJwtSecret } from '../support/tokens.js'

const db = useTestDatabase()
/** One pooled connection, so every request below reuses the same PostgreSQL session. */
let api: PostgrestServer
let a: string

interface Settings {
  role: string
  claims: Record<string, unknown> | null
  method: string
  path: string
  headers: Record<string, string>
  statement_timeout: string
  read_only: string
  isolation: string
  search_path: string
  pid: number
}

beforeAll(async () => {
  ;[a] = (await createUsers(db().admin, 1)) as [string]
  const body = `select json_build_object(
      'role', current_user, 'claims', nullif(current_setting('request.jwt.claims', true), '')::json,
      'method', current_setting('request.method', true), 'path', current_setting('request.path', true),
      'headers', nullif(current_setting('request.headers', true), '')::json,
      'statement_timeout', current_setting('statement_timeout'), 'read_only', current_setting('transaction_read_only'),
      'isolation', current_setting('transaction_isolation'), 'search_path', current_setting('search_path'), 'pid', pg_backend_pid())`
  await db().admin.query(`
    create function public.fixture_settings() returns json language sql stable as $$ ${body} $$;
    create function public.fixture_settings_volatile() returns json language sql volatile as $$ ${body} $$;
    grant execute on function public.fixture_settings(), public.fixture_settings_volatile() to anon, authenticated;`)
  api = await createPostgrestServer({ databaseUrl: db().authenticatorUrl, jwtSecret: testJwtSecret, poolSize: 1 })
})
afterAll(async () => {
  await api?.close()
})

async function call(fn: string, init: { token?: string | null; method?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers }
  if (init.token) headers.Authorization = `Bearer ${init.token}`
  const method = init.method ?? 'POST'
  if (method === 'POST') headers['Content-Type'] = 'application/json'
  const res = await fetch(`${api.url}/rest/v1/rpc/${fn}`, { method, headers, ...(method === 'POST' ? { body: '{}' } : {}) })
  const text = await res.text()
  return { res, text, json: () => JSON.parse(text) as Record<string, unknown> }
}

describe('JWT verification', () => {
  const invalid = (message: string) => `Bearer error="invalid_token", error_description="${message}"`

  it('an expired token is PGRST303 (401) with the invalid_token challenge', async () => {
    const r = await call('fixture_settings', { token: await signUserToken(a, { expiresIn: -3600 }) })
    expect(r.res.status).toBe(401)
    expect(r.res.headers.get('www-authenticate')).toBe(invalid('JWT expired'))
    expect(r.json()).toEqual({ code: 'PGRST303', details: null, hint: null, message: 'JWT expired' })
  })

  it('allows 30 seconds of clock skew', async () => {
    expect((await call('fixture_settings', { token: await signUserToken(a, { expiresIn: -10 }) })).res.status).toBe(200)
  })

  // PostgREST's wording is not asserted here (test/postgrest-parity pins it per version): code, status, challenge.
  it('a token signed with another secret is PGRST301 with the invalid_token challenge', async () => {
    const r = await call('fixture_settings', { token: await signUserToken(a, { secret: 'some-other-secret-that-is-long-enough!!' }) })
    expect(r.res.status).toBe(401)
    expect(r.res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", error_description="/)
    expect(r.json()).toMatchObject({ code: 'PGRST301', hint: null })
  })

  it.each([
    ['Bearer', 'Empty JWT is sent in Authorization header'],
    ['Bearer not-a-jwt', 'Expected 3 parts in JWT; got 1'],
  ])('Authorization: %s is PGRST301: %s', async (authorization, message) => {
    const r = await call('fixture_settings', { headers: { Authorization: authorization } })
    expect(r.res.status).toBe(401)
    expect(r.json()).toMatchObject({ code: 'PGRST301', message })
  })

  it('a role that does not exist is 401 (22023), as PostgREST maps it', async () => {
    const r = await call('fixture_settings', { token: await signUserToken(a, { role: 'nobody' }) })
    expect(r.res.status).toBe(401)
    expect(r.res.headers.get('www-authenticate')).toBe('Bearer')
    expect(r.json()).toEqual({ code: '22023', details: null, hint: null, message: 'role "nobody" does not exist' })
  })

  it('a role the authenticator may not become is refused by the database (42501, 403)', async () => {
    const r = await call('fixture_settings', { token: await signUserToken(a, { role: 'postgres' }) })
    expect(r.res.status).toBe(403)
    expect(r.json()).toMatchObject({ code: '42501', message: 'permission denied to set role "postgres"' })
  })

  it('the apikey header is ignored: without Authorization the request is anon', async () => {
    const settings = (await call('fixture_settings', { headers: { apikey: 'garbage' } })).json() as unknown as Settings
    expect(settings.role).toBe('anon')
  })
})

describe('the per-request transaction', () => {
  it('runs as the JWT role with its claims, the role settings and the request variables', async () => {
    const token = await signUserToken(a)
    const s = (await call('fixture_settings', { token, headers: { 'X-Fixture': 'one' } })).json() as unknown as Settings
    expect(s).toMatchObject({
      role: 'authenticated',
      method: 'POST',
      path: '/rpc/fixture_settings',
      statement_timeout: '8s',
      isolation: 'read committed',
      search_path: '"public", "public"',
      // A POST to a STABLE function is read-only.
      read_only: 'on',
    })
    expect(s.claims).toMatchObject({ sub: a, role: 'authenticated', aud: 'authenticated' })
    expect(s.headers['x-fixture']).toBe('one')
    expect(s.headers.authorization).toBe(`Bearer ${token}`)
  })

  it('a POST to a volatile function is READ WRITE; a GET is READ ONLY', async () => {
    expect(((await call('fixture_settings_volatile')).json() as unknown as Settings).read_only).toBe('off')
    expect(((await call('fixture_settings_volatile', { method: 'GET' })).json() as unknown as Settings).read_only).toBe('on')
  })

  it('nothing leaks into the next request on the same connection', async () => {
    const first = (await call('fixture_settings', { token: await signUserToken(a), headers: { 'X-Fixture': 'one' } })).json() as unknown as Settings
    const second = (await call('fixture_settings', { method: 'GET' })).json() as unknown as Settings
    expect(second.pid).toBe(first.pid)
    expect(second).toMatchObject({ role: 'anon', method: 'GET', statement_timeout: '3s', claims: { role: 'anon' } })
    expect(second.headers['x-fixture']).toBeUndefined()
    // Between requests the session is idle, not in a transaction, and back to the login role.
    const { rows } = await db().admin.query('select state, usename from pg_stat_activity where pid = $1', [first.pid])
    expect(rows).toEqual([{ state: 'idle', usename: 'authenticator' }])
  })

  it('binds request values: a quote in a header arrives verbatim', async () => {
    const tricky = `x', true); select pg_sleep(5); --`
    const s = (await call('fixture_settings', { headers: { 'X-Fixture': tricky } })).json() as unknown as Settings
    expect(s.headers['x-fixture']).toBe(tricky)
  })

  it('a database that refuses connections is PGRST000 (503)', async () => {
    const fixture = await createPostgrestServer({ databaseUrl: db().authenticatorUrl, jwtSecret: testJwtSecret, poolSize: 1 })
    const { pid } = (await (await fetch(`${fixture.url}/rest/v1/rpc/fixture_settings`)).json()) as Settings
    try {
      // CONNECT is per database, so this refuses new connections to this file's copy only.
      await db().admin.query(`revoke connect on database ${db().name} from public`)
      await db().admin.query('select pg_terminate_backend($1)', [pid])
      await new Promise((r) => setTimeout(r, 200)) // let the pool notice its connection is gone
      const res = await fetch(`${fixture.url}/rest/v1/rpc/fixture_settings`)
      expect(res.status).toBe(503)
      expect(await res.json()).toMatchObject({ code: 'PGRST000', hint: null, message: 'Database connection error.' })
    } finally {
      await db().admin.query(`grant connect on database ${db().name} to public`)
      await fixture.close()
    }
  })
})
