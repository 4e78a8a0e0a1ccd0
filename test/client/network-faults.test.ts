import { describe, expect, it } from 'vitest'
import { createAvolveClient, NotAuthenticatedError, TransientError } from '../../src/client.js'
import { expectAvolveError } from '../support/expect-error.js'
import { useFaultyApi } from '../support/faulty-api.js'
import { rpcTo } from '../support/faulty-proxy.js'
import { createUsers } from '../support/requests.js'
import { supabaseAs } from '../support/supabase-session.js'
import { useTestDatabase } from '../support/test-database.js'
import { signUserToken } from '../support/tokens.js'

const db = useTestDatabase()
const faulty = useFaultyApi(db)

async function signedIn(options: Parameters<typeof createAvolveClient>[1] = {}) {
  const [alice, bob] = (await createUsers(db().admin, 2)) as [string, string]
  await faulty().server.asService().tokens.mint({ to: alice, tokenType: 'GEN', amount: '10' })
  const client = createAvolveClient(supabaseAs(faulty().proxy.url, { accessToken: await signUserToken(alice), userId: alice }), { retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...options })
  return { alice, bob, client }
}

const ledger = async (from: string) =>
  (await db().admin.query(`select count(*)::int as n, coalesce(trim_scale(sum(amount))::text, '0') as total from public.token_transactions where from_user_id = $1`, [from])).rows[0]

const consents = async (user: string) => (await db().admin.query('select count(*)::int as n from public.user_consent where user_id = $1', [user])).rows[0]

describe('the client adapter over a faulty network', () => {
  it('a transfer whose answer is lost after the server committed is retried and moves tokens once', async () => {
    const { alice, bob, client } = await signedIn()
    faulty().proxy.inject(rpcTo('transfer_tokens'), { kind: 'lose-answer' })
    const before = faulty().proxy.forwarded
    const tx = await client.tokens.transfer({ to: bob, tokenType: 'GEN', amount: '4' })
    expect(faulty().proxy.forwarded - before).toBeGreaterThanOrEqual(3) // the lost call, its replay, the read-back
    expect(tx.amount).toBe('4')
    expect(await ledger(alice)).toEqual({ n: 1, total: '4' })
    expect(await client.tokens.balance('GEN')).toBe('6')
  })

  it('a transfer cut before it reached the server is retried and moves tokens once', async () => {
    const { alice, bob, client } = await signedIn()
    faulty().proxy.inject(rpcTo('transfer_tokens'), { kind: 'cut-before' }, 2)
    await client.tokens.transfer({ to: bob, tokenType: 'GEN', amount: '2' })
    expect(await ledger(alice)).toEqual({ n: 1, total: '2' })
  })

  it('a consent whose answer is lost is not retried blindly: TransientError with outcomeUnknown', async () => {
    const { alice, client } = await signedIn()
    faulty().proxy.inject(rpcTo('record_consent'), { kind: 'lose-answer' })
    const error = await expectAvolveError(client.consent.record('terms_of_service', ['v1']), TransientError, 'network_error')
    expect(error.outcomeUnknown).toBe(true)
    expect(error.retryable).toBe(true)
    // It did commit; the caller can check, since has() is a read.
    expect(await client.consent.has('terms_of_service')).toBe(true)
    const { rows } = await db().admin.query('select count(*)::int as n from public.user_consent where user_id = $1', [alice])
    expect(rows[0]).toEqual({ n: 1 })
  })

  it('a request slower than the timeout becomes a TransientError (timeout); reads are retried', async () => {
    const { bob, client } = await signedIn({ timeoutMs: 200, retry: { maxAttempts: 1 } })
    faulty().proxy.inject((req) => req.method === 'POST', { kind: 'delay', ms: 1_000 })
    const error = await expectAvolveError(client.tokens.transfer({ to: bob, tokenType: 'GEN', amount: '1' }), TransientError, 'timeout')
    expect(error.retryable).toBe(true)
    const retried = await signedIn({ timeoutMs: 200 })
    faulty().proxy.inject((req) => req.method === 'GET' && req.url!.includes('token_balances'), { kind: 'delay', ms: 1_000 })
    expect(await retried.client.tokens.balance('GEN')).toBe('10')
  })

  it('an unreachable API is a TransientError after the configured attempts', async () => {
    const client = createAvolveClient(supabaseAs('http://127.0.0.1:1', { accessToken: 'x.y.z', userId: crypto.randomUUID() }), { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } })
    await expectAvolveError(client.tokens.balances(), TransientError, 'network_error')
  })

  it('a consent whose read-back fails after the call committed is read again, not recorded again', async () => {
    const { alice, client } = await signedIn()
    faulty().proxy.inject((req) => req.method === 'GET' && req.url!.startsWith('/rest/v1/user_consent'), { kind: 'gateway-answer', status: 503, forwarded: false }, 2)
    const record = await client.consent.record('terms_of_service', ['v1'])
    expect(record).toMatchObject({ user_id: alice, interaction_type: 'terms_of_service', status: 'approved' })
    expect(await consents(alice)).toEqual({ n: 1 })
  })

  it('a status change whose read-back fails after the call committed returns the changed record', async () => {
    const { alice, client } = await signedIn()
    const record = await client.consent.record('privacy_policy', ['v1'])
    faulty().proxy.inject((req) => req.method === 'GET' && req.url!.startsWith('/rest/v1/user_consent'), { kind: 'gateway-answer', status: 503, forwarded: false })
    expect(await client.consent.updateStatus(record.id, 'withdrawn')).toMatchObject({ id: record.id, status: 'withdrawn' })
    expect(await consents(alice)).toEqual({ n: 1 })
  })

  it.each([502, 503, 504, 520])('a consent call answered %i by a gateway after the server ran it is not run again: outcomeUnknown', async (status) => {
    const { alice, client } = await signedIn()
    faulty().proxy.inject(rpcTo('record_consent'), { kind: 'gateway-answer', status, forwarded: true })
    const error = await expectAvolveError(client.consent.record('terms_of_service', ['v1']), TransientError, 'service_unavailable')
    expect(error.outcomeUnknown).toBe(true)
    expect(await consents(alice)).toEqual({ n: 1 })
  })

  it('a read-back that keeps failing after the call committed says so, and is not a second consent', async () => {
    const { alice, client } = await signedIn({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } })
    faulty().proxy.inject((req) => req.method === 'GET' && req.url!.startsWith('/rest/v1/user_consent'), { kind: 'gateway-answer', status: 503, forwarded: false }, 2)
    const error = await expectAvolveError(client.consent.record('terms_of_service', ['v1']), TransientError, 'service_unavailable')
    expect(error.outcomeUnknown).toBe(true)
    expect(error.message).toMatch(/applied; only reading its result back failed/)
    expect(await consents(alice)).toEqual({ n: 1 })
  })

  it('a transfer answered 502 by a gateway after the server ran it is retried by its key and moves tokens once', async () => {
    const { alice, bob, client } = await signedIn()
    faulty().proxy.inject(rpcTo('transfer_tokens'), { kind: 'gateway-answer', status: 502, forwarded: true })
    const tx = await client.tokens.transfer({ to: bob, tokenType: 'GEN', amount: '3' })
    expect(tx.amount).toBe('3')
    expect(await ledger(alice)).toEqual({ n: 1, total: '3' })
  })

  it('a read answered 503 by a gateway is retried', async () => {
    const { client } = await signedIn()
    faulty().proxy.inject((req) => req.method === 'GET' && req.url!.includes('token_balances'), { kind: 'gateway-answer', status: 503, forwarded: false }, 2)
    expect(await client.tokens.balance('GEN')).toBe('10')
  })

  it('a statement whose reads are not one snapshot still adds up: a movement landing between them is not half in it', async () => {
    const { alice, bob, client } = await signedIn()
    await client.tokens.transfer({ to: bob, tokenType: 'GEN', amount: '1' })
    // The closing-balance read (the account's last entry, newest first) reaches the server late, after a transfer.
    faulty().proxy.inject((req) => req.method === 'GET' && req.url!.startsWith('/rest/v1/token_entries') && req.url!.includes('order=created_at.desc'), { kind: 'hold-back', ms: 400 })
    const pending = client.tokens.statement({ tokenType: 'GEN' })
    await new Promise((r) => setTimeout(r, 150))
    await faulty().server.asService().tokens.forUser(alice).transfer({ to: bob, tokenType: 'GEN', amount: '2' })
    const statement = await pending
    expect(statement.nextCursor).toBeNull()
    expect(statement.items.map((e) => e.amount)).toEqual(['10', '-1'])
    expect(statement.closingBalance).toBe('9')
    expect(await client.tokens.balance('GEN')).toBe('7')
  })

  it('without a session, calls say to sign in (NotAuthenticatedError) and send nothing', async () => {
    const before = faulty().proxy.forwarded
    const client = createAvolveClient(supabaseAs(faulty().proxy.url))
    await expectAvolveError(client.tokens.balances(), NotAuthenticatedError, 'not_authenticated')
    expect(faulty().proxy.forwarded).toBe(before)
  })
})
