import { randomUUID } from 'node:crypto'
import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/generated/database.js'
import { createPostgrestServer, type PostgrestServer } from '../support/postgrest/server.js'
import { createSupabaseTestClient, signAnonKey } from '../support/postgrest/supabase-client.js'
import { createUsers, mint } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'
import { signUserToken, testJwtSecret } from '../support/tokens.js'

const db = useTestDatabase()
let api: PostgrestServer
let anonKey: string
let a: string
let b: string
let asA: SupabaseClient<Database>

beforeAll(async () => {
  ;[a, b] = (await createUsers(db().admin, 2)) as [string, string]
  await mint(db().api, a, 'GEN', '100')
  await mint(db().api, b, 'GEN', '5')
  api = await createPostgrestServer({ databaseUrl: db().authenticatorUrl, jwtSecret: testJwtSecret })
  anonKey = await signAnonKey()
  asA = createSupabaseTestClient(api.url, { anonKey, accessToken: await signUserToken(a) })
})
afterAll(async () => {
  await api?.close()
})

describe('supabase-js 2.109 against the fixture', () => {
  it(".rpc('record_consent', ...) returns the id", async () => {
    const { data, error, status } = await asA.rpc('record_consent', { p_user_id: a, p_interaction_type: 'terms_of_service', p_terms: ['v1'] })
    expect(error).toBeNull()
    expect(status).toBe(200)
    expect(data).toMatch(/^[0-9a-f-]{36}$/)
  })

  it(".from('token_balances').select('token_type, balance::text').eq('user_id', id)", async () => {
    const { data, error } = await asA.from('token_balances').select('token_type, balance::text').eq('user_id', a)
    expect(error).toBeNull()
    expect(data).toEqual([{ token_type: 'GEN', balance: '100.000000000000000000' }])
  })

  it('a refusal is { error: { code, message, details, hint } } with data null', async () => {
    const result = await asA.rpc('transfer_tokens', { p_from_user_id: a, p_to_user_id: b, p_token_type: 'GEN', p_amount: 1000, p_idempotency_key: randomUUID() })
    expect(result.data).toBeNull()
    expect(result.status).toBe(400)
    expect(result.error).toEqual({ code: 'VT006', message: 'insufficient balance', details: 'available 100, requested 1000', hint: "the sender's balance of this token is lower than the amount" })
  })

  it('RLS: another user is invisible; anon (the anon key as bearer) is 401', async () => {
    const other = await asA.from('token_balances').select('user_id').eq('user_id', b)
    expect(other).toMatchObject({ data: [], error: null })
    const anon = createSupabaseTestClient(api.url, { anonKey })
    const refused = await anon.from('token_balances').select('*')
    expect(refused.status).toBe(401)
    expect(refused.error).toEqual({ code: '42501', details: null, hint: null, message: 'permission denied for table token_balances' })
  })

  it('a forged token is PGRST301 (401)', async () => {
    const forged = createSupabaseTestClient(api.url, { anonKey, accessToken: await signUserToken(a, { secret: 'not-the-project-secret-but-long-enough' }) })
    const { error, status } = await forged.from('token_balances').select('*')
    expect(status).toBe(401)
    expect(error).toMatchObject({ code: 'PGRST301' })
  })

  it('count, head, single, maybeSingle, range, order and or', async () => {
    const head = await asA.from('token_transactions').select('*', { count: 'exact', head: true })
    expect(head).toMatchObject({ count: 1, data: null, error: null })
    const single = await asA.from('token_balances').select('token_type').eq('token_type', 'GEN').single()
    expect(single.data).toEqual({ token_type: 'GEN' })
    const none = await asA.from('token_balances').select('token_type').eq('token_type', 'SAP').single()
    expect(none.status).toBe(406)
    expect(none.error).toMatchObject({ code: 'PGRST116', details: 'The result contains 0 rows' })
    expect((await asA.from('token_balances').select('token_type').eq('token_type', 'SAP').maybeSingle()).data).toBeNull()
    const page = await asA.from('token_transactions').select('id, created_at').order('created_at', { ascending: false }).order('id', { ascending: false }).range(0, 0)
    expect(page.data).toHaveLength(1)
    const { created_at: at, id } = page.data![0]!
    const next = await asA.from('token_transactions').select('id').or(`created_at.lt.${at},and(created_at.eq.${at},id.lt.${id})`)
    expect(next).toMatchObject({ data: [], error: null })
  })

  it('an unknown function is PGRST202', async () => {
    const client = asA as unknown as SupabaseClient
    const { error, status } = await client.rpc('no_such_function', { p_a: 1 })
    expect(status).toBe(404)
    expect(error).toMatchObject({ code: 'PGRST202', message: 'Could not find the function public.no_such_function(p_a) in the schema cache' })
  })
})
