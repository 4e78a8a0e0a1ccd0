import { describe, expect, it } from 'vitest'
import { IdempotencyConflictError, NotFoundError, PermissionDeniedError, ValidationError } from '../../src/server.js'
import { expectAvolveError } from '../support/expect-error.js'
import { signedInUsers, useSdk } from '../support/sdk.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()
const sdk = useSdk(db)

describe('asService()', () => {
  it('mints idempotently, naming conflicting fields', async () => {
    const [alice] = await signedInUsers(db(), sdk(), 1)
    const svc = sdk().asService()
    const key = crypto.randomUUID()
    const first = await svc.tokens.mint({ to: alice!.id, tokenType: 'SAP', amount: '10', idempotencyKey: key, memo: 'grant' })
    expect(first).toMatchObject({ kind: 'mint', from_user_id: null, to_user_id: alice!.id, amount: '10', memo: 'grant' })
    expect(await svc.tokens.mint({ to: alice!.id, tokenType: 'SAP', amount: '10', idempotencyKey: key, memo: 'grant' })).toEqual(first)
    const conflict = await expectAvolveError(svc.tokens.mint({ to: alice!.id, tokenType: 'GEN', amount: '10', idempotencyKey: key, memo: 'grant' }), IdempotencyConflictError, 'idempotency_conflict')
    expect(conflict.fields).toEqual(['tokenType'])
    expect(await alice!.scope.tokens.balance('SAP')).toBe('10')
  })

  it("reads and moves any user's tokens, and records consent for any user", async () => {
    const [alice, bob] = await signedInUsers(db(), sdk(), 2)
    const svc = sdk().asService()
    await svc.tokens.mint({ to: alice!.id, tokenType: 'GEN', amount: '8' })
    await svc.tokens.transfer({ from: alice!.id, to: bob!.id, tokenType: 'GEN', amount: '3' })
    expect(await svc.tokens.forUser(alice!.id).balance('GEN')).toBe('5')
    expect((await svc.tokens.forUser(bob!.id).history()).items.map((t) => t.amount)).toEqual(['3'])
    const r = await svc.consent.forUser(bob!.id).record('data_sharing', ['partner-x'])
    expect(r.user_id).toBe(bob!.id)
    expect(await bob!.scope.consent.has('data_sharing')).toBe(true)
    const { rows } = await db().admin.query('select actor_id, actor_role from public.consent_history where consent_id = $1', [r.id])
    expect(rows).toEqual([{ actor_id: null, actor_role: 'service_role' }])
  })

  it('refuses an unknown user (NotFoundError) and a malformed one (ValidationError)', async () => {
    const svc = sdk().asService()
    await expectAvolveError(svc.tokens.mint({ to: crypto.randomUUID(), tokenType: 'GEN', amount: '1' }), NotFoundError, 'unknown_user')
    expect(() => svc.tokens.forUser('nobody')).toThrow(ValidationError)
  })

  it('refreshes and reads the statistics view, which users cannot read', async () => {
    const [alice] = await signedInUsers(db(), sdk(), 1)
    await alice!.scope.consent.record('terms_of_service', ['a'])
    const w = await alice!.scope.consent.record('privacy_policy', ['b'])
    await alice!.scope.consent.updateStatus(w.id, 'withdrawn')
    const svc = sdk().asService()
    expect(await svc.stats.get(alice!.id)).toBeNull() // newer than the last refresh
    await svc.stats.refresh()
    expect(await svc.stats.get(alice!.id)).toMatchObject({ user_id: alice!.id, total_consents: '2', approved_consents: '1' })
  })

  it('runs several calls in one transaction, all or nothing', async () => {
    const [alice, bob] = await signedInUsers(db(), sdk(), 2)
    const svc = sdk().asService()
    await expect(
      svc.transaction(async (tx) => {
        await tx.tokens.mint({ to: alice!.id, tokenType: 'GEN', amount: '5' })
        await tx.tokens.transfer({ from: alice!.id, to: bob!.id, tokenType: 'GEN', amount: '6' }) // overdraft
      }),
    ).rejects.toMatchObject({ code: 'insufficient_balance' })
    expect(await svc.tokens.forUser(alice!.id).balance('GEN')).toBe('0')
  })
})

describe('a user scope cannot reach service-only functions', () => {
  it('has no mint, and the database refuses the function to it (PermissionDeniedError)', async () => {
    const [alice] = await signedInUsers(db(), sdk(), 1)
    expect('mint' in alice!.scope.tokens).toBe(false)
    // The adapter's call, run on the user's own transaction: the database itself says no.
    const { rpcCalls } = await import('../../src/adapters/pg/rpc-statements.js')
    const { Kysely, PostgresDialect, sql } = await import('kysely')
    const pg = (await import('pg')).default
    const pool = new pg.Pool({ connectionString: db().authenticatorUrl, max: 1 })
    const k = new Kysely<any>({ dialect: new PostgresDialect({ pool }) })
    try {
      const attempt = k.transaction().execute(async (trx) => {
        await sql`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify({ sub: alice!.id, role: 'authenticated' })}, true)`.execute(trx)
        return rpcCalls.mint_tokens(trx, { p_to_user_id: alice!.id, p_token_type: 'GEN', p_amount: '1', p_idempotency_key: crypto.randomUUID() })
      })
      const { mapDriverError } = await import('../../src/adapters/pg/map-error.js')
      const error = await attempt.catch((e) => mapDriverError(e))
      expect(error).toBeInstanceOf(PermissionDeniedError)
    } finally {
      await k.destroy()
    }
  })
})
