import { describe, expect, expectTypeOf, it } from 'vitest'
import { InvalidTransitionError, NotFoundError, ValidationError, type ConsentRecord, type InteractionType } from '../../src/index.js'
import { expectAvolveError } from '../support/expect-error.js'
import type { ContractEnv } from './env.js'

/** Consent: the same inputs give the same results and errors on every adapter. */
export function consentContract(env: ContractEnv): void {
  async function pending(userId: string, type: InteractionType = 'data_sharing'): Promise<string> {
    const { rows } = await env
      .db()
      .admin.query<{ id: string }>(`insert into public.user_consent (user_id, interaction_type, terms, status) values ($1, $2, '{t}', 'pending') returning id`, [userId, type])
    return rows[0]!.id
  }

  describe('consent.record', () => {
    it('records an approved consent and returns the record, typed from the schema', async () => {
      const [alice] = await env.users(1)
      const record = await alice!.scope.consent.record('terms_of_service', ['tos-v1', 'privacy-v2'])
      expectTypeOf(record).toEqualTypeOf<ConsentRecord>()
      expect(record).toMatchObject({ user_id: alice!.id, interaction_type: 'terms_of_service', terms: ['tos-v1', 'privacy-v2'], status: 'approved' })
      expect(record.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
    })

    it.each([
      ['an unknown interaction type', 'marketing_spam', ['x']],
      ['no terms', 'terms_of_service', []],
      ['a blank term', 'terms_of_service', ['  ']],
      ['a NUL character', 'terms_of_service', ['a\u0000b']],
      ['half of a surrogate pair', 'terms_of_service', ['a\uD800b']],
      ['101 terms', 'terms_of_service', Array.from({ length: 101 }, (_, i) => `t${i}`)],
      ['a term of 10001 characters', 'terms_of_service', ['x'.repeat(10_001)]],
      ['terms that are not strings', 'terms_of_service', [42]],
    ])('refuses %s before any request (ValidationError)', async (_label, type, terms) => {
      const [alice] = await env.users(1)
      const error = await expectAvolveError(alice!.scope.consent.record(type as InteractionType, terms as string[]), ValidationError, 'validation_failed')
      expect(error.issues.length).toBeGreaterThan(0)
      const { rows } = await env.db().admin.query('select count(*)::int as n from public.user_consent where user_id = $1', [alice!.id])
      expect(rows[0]).toEqual({ n: 0 })
    })
  })

  describe('consent.updateStatus', () => {
    it('moves a record along the allowed transitions and returns it', async () => {
      const [alice] = await env.users(1)
      const id = await pending(alice!.id)
      expect((await alice!.scope.consent.updateStatus(id, 'approved')).status).toBe('approved')
      expect((await alice!.scope.consent.updateStatus(id, 'withdrawn')).status).toBe('withdrawn')
    })

    it('refuses a transition the schema does not allow (InvalidTransitionError, invalid_transition)', async () => {
      const [alice] = await env.users(1)
      const record = await alice!.scope.consent.record('privacy_policy', ['p1'])
      const error = await expectAvolveError(alice!.scope.consent.updateStatus(record.id, 'pending'), InvalidTransitionError, 'invalid_transition')
      expect(error.sqlstate).toBe('VC004')
      expect(error.details).toBe('approved -> pending')
      expect(error.message).toMatch(/consent status change not allowed.*consent_status_transitions/)
    })

    it("reports another user's record as not found (NotFoundError, consent_not_found) and changes nothing", async () => {
      const [alice, bob] = await env.users(2)
      const id = await pending(alice!.id)
      await expectAvolveError(bob!.scope.consent.updateStatus(id, 'approved'), NotFoundError, 'consent_not_found')
      const { rows } = await env.db().admin.query('select status from public.user_consent where id = $1', [id])
      expect(rows[0]).toEqual({ status: 'pending' })
    })

    it('refuses a malformed id or status before any request', async () => {
      const [alice] = await env.users(1)
      await expectAvolveError(alice!.scope.consent.updateStatus('not-a-uuid', 'approved'), ValidationError, 'validation_failed')
      await expectAvolveError(alice!.scope.consent.updateStatus(crypto.randomUUID(), 'maybe' as never), ValidationError, 'validation_failed')
    })
  })

  describe('consent.list', () => {
    it('pages newest first, with filters, and stays stable when records are added between pages', async () => {
      const [alice, bob] = await env.users(2)
      const created: string[] = []
      for (let i = 0; i < 7; i++) created.push((await alice!.scope.consent.record(i % 2 ? 'data_sharing' : 'terms_of_service', [`v${i}`])).id)
      await bob!.scope.consent.record('data_sharing', ['bob'])

      const first = await alice!.scope.consent.list({ limit: 3 })
      expect(first.items.map((r) => r.id)).toEqual(created.slice(-3).reverse())
      expect(first.nextCursor).toEqual(expect.any(String))

      // New records arrive: they are newer than the cursor, so later pages neither repeat nor skip.
      await alice!.scope.consent.record('data_sharing', ['late'])
      const second = await alice!.scope.consent.list({ limit: 3, cursor: first.nextCursor! })
      const third = await alice!.scope.consent.list({ limit: 3, cursor: second.nextCursor! })
      expect([...first.items, ...second.items, ...third.items].map((r) => r.id)).toEqual([...created].reverse())
      expect(third.nextCursor).toBeNull()

      const sharing = await alice!.scope.consent.list({ interactionType: 'data_sharing', limit: 100 })
      expect(sharing.items.every((r) => r.interaction_type === 'data_sharing' && r.user_id === alice!.id)).toBe(true)
      expect(sharing.items).toHaveLength(4)
    })

    it('filters by status and by a time window (since inclusive, until exclusive)', async () => {
      const [alice] = await env.users(1)
      const a = await alice!.scope.consent.record('data_sharing', ['a'])
      const b = await alice!.scope.consent.record('data_sharing', ['b'])
      const c = await alice!.scope.consent.record('data_sharing', ['c'])
      await alice!.scope.consent.updateStatus(b.id, 'withdrawn')
      expect((await alice!.scope.consent.list({ status: 'withdrawn' })).items.map((r) => r.id)).toEqual([b.id])
      const window = await alice!.scope.consent.list({ since: b.created_at, until: c.created_at })
      expect(window.items.map((r) => r.id)).toEqual([b.id])
      expect((await alice!.scope.consent.list({ since: new Date(Date.parse(a.created_at) - 1000) })).items).toHaveLength(3)
    })

    it('refuses bad options before any request', async () => {
      const [alice] = await env.users(1)
      for (const options of [{ limit: 0 }, { limit: 101 }, { limit: 1.5 }, { cursor: 'garbage' }, { since: 'yesterday' }, { status: 'maybe' }, { extra: 1 }]) {
        await expectAvolveError(alice!.scope.consent.list(options as never), ValidationError, 'validation_failed')
      }
      const later = new Date().toISOString()
      await expectAvolveError(alice!.scope.consent.list({ since: later, until: '2020-01-01T00:00:00Z' }), ValidationError, 'validation_failed')
    })
  })

  describe('consent.has and consent.history', () => {
    it('has() is true only for an approved, not withdrawn, consent of that type', async () => {
      const [alice] = await env.users(1)
      expect(await alice!.scope.consent.has('governance_proposal')).toBe(false)
      const r = await alice!.scope.consent.record('governance_proposal', ['g1'])
      expect(await alice!.scope.consent.has('governance_proposal')).toBe(true)
      await alice!.scope.consent.updateStatus(r.id, 'withdrawn')
      expect(await alice!.scope.consent.has('governance_proposal')).toBe(false)
      await pending(alice!.id, 'governance_proposal')
      expect(await alice!.scope.consent.has('governance_proposal')).toBe(false)
    })

    it('history() is in the order of the history ids, also when they pass a power of ten', async () => {
      const [alice] = await env.users(1)
      const id = await pending(alice!.id)
      // The next ids are 99, 100, 101: compared as text, 100 and 101 would come before 99.
      await env.db().admin.query(`select setval('public.consent_history_id_seq', 98)`)
      const other = await pending(alice!.id)
      await alice!.scope.consent.updateStatus(other, 'approved')
      await alice!.scope.consent.updateStatus(other, 'withdrawn')
      const trail = await alice!.scope.consent.history(other)
      expect(trail.map((h) => h.id)).toEqual(['99', '100', '101'])
      expect(trail.map((h) => h.to_status)).toEqual(['pending', 'approved', 'withdrawn'])
      expect((await alice!.scope.consent.history(id)).length).toBe(1)
    })

    it("history() is the record's audit trail, oldest first; another user's is not found", async () => {
      const [alice, bob] = await env.users(2)
      const id = await pending(alice!.id)
      await alice!.scope.consent.updateStatus(id, 'approved')
      await alice!.scope.consent.updateStatus(id, 'withdrawn')
      const trail = await alice!.scope.consent.history(id)
      expect(trail.map((h) => [h.from_status, h.to_status])).toEqual([
        [null, 'pending'],
        ['pending', 'approved'],
        ['approved', 'withdrawn'],
      ])
      expect(trail.slice(1).every((h) => h.actor_id === alice!.id && h.actor_role === 'authenticated')).toBe(true)
      await expectAvolveError(bob!.scope.consent.history(id), NotFoundError, 'consent_not_found')
    })
  })
}
