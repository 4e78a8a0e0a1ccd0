import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgrestServer, type PostgrestServer } from '../support/postgrest/server.js'
import { asRequester, createUsers, mint, service } from '../support/requests.js'
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
  await mint(db().api, a, 'SAP', '2.5')
  await mint(db().api, b, 'GEN', '7')
  // Two mints in one transaction share created_at: keyset pagination must break the tie by id.
  await asRequester(db().api, service, async (c) => {
    for (const amount of ['1', '2']) {
      await c.query(`select public.mint_tokens($1, 'SCQ', $2::numeric, $3)`, [a, amount, randomUUID()])
    }
  })
  tokenA = await signUserToken(a)
  api = await createPostgrestServer({ databaseUrl: db().authenticatorUrl, jwtSecret: testJwtSecret })
})
afterAll(async () => {
  await api?.close()
})

async function get(path: string, headers: Record<string, string> = {}, token: string | null = tokenA, method = 'GET') {
  const res = await fetch(`${api.url}/rest/v1/${path}`, { method, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers } })
  const text = await res.text()
  return { res, text, json: () => JSON.parse(text) as unknown }
}

describe('select', () => {
  it('returns numeric as a JSON number and ::text as a string, as json_agg renders them', async () => {
    const { res, text } = await get(`token_balances?select=token_type,balance,as_text:balance::text&token_type=eq.GEN`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-range')).toBe('0-0/*')
    expect(text).toBe('[{"token_type":"GEN","balance":100.000000000000000000,"as_text":"100.000000000000000000"}]')
  })

  it('keeps the column name as the key of a cast, and renders timestamptz as PostgreSQL JSON does', async () => {
    const rows = (await get(`token_balances?select=balance::text,updated_at&token_type=eq.SAP`)).json() as { balance: string; updated_at: string }[]
    expect(rows).toHaveLength(1)
    expect(rows[0]!.balance).toBe('2.500000000000000000')
    expect(rows[0]!.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/)
  })

  it('* selects every column', async () => {
    const rows = (await get(`token_balances?token_type=eq.GEN`)).json() as Record<string, unknown>[]
    expect(Object.keys(rows[0]!).sort()).toEqual(['available', 'balance', 'held', 'id', 'token_type', 'updated_at', 'user_id', 'version'])
  })

  it('an unknown column is PostgreSQL 42703 (400), with its own hint', async () => {
    const nope = await get('token_balances?select=nope')
    expect(nope.res.status).toBe(400)
    expect(nope.json()).toEqual({ code: '42703', details: null, hint: null, message: 'column token_balances.nope does not exist' })
    expect((await get('token_balances?balanc=eq.1')).json()).toEqual({
      code: '42703',
      details: null,
      hint: 'Perhaps you meant to reference the column "token_balances.balance".',
      message: 'column token_balances.balanc does not exist',
    })
  })

  it('an unknown type in a cast is 42704 (400)', async () => {
    const { res, json } = await get('token_balances?select=balance::nosuchtype')
    expect(res.status).toBe(400)
    expect(json()).toMatchObject({ code: '42704', message: 'type "nosuchtype" does not exist' })
  })

  it('an unknown table is PGRST205 (404)', async () => {
    const { res, json } = await get('no_such_table')
    expect(res.status).toBe(404)
    expect(json()).toEqual({ code: 'PGRST205', details: null, hint: null, message: "Could not find the table 'public.no_such_table' in the schema cache" })
  })
})

describe('filters', () => {
  const types = async (query: string) => ((await get(`token_balances?select=token_type&order=token_type&${query}`)).json() as { token_type: string }[]).map((r) => r.token_type)

  it.each([
    ['token_type=eq.GEN', ['GEN']],
    ['token_type=neq.GEN', ['SAP', 'SCQ']],
    ['balance=gt.2.5', ['GEN', 'SCQ']],
    ['balance=gte.2.5', ['GEN', 'SAP', 'SCQ']],
    ['balance=lt.3', ['SAP']],
    ['balance=lte.3', ['SAP', 'SCQ']],
    ['token_type=in.(GEN,"S,A,P",SAP)', ['GEN', 'SAP']],
    ['token_type=not.in.(GEN,SAP)', ['SCQ']],
    ['token_type=like.S*', ['SAP', 'SCQ']],
    ['token_type=isdistinct.GEN', ['SAP', 'SCQ']],
    ['user_id=is.null', []],
    ['user_id=not.is.null&token_type=eq.GEN', ['GEN']],
    ['or=(token_type.eq.GEN,balance.lt.3)', ['GEN', 'SAP']],
    ['or=(token_type.eq.GEN,and(balance.gt.2,token_type.not.eq.SCQ))', ['GEN', 'SAP']],
    ['not.and=(balance.gt.2,balance.lt.4)', ['GEN']],
  ])('%s', async (query, expected) => {
    expect(await types(query)).toEqual(expected)
  })

  it('a filter value is everything after the operator, dots and colons included', async () => {
    const since = encodeURIComponent('2000-01-01T00:00:00.5+00:00')
    expect(await types(`updated_at=gt.${since}&token_type=eq.GEN`)).toEqual(['GEN'])
  })

  it('an unknown operator is PGRST100 with the parse position', async () => {
    const { res, json } = await get('token_balances?token_type=noop.0')
    expect(res.status).toBe(400)
    expect(json()).toMatchObject({ code: 'PGRST100', message: '"failed to parse filter (noop.0)" (line 1, column 1)' })
  })

  it('a malformed logic tree is PGRST100', async () => {
    const r = await get('token_balances?or=(token_type.eq.GEN,not.token_type.eq.SCQ)')
    expect(r.res.status).toBe(400)
    expect(r.json()).toMatchObject({ code: 'PGRST100' })
  })

  it('a bad value is the database error (22P02, 400)', async () => {
    const { res, json } = await get('token_balances?balance=eq.abc')
    expect(res.status).toBe(400)
    expect(json()).toMatchObject({ code: '22P02', message: 'invalid input syntax for type numeric: "abc"' })
  })
})

describe('keyset pagination over token_transactions', () => {
  type Tx = { id: string; created_at: string }
  const page = async (query: string) => (await get(`token_transactions?select=id,created_at&order=created_at.desc,id.desc&limit=2${query}`)).json() as Tx[]

  it('walks every row exactly once with or=(created_at.lt.X,and(created_at.eq.X,id.lt.Y))', async () => {
    const { rows: truth } = await db().admin.query<{ id: string }>('select id from public.token_transactions where to_user_id = $1 or from_user_id = $1 order by created_at desc, id desc', [a])
    expect(truth.length).toBe(4)
    const seen: string[] = []
    let rows = await page('')
    while (rows.length > 0) {
      seen.push(...rows.map((r) => r.id))
      const last = rows.at(-1)!
      // The timestamp holds ':', '.' and '+': URLSearchParams encodes '+' so it does not become a space.
      const keyset = new URLSearchParams({ or: `(created_at.lt.${last.created_at},and(created_at.eq.${last.created_at},id.lt.${last.id}))` })
      rows = await page(`&${keyset}`)
    }
    expect(seen).toEqual(truth.map((r) => r.id))
  })

  it('accepts double-quoted values inside or=()', async () => {
    const [first] = await page('')
    const keyset = new URLSearchParams({ or: `(created_at.lt."${first!.created_at}",and(created_at.eq."${first!.created_at}",id.lt."${first!.id}"))` })
    const rows = await page(`&${keyset}`)
    expect(rows.map((r) => r.id)).not.toContain(first!.id)
    expect(rows).toHaveLength(2)
  })

  it('orders with nullsfirst / nullslast', async () => {
    const ids = async (o: string) => ((await get(`token_transactions?select=from_user_id&order=${o}`)).json() as { from_user_id: string | null }[]).map((r) => r.from_user_id)
    expect(await ids('from_user_id.asc.nullsfirst')).toEqual([null, null, null, null])
    expect((await get('token_transactions?order=created_at.sideways')).json()).toMatchObject({ code: 'PGRST100' })
  })
})

describe('ranges and counts', () => {
  const path = 'token_balances?select=token_type&order=token_type'

  it('limit and offset', async () => {
    const { res, json } = await get(`${path}&limit=1&offset=1`)
    expect(json()).toEqual([{ token_type: 'SAP' }])
    expect(res.headers.get('content-range')).toBe('1-1/*')
  })

  it('the Range header, with count=exact a 206 Partial Content', async () => {
    const r = await get(path, { 'Range-Unit': 'items', Range: '0-1', Prefer: 'count=exact' })
    expect(r.res.status).toBe(206)
    expect(r.res.headers.get('content-range')).toBe('0-1/3')
    expect(r.res.headers.get('preference-applied')).toBe('count=exact')
    expect(r.json()).toEqual([{ token_type: 'GEN' }, { token_type: 'SAP' }])
  })

  it('count=exact over the whole result is 200 with the total', async () => {
    const r = await get(path, { Prefer: 'count=exact' })
    expect(r.res.status).toBe(200)
    expect(r.res.headers.get('content-range')).toBe('0-2/3')
    const none = await get(`${path}&token_type=eq.XXX`, { Prefer: 'count=exact' })
    expect(none.res.headers.get('content-range')).toBe('*/0')
  })

  it('HEAD answers the headers only', async () => {
    const r = await get(path, { Prefer: 'count=exact' }, tokenA, 'HEAD')
    expect(r.res.status).toBe(200)
    expect(r.text).toBe('')
    expect(r.res.headers.get('content-range')).toBe('0-2/3')
  })

  it('limit=0 is an empty page', async () => {
    expect((await get(`${path}&limit=0`)).json()).toEqual([])
  })

  it.each([
    [`${path}&limit=-1`, {}, 'Limit should be greater than or equal to zero.'],
    [path, { Range: '3-1' }, 'The lower boundary must be lower than or equal to the upper boundary in the Range header.'],
    [`${path}&offset=10`, { Prefer: 'count=exact' }, 'An offset of 10 was requested, but there are only 3 rows.'],
  ])('%s %o is PGRST103 (416)', async (p, headers, details) => {
    const r = await get(p, headers)
    expect(r.res.status).toBe(416)
    expect(r.json()).toEqual({ code: 'PGRST103', details, hint: null, message: 'Requested range not satisfiable' })
  })
})

describe('singular responses', () => {
  const object = { Accept: 'application/vnd.pgrst.object+json' }

  it('one row is an object', async () => {
    const r = await get('token_balances?select=token_type&token_type=eq.GEN', object)
    expect(r.res.headers.get('content-type')).toBe('application/vnd.pgrst.object+json; charset=utf-8')
    expect(r.json()).toEqual({ token_type: 'GEN' })
  })

  it.each([
    ['token_type=eq.XXX', 0],
    ['token_type=neq.GEN', 2],
  ])('%s is PGRST116 (406)', async (filter, n) => {
    const r = await get(`token_balances?select=token_type&${filter}`, object)
    expect(r.res.status).toBe(406)
    expect(r.json()).toEqual({ code: 'PGRST116', details: `The result contains ${n} rows`, hint: null, message: 'Cannot coerce the result to a single JSON object' })
  })

  it('an unavailable media type is PGRST107', async () => {
    const r = await get('token_balances', { Accept: 'text/csv' })
    expect(r.res.status).toBe(406)
    expect(r.json()).toMatchObject({ code: 'PGRST107', message: 'None of these media types are available: text/csv' })
  })
})

describe('row level security and grants apply', () => {
  it("a user sees only their own rows, even when filtering for another user's", async () => {
    expect((await get(`token_balances?user_id=eq.${b}`)).json()).toEqual([])
    const users = new Set(((await get('token_balances?select=user_id')).json() as { user_id: string }[]).map((r) => r.user_id))
    expect(users).toEqual(new Set([a]))
  })

  it('service_role reads every row', async () => {
    const token = await signUserToken(a, { role: 'service_role' })
    const users = new Set(((await get('token_balances?select=user_id', {}, token)).json() as { user_id: string }[]).map((r) => r.user_id))
    expect(users).toEqual(new Set([a, b]))
  })

  it('anon has no grant: 42501 as 401 with WWW-Authenticate', async () => {
    const r = await get('token_balances', { apikey: 'anything' }, null)
    expect(r.res.status).toBe(401)
    expect(r.res.headers.get('www-authenticate')).toBe('Bearer')
    expect(r.json()).toEqual({ code: '42501', details: null, hint: null, message: 'permission denied for table token_balances' })
  })
})

describe('out of scope', () => {
  it.each([
    ['GET', 'token_balances?select=token_type,token_types(name)'],
    ['POST', 'token_balances'],
    ['GET', ''],
  ])('%s /%s is 501 PGRST127', async (method, p) => {
    const r = await get(p, {}, tokenA, method)
    expect(r.res.status).toBe(501)
    expect(r.json()).toMatchObject({ code: 'PGRST127', message: 'Feature not implemented' })
  })

  it('another schema is PGRST106', async () => {
    const r = await get('token_balances', { 'Accept-Profile': 'private' })
    expect(r.res.status).toBe(406)
    expect(r.json()).toEqual({ code: 'PGRST106', details: null, hint: 'Only the following schemas are exposed: public', message: 'Invalid schema: private' })
  })
})
