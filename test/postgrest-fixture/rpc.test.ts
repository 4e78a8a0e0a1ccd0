import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgrestServer, type PostgrestServer } from '../support/postgrest/server.js'
import { createUsers, mint } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'
import { signUserToken, testJwtSecret } from '../support/tokens.js'

const db = useTestDatabase()
let api: PostgrestServer
let a: string
let b: string
let tokenA: string

beforeAll(async () => {
  ;[a, b] = (await createUsers(db().admin, 2)) as [string, string]
  await mint(db().api, a, 'GEN', '100')
  tokenA = await signUserToken(a)
  // Functions of this file's own database copy, created before the fixture reads its schema cache.
  await db().admin.query(`
    create function public.fixture_add(a int, b int default 1) returns int language sql stable as $$ select a + b $$;
    create function public.fixture_pick(a int) returns text language sql stable as $$ select 'int' $$;
    create function public.fixture_pick(a text) returns text language sql stable as $$ select 'text' $$;
    create function public.fixture_series(n int) returns setof int language sql stable as $$ select generate_series(1, n) $$;
    create function public.fixture_raise(p_code text) returns void language plpgsql as $$
      begin raise exception using errcode = p_code, message = 'raised ' || p_code, detail = 'd', hint = 'h'; end $$;
    grant execute on function public.fixture_add(int, int), public.fixture_raise(text), public.fixture_series(int) to anon, authenticated;`)
  api = await createPostgrestServer({ databaseUrl: db().authenticatorUrl, jwtSecret: testJwtSecret })
})
afterAll(async () => {
  await api?.close()
})

/** `token: null` calls as anon (no Authorization header). */
async function rpc(fn: string, body: unknown, token: string | null = tokenA, init: RequestInit = {}) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', apikey: 'ignored-by-postgrest' }
  if (token) headers.Authorization = `Bearer ${token}`
  const res = await fetch(`${api.url}/rest/v1/rpc/${fn}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body), ...init })
  return { res, text: await res.text() }
}

const consentArgs = () => ({ p_user_id: a, p_interaction_type: 'terms_of_service', p_terms: ['v1', 'v2'] })

describe('POST /rpc/<fn>', () => {
  it('record_consent returns the new id as a bare JSON string', async () => {
    const { res, text } = await rpc('record_consent', consentArgs())
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(res.headers.get('content-range')).toBe('0-0/*')
    const id = JSON.parse(text) as string
    const { rows } = await db().admin.query('select user_id, terms from public.user_consent where id = $1', [id])
    expect(rows).toEqual([{ user_id: a, terms: ['v1', 'v2'] }])
  })

  it('transfer_tokens binds a JSON string to numeric and moves the amount', async () => {
    const { res, text } = await rpc('transfer_tokens', { p_from_user_id: a, p_to_user_id: b, p_token_type: 'GEN', p_amount: '10.5', p_idempotency_key: randomUUID() })
    expect(res.status).toBe(200)
    expect(JSON.parse(text)).toMatch(/^[0-9a-f-]{36}$/)
    const { rows } = await db().admin.query(`select balance::text from public.token_balances where user_id = $1 and token_type = 'GEN'`, [b])
    expect(rows).toEqual([{ balance: '10.500000000000000000' }])
  })

  it('a refused transfer is 400 with the function error as the body, and rolls back', async () => {
    const key = randomUUID()
    const { res, text } = await rpc('transfer_tokens', { p_from_user_id: a, p_to_user_id: b, p_token_type: 'GEN', p_amount: '1000', p_idempotency_key: key })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(res.headers.get('proxy-status')).toBe('PostgREST; error=VT006')
    expect(text).toBe(
      JSON.stringify({ code: 'VT006', details: 'available 89.5, requested 1000', hint: "the sender's balance of this token is lower than the amount", message: 'insufficient balance' }),
    )
    // The ledger row is inserted before the debit fails: the transaction's rollback removed it.
    const { rowCount } = await db().admin.query('select 1 from public.token_transactions where idempotency_key = $1', [key])
    expect(rowCount).toBe(0)
  })

  it('anon may not execute it: 42501 as 401 with WWW-Authenticate', async () => {
    const { res, text } = await rpc('record_consent', consentArgs(), null)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer')
    expect(JSON.parse(text)).toEqual({ code: '42501', details: null, hint: null, message: 'permission denied for function record_consent' })
  })

  it('another user is refused: 42501 as 403', async () => {
    const { res, text } = await rpc('record_consent', { ...consentArgs(), p_user_id: b })
    expect(res.status).toBe(403)
    expect(res.headers.get('www-authenticate')).toBeNull()
    expect(JSON.parse(text)).toMatchObject({ code: '42501', message: 'permission denied', details: 'p_user_id must be your own user id' })
  })

  it('an unknown function is PGRST202 (404) with PostgREST exact texts', async () => {
    const { res, text } = await rpc('no_such_function', { p_b: 1, p_a: 2 })
    expect(res.status).toBe(404)
    expect(text).toBe(
      JSON.stringify({
        code: 'PGRST202',
        details: 'Searched for the function public.no_such_function with parameters p_a, p_b or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.',
        hint: null,
        message: 'Could not find the function public.no_such_function(p_a, p_b) in the schema cache',
      }),
    )
    const none = JSON.parse((await rpc('no_such_function', {})).text) as { message: string }
    expect(none.message).toBe('Could not find the function public.no_such_function without parameters in the schema cache')
  })

  it('arguments must match the parameter names: a missing required one is PGRST202', async () => {
    const { res, text } = await rpc('record_consent', { p_terms: ['x'], p_user_id: a })
    expect(res.status).toBe(404)
    expect(JSON.parse(text)).toMatchObject({ code: 'PGRST202', message: 'Could not find the function public.record_consent(p_terms, p_user_id) in the schema cache' })
    expect((await rpc('fixture_add', { a: 1, c: 2 })).res.status).toBe(404)
  })

  it('a defaulted parameter may be left out', async () => {
    expect((await rpc('fixture_add', { a: 2 })).text).toBe('3')
    expect((await rpc('fixture_add', { a: 2, b: 5 })).text).toBe('7')
  })

  it('overloads that share argument names are ambiguous: PGRST203 (300)', async () => {
    const { res, text } = await rpc('fixture_pick', { a: 1 })
    expect(res.status).toBe(300)
    expect(JSON.parse(text)).toEqual({
      code: 'PGRST203',
      details: null,
      hint: 'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
      message: 'Could not choose the best candidate function between: public.fixture_pick(a => integer), public.fixture_pick(a => text)',
    })
  })

  it('a body that is not JSON is PGRST102', async () => {
    const { res, text } = await rpc('record_consent', '{"p_user_id": ')
    expect(res.status).toBe(400)
    expect(JSON.parse(text)).toEqual({ code: 'PGRST102', details: null, hint: null, message: 'Empty or invalid json' })
    const unsupported = await rpc('record_consent', 'x', tokenA, { headers: { 'Content-Type': 'application/xml', Authorization: `Bearer ${tokenA}` } })
    expect(JSON.parse(unsupported.text)).toMatchObject({ code: 'PGRST102', message: 'Content-Type not acceptable: application/xml' })
  })

  it('a void function answers 204 without a body or Content-Type', async () => {
    const id = JSON.parse((await rpc('record_consent', consentArgs())).text) as string
    const { res, text } = await rpc('update_consent_status', { p_consent_id: id, p_status: 'withdrawn' })
    expect(res.status).toBe(204)
    expect(text).toBe('')
    expect(res.headers.get('content-type')).toBeNull()
    expect(res.headers.get('content-range')).toBe('0-0/*')
  })
})

describe('a page of a function result with Prefer: count=exact', () => {
  const exact = { Prefer: 'count=exact' }

  it('counts the whole result, not the page: 206 with Content-Range 1-1/2', async () => {
    const post = await rpc('fixture_series?limit=1&offset=1', { n: 2 }, tokenA, { headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tokenA}`, ...exact } })
    expect([post.res.status, post.res.headers.get('content-range'), post.text]).toEqual([206, '1-1/2', '[2]'])
    const get = await fetch(`${api.url}/rest/v1/rpc/fixture_series?n=2`, { headers: { Range: '1-1', ...exact } })
    expect([get.status, get.headers.get('content-range'), await get.text()]).toEqual([206, '1-1/2', '[2]'])
  })

  it('the whole result in one page is 200 with its count', async () => {
    const res = await fetch(`${api.url}/rest/v1/rpc/fixture_series?n=3`, { headers: exact })
    expect([res.status, res.headers.get('content-range')]).toEqual([200, '0-2/3'])
  })

  it('an offset past the end is 416 with the full count', async () => {
    const res = await fetch(`${api.url}/rest/v1/rpc/fixture_series?n=15&offset=20`, { headers: exact })
    expect(res.status).toBe(416)
    expect(res.headers.get('content-range')).toBe('*/15')
    expect(await res.json()).toMatchObject({ code: 'PGRST103', details: 'An offset of 20 was requested, but there are only 15 rows.' })
  })
})

describe('GET /rpc/<fn>', () => {
  it('passes query parameters as arguments', async () => {
    const res = await fetch(`${api.url}/rest/v1/rpc/fixture_add?a=40&b=2`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('42')
  })

  it('runs READ ONLY, so a function that writes fails with 25006 as 405', async () => {
    const q = new URLSearchParams({ p_user_id: a, p_interaction_type: 'terms_of_service', p_terms: '{v1}' })
    const res = await fetch(`${api.url}/rest/v1/rpc/record_consent?${q}`, { headers: { Authorization: `Bearer ${tokenA}` } })
    expect(res.status).toBe(405)
    expect(await res.json()).toMatchObject({ code: '25006', message: 'cannot execute INSERT in a read-only transaction' })
  })

  it('other methods are PGRST101', async () => {
    const res = await fetch(`${api.url}/rest/v1/rpc/fixture_add`, { method: 'PATCH' })
    expect(res.status).toBe(405)
    expect(await res.json()).toMatchObject({ code: 'PGRST101', message: 'Cannot use the PATCH method on RPC' })
  })
})

describe('SQLSTATE to HTTP status', () => {
  it.each([
    ['P0001', 400],
    ['VT006', 400],
    ['22023', 400],
    ['23503', 409],
    ['23505', 409],
    ['40001', 500],
    ['40P01', 500],
    ['08006', 503],
    ['53300', 503],
    ['53400', 500],
    ['57P01', 503],
    ['P0002', 500],
    ['XX000', 500],
    ['PT402', 402],
  ])('%s is %i', async (code, status) => {
    const { res, text } = await rpc('fixture_raise', { p_code: code })
    expect(res.status).toBe(status)
    expect(res.headers.get('proxy-status')).toBe(`PostgREST; error=${code}`)
    expect(text).toBe(JSON.stringify({ code, details: 'd', hint: 'h', message: `raised ${code}` }))
  })

  it('PTxyz also sets the reason phrase to the message', async () => {
    const { res } = await rpc('fixture_raise', { p_code: 'PT402' })
    expect(res.statusText).toBe('raised PT402')
  })

  it('42501 raised by a function is 401 for anon and 403 for a signed-in user', async () => {
    const anonRes = await rpc('fixture_raise', { p_code: '42501' }, null)
    expect(anonRes.res.status).toBe(401)
    expect(anonRes.res.headers.get('www-authenticate')).toBe('Bearer')
    expect((await rpc('fixture_raise', { p_code: '42501' })).res.status).toBe(403)
  })
})
