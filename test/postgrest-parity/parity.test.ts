import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgrestServer, type PostgrestServer } from '../support/postgrest/server.js'
import { postgrestVersions, type PostgrestVersion } from '../support/postgrest/version.js'
import { createUsers, mint } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'
import { testJwtSecret } from '../support/tokens.js'
import { parityCases, type ParityCase } from './cases.js'
import { paritySql } from './fixture.sql.js'
import { parityTokens, type ParityTokens } from './tokens.js'

/**
 * The stand-in's fidelity, kept: every case of cases.ts against the stand-in answering as each
 * PostgREST version the case is tagged with. Requests carry the headers supabase-js sends.
 */
const db = useTestDatabase()
const servers = new Map<PostgrestVersion, PostgrestServer>()
let tokens: ParityTokens
let user: string
let other: string

beforeAll(async () => {
  ;[user, other] = (await createUsers(db().admin, 2)) as [string, string]
  await mint(db().api, user, 'GEN', '100')
  await mint(db().api, user, 'SAP', '2.5')
  await db().admin.query(paritySql)
  tokens = parityTokens(user)
  for (const version of postgrestVersions) {
    servers.set(version, await createPostgrestServer({ databaseUrl: db().authenticatorUrl, jwtSecret: testJwtSecret, postgrestVersion: version }))
  }
})
afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.close()))
})

const substitute = (text: string) => text.replaceAll('$user', user).replaceAll('$other', other).replaceAll('$uuid', randomUUID())

async function send(version: PostgrestVersion, request: ParityCase['request']) {
  const method = request.method ?? 'GET'
  const isRead = method === 'GET' || method === 'HEAD'
  const headers: Record<string, string> = { apikey: 'ignored-by-postgrest', ...(isRead ? { 'Accept-Profile': 'public' } : { 'Content-Profile': 'public', 'Content-Type': 'application/json' }) }
  const token = request.token ?? 'valid'
  if (request.authorization !== undefined) headers.Authorization = request.authorization
  else if (token !== 'anon') headers.Authorization = `Bearer ${tokens[token]}`
  Object.assign(headers, request.headers)
  const body = request.body === undefined ? undefined : substitute(JSON.stringify(request.body))
  const res = await fetch(`${servers.get(version)!.url}/rest/v1${substitute(request.path)}`, { method, headers, ...(body === undefined ? {} : { body }) })
  return { res, text: await res.text() }
}

function checkHeaders(res: Response, version: PostgrestVersion, c: ParityCase): void {
  const expected = { ...c.expect.headers }
  // Every error response carries Proxy-Status from 13 on (Error.hs errorResponseFor); 12.2 has none.
  if (c.expect.error && !('proxy-status' in expected)) {
    expected['proxy-status'] = version === '12.2' ? null : `PostgREST; error=${c.expect.error.code}`
    expected['content-type'] ??= 'application/json; charset=utf-8'
  }
  for (const [name, value] of Object.entries(expected)) {
    const actual = name === 'set-cookie' ? res.headers.getSetCookie() : res.headers.get(name)
    if (value instanceof RegExp) expect(actual, name).toMatch(value)
    else expect(actual, name).toEqual(value)
  }
}

function checkBody(text: string, c: ParityCase): void {
  const { error, json, text: pattern } = c.expect
  if (error) {
    const body = JSON.parse(text) as Record<string, unknown>
    // PostgREST's body shape: exactly these four keys, in Aeson's (sorted) order, strings or null.
    expect(Object.keys(body)).toEqual(['code', 'details', 'hint', 'message'])
    for (const key of ['details', 'hint'] as const) expect(body[key] === null || typeof body[key] === 'string', key).toBe(true)
    expect(typeof body.message).toBe('string')
    expect(body.code).toBe(error.code)
    for (const key of ['message', 'details', 'hint'] as const) if (error[key] !== undefined) expect(body[key], key).toEqual(error[key])
  }
  if (json === '') expect(text).toBe('')
  else if (json !== undefined) expect(JSON.parse(text)).toEqual(json)
  if (pattern !== undefined) expect(text).toMatch(pattern)
}

describe.each(postgrestVersions)('the stand-in as PostgREST %s', (version) => {
  const cases = parityCases.filter((c) => c.versions.includes(version))

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { res, text } = await send(version, c.request)
    expect(res.status, `${c.source}\n${text}`).toBe(c.expect.status)
    if (c.expect.reason !== undefined) expect(res.statusText).toBe(c.expect.reason)
    checkBody(text, c)
    checkHeaders(res, version, c)
  })
})

describe('the response settings apply after the commit', () => {
  it.each(postgrestVersions)('%s: a bad response.status is PGRST112 but the write stays', async (version) => {
    const { rows: before } = await db().admin.query<{ n: number }>('select count(*)::int as n from public.parity_log')
    const { res, text } = await send(version, { method: 'POST', path: '/rpc/parity_write_then_bad_status', token: 'anon', body: {} })
    expect([res.status, (JSON.parse(text) as { code: string }).code]).toEqual([500, 'PGRST112'])
    const { rows: after } = await db().admin.query<{ n: number }>('select count(*)::int as n from public.parity_log')
    expect(after[0]!.n).toBe(before[0]!.n + 1)
  })
})

describe('the parity cases', () => {
  it('cover every version, and every case names its source', () => {
    for (const version of postgrestVersions) expect(parityCases.filter((c) => c.versions.includes(version)).length).toBeGreaterThan(50)
    for (const c of parityCases) expect(c.source.length, c.name).toBeGreaterThan(10)
    expect(new Set(parityCases.map((c) => c.name)).size).toBe(parityCases.length)
  })
})
