import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  IdempotencyConflictError,
  InsufficientBalanceError,
  InvalidTransitionError,
  isAvolveError,
  PermissionDeniedError,
  NotFoundError,
  ValidationError,
  type TokenBalance,
  type TokenEntry,
  type TokenHold,
  type TokenStatement,
  type TokenTransaction,
  type TransferBatchResult,
} from '../../src/index.js'
import { encodeCursor } from '../../src/values/cursor.js'
import { expectAvolveError } from '../support/expect-error.js'
import type { ContractEnv } from './env.js'

/** Tokens and token types: the same inputs give the same results and errors on every adapter. */
export function tokensContract(env: ContractEnv): void {
  async function funded(count: number, amount = '100') {
    const users = await env.users(count)
    for (const u of users) await env.service().tokens.mint({ to: u.id, tokenType: 'GEN', amount })
    return users
  }

  const ledgerRows = async (key: string) => (await env.db().admin.query('select count(*)::int as n from public.token_transactions where idempotency_key = $1', [key])).rows[0].n

  describe('tokens.transfer', () => {
    it('moves tokens and returns the ledger row, typed from the schema', async () => {
      const [alice, bob] = await funded(2)
      const tx = await alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '30.25', memo: 'thanks' })
      expectTypeOf(tx).toEqualTypeOf<TokenTransaction>()
      expect(tx).toMatchObject({ kind: 'transfer', from_user_id: alice!.id, to_user_id: bob!.id, token_type: 'GEN', amount: '30.25', memo: 'thanks' })
      expect(await alice!.scope.tokens.balance('GEN')).toBe('69.75')
      expect(await bob!.scope.tokens.balance('GEN')).toBe('130.25')
    })

    it('accepts bigint and safe-integer amounts, and keeps amounts no double can hold exact', async () => {
      const [alice, bob] = await env.users(2)
      await env.service().tokens.mint({ to: alice!.id, tokenType: 'GEN', amount: '12345678901234567.123456789012345678' })
      await alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: 1n })
      await alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: 2 })
      const tx = await alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '0.000000000000000001' })
      expect(tx.amount).toBe('0.000000000000000001')
      expect(await alice!.scope.tokens.balance('GEN')).toBe('12345678901234564.123456789012345677')
      expect(Number('12345678901234564.123456789012345677').toString()).not.toBe('12345678901234564.123456789012345677')
    })

    it.each([
      ['a number that is not a safe integer', 2 ** 53],
      ['a fractional number', 0.1],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['zero', '0'],
      ['a negative amount', '-1'],
      ['a negative bigint', -5n],
      ['an exponent', '1e1000'],
      ['19 decimal places', '0.0000000000000000001'],
      ['10^20', '100000000000000000000'],
      ['a blank string', ' '],
      ['a comma', '1,5'],
    ])('refuses %s before any request (ValidationError)', async (_label, amount) => {
      const [alice, bob] = await funded(2)
      await expectAvolveError(alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: amount as never }), ValidationError, 'validation_failed')
      expect(await alice!.scope.tokens.balance('GEN')).toBe('100')
    })

    it('refuses an overdraft with the balance in the error, and moves nothing (InsufficientBalanceError)', async () => {
      const [alice, bob] = await funded(2, '10')
      const error = await expectAvolveError(alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '10.5' }), InsufficientBalanceError, 'insufficient_balance')
      expect(error.sqlstate).toBe('VT006')
      expect(error.details).toBe('available 10, requested 10.5')
      expect(error.retryable).toBe(false)
      expect([await alice!.scope.tokens.balance('GEN'), await bob!.scope.tokens.balance('GEN')]).toEqual(['10', '10'])
    })

    it('refuses self-transfers, unknown recipients, unknown tokens and long memos', async () => {
      const [alice] = await funded(1)
      await expectAvolveError(alice!.scope.tokens.transfer({ to: alice!.id, tokenType: 'GEN', amount: '1' }), ValidationError, 'validation_failed')
      const unknown = await expectAvolveError(alice!.scope.tokens.transfer({ to: crypto.randomUUID(), tokenType: 'GEN', amount: '1' }), NotFoundError, 'unknown_user')
      expect(unknown.sqlstate).toBe('VA002')
      await expectAvolveError(alice!.scope.tokens.transfer({ to: crypto.randomUUID(), tokenType: 'XYZ' as never, amount: '1' }), ValidationError, 'validation_failed')
      await expectAvolveError(alice!.scope.tokens.transfer({ to: crypto.randomUUID(), tokenType: 'GEN', amount: '1', memo: 'm'.repeat(501) }), ValidationError, 'validation_failed')
      await expectAvolveError(alice!.scope.tokens.transfer({ to: 'bob', tokenType: 'GEN', amount: '1' }), ValidationError, 'validation_failed')
    })

    it('refuses a memo with half of a surrogate pair before any request, and nothing moves', async () => {
      const [alice, bob] = await funded(2)
      await expectAvolveError(alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '1', memo: 'a\uD800b' }), ValidationError, 'validation_failed')
      expect(await alice!.scope.tokens.balance('GEN')).toBe('100')
      // A whole pair is one character, and stored as sent.
      expect((await alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '1', memo: 'a😀b' })).memo).toBe('a😀b')
    })

    it('refuses a credit past the balance cap with balance_limit_exceeded, and a sender without a profile with unknown_user', async () => {
      const [alice, bob, carol] = await env.users(3)
      await env.service().tokens.mint({ to: bob!.id, tokenType: 'GEN', amount: '99999999999999999999.999999999999999999' })
      await env.service().tokens.mint({ to: alice!.id, tokenType: 'GEN', amount: '1' })
      const capped = await expectAvolveError(alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '1' }), ValidationError, 'balance_limit_exceeded')
      expect(capped.sqlstate).toBe('VT011')
      await expectAvolveError(env.service().tokens.mint({ to: bob!.id, tokenType: 'GEN', amount: '1' }), ValidationError, 'balance_limit_exceeded')
      expect(await alice!.scope.tokens.balance('GEN')).toBe('1')
      await env.db().admin.query('delete from public.users where id = $1', [carol!.id])
      const unknown = await expectAvolveError(carol!.scope.tokens.transfer({ to: alice!.id, tokenType: 'GEN', amount: '1' }), NotFoundError, 'unknown_user')
      expect(unknown.sqlstate).toBe('VA002')
    })

    it('replays a request with the same idempotency key: same row, tokens moved once', async () => {
      const [alice, bob] = await funded(2)
      const key = crypto.randomUUID()
      const first = await alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '5', idempotencyKey: key })
      const again = await alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '5.000', idempotencyKey: key })
      expect(again).toEqual(first)
      expect(await alice!.scope.tokens.balance('GEN')).toBe('95')
      expect(await ledgerRows(key)).toBe(1)
    })

    it('refuses the same key with different arguments, naming the fields (IdempotencyConflictError)', async () => {
      const [alice, bob] = await funded(2)
      const key = crypto.randomUUID()
      await alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '5', idempotencyKey: key, memo: 'a' })
      const error = await expectAvolveError(
        alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '6', idempotencyKey: key, memo: 'b' }),
        IdempotencyConflictError,
        'idempotency_conflict',
      )
      expect(error.fields).toEqual(['amount', 'memo'])
      expect(await alice!.scope.tokens.balance('GEN')).toBe('95')
    })

    it("scopes a key to its sender: the key another user sent first is a request of its own, read back as the caller's row", async () => {
      const [alice, bob] = await funded(2)
      const key = crypto.randomUUID()
      const sent = await alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '5', idempotencyKey: key })
      // bob can read alice's row (he received it) and now sends with the same key: his own transfer, his own row.
      const own = await bob!.scope.tokens.transfer({ to: alice!.id, tokenType: 'GEN', amount: '7', idempotencyKey: key, memo: 'back' })
      expect(own).toMatchObject({ kind: 'transfer', from_user_id: bob!.id, to_user_id: alice!.id, amount: '7', memo: 'back', idempotency_key: key })
      expect(own.id).not.toBe(sent.id)
      expect(await bob!.scope.tokens.transfer({ to: alice!.id, tokenType: 'GEN', amount: '7', idempotencyKey: key, memo: 'back' })).toEqual(own)
      // A mint with the same key is the service's own request, read back as the mint.
      const minted = await env.service().tokens.mint({ to: bob!.id, tokenType: 'GEN', amount: '1', idempotencyKey: key })
      expect(minted).toMatchObject({ kind: 'mint', from_user_id: null, to_user_id: bob!.id, amount: '1', idempotency_key: key })
      expect([await alice!.scope.tokens.balance('GEN'), await bob!.scope.tokens.balance('GEN')]).toEqual(['102', '99'])
    })

    it('gives each call without a key a key of its own', async () => {
      const [alice, bob] = await funded(2)
      const a = await alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '1' })
      const b = await alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '1' })
      expect(a.idempotency_key).not.toBe(b.idempotency_key)
      expect(await alice!.scope.tokens.balance('GEN')).toBe('98')
    })
  })

  describe('tokens.balances, balance and history', () => {
    it('balances() lists the user\'s own balances; balance() is "0" for a token never held', async () => {
      const [alice] = await funded(1)
      await env.service().tokens.mint({ to: alice!.id, tokenType: 'SAP', amount: '0.5' })
      const balances = await alice!.scope.tokens.balances()
      expectTypeOf(balances).toEqualTypeOf<TokenBalance[]>()
      expect(balances.map((b) => [b.token_type, b.balance])).toEqual([
        ['GEN', '100'],
        ['SAP', '0.5'],
      ])
      expect(await alice!.scope.tokens.balance('SGB')).toBe('0')
    })

    it('history() pages what the user sent and received, newest first, filtered by token', async () => {
      const [alice, bob, carol] = await funded(3)
      const sent = []
      for (let i = 1; i <= 5; i++) sent.push(await alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: String(i) }))
      const received = await carol!.scope.tokens.transfer({ to: alice!.id, tokenType: 'GEN', amount: '7' })
      await bob!.scope.tokens.transfer({ to: carol!.id, tokenType: 'GEN', amount: '1' }) // not alice's

      const seen: TokenTransaction[] = []
      let cursor: string | undefined
      do {
        const page = await alice!.scope.tokens.history({ limit: 2, ...(cursor ? { cursor } : {}) })
        seen.push(...page.items)
        cursor = page.nextCursor ?? undefined
      } while (cursor)
      // newest first: carol's transfer, alice's five (newest first), then alice's mint
      expect(seen.map((t) => t.id)).toEqual([received.id, ...sent.map((t) => t.id).reverse(), seen.at(-1)!.id])
      expect(seen.at(-1)!.kind).toBe('mint')
      expect(seen.every((t) => t.from_user_id === alice!.id || t.to_user_id === alice!.id)).toBe(true)

      await env.service().tokens.mint({ to: alice!.id, tokenType: 'SAP', amount: '3' })
      const sap = await alice!.scope.tokens.history({ tokenType: 'SAP' })
      expect(sap.items.map((t) => [t.kind, t.amount])).toEqual([['mint', '3']])
    })
  })

  describe('tokens.transferBatch', () => {
    it('applies every transfer or none, in order, and returns each ledger row', async () => {
      const [alice, bob, carol] = await funded(3)
      const result = await alice!.scope.tokens.transferBatch([
        { to: bob!.id, tokenType: 'GEN', amount: '10', memo: 'proposal 12' },
        { to: carol!.id, tokenType: 'GEN', amount: 2n },
        { to: bob!.id, tokenType: 'GEN', amount: '0.5' },
      ])
      expectTypeOf(result).toEqualTypeOf<TransferBatchResult>()
      if (!result.applied) throw new Error('expected the batch to apply')
      expect(result).toMatchObject({ replayed: false, failedIndex: null })
      expect(result.items.map((i) => [i.status, i.transaction.to_user_id, i.transaction.amount, i.transaction.memo])).toEqual([
        ['applied', bob!.id, '10', 'proposal 12'],
        ['applied', carol!.id, '2', null],
        ['applied', bob!.id, '0.5', null],
      ])
      expect(result.items.every((i) => i.transaction.from_user_id === alice!.id && i.transaction.kind === 'transfer')).toBe(true)
      expect([await alice!.scope.tokens.balance('GEN'), await bob!.scope.tokens.balance('GEN'), await carol!.scope.tokens.balance('GEN')]).toEqual(['87.5', '110.5', '102'])
    })

    it('applies nothing when one is refused: that one carries the typed error, the others linked_event_failed', async () => {
      const [alice, bob, carol] = await funded(3, '10')
      const result = await alice!.scope.tokens.transferBatch([
        { to: bob!.id, tokenType: 'GEN', amount: '6' },
        { to: carol!.id, tokenType: 'GEN', amount: '6' },
        { to: bob!.id, tokenType: 'GEN', amount: '1' },
      ])
      expect(result).toMatchObject({ applied: false, replayed: false, failedIndex: 1 })
      expect(result.items.map((i) => i.status)).toEqual(['linked_event_failed', 'failed', 'linked_event_failed'])
      const failed = result.items[1]!
      if (failed.status !== 'failed') throw new Error('expected item 1 to have failed')
      expect(isAvolveError(failed.error, InsufficientBalanceError)).toBe(true)
      expect(failed.error).toMatchObject({ code: 'insufficient_balance', sqlstate: 'VT006', details: 'available 4, requested 6' })
      expect(result.items[0]).toEqual({ status: 'linked_event_failed', failedIndex: 1 })
      expect([await alice!.scope.tokens.balance('GEN'), await bob!.scope.tokens.balance('GEN'), await carol!.scope.tokens.balance('GEN')]).toEqual(['10', '10', '10'])
    })

    it('is idempotent as a whole: the same batch replays, a different one under its key is refused', async () => {
      const [alice, bob] = await funded(2)
      const idempotencyKey = crypto.randomUUID()
      const transfers = [{ to: bob!.id, tokenType: 'GEN' as const, amount: '1.50' }]
      const first = await alice!.scope.tokens.transferBatch(transfers, { idempotencyKey })
      const again = await alice!.scope.tokens.transferBatch([{ ...transfers[0]!, amount: '1.5' }], { idempotencyKey })
      expect(again).toEqual({ ...first, replayed: true })
      expect(await alice!.scope.tokens.balance('GEN')).toBe('98.5')
      await expectAvolveError(alice!.scope.tokens.transferBatch([{ ...transfers[0]!, amount: '2' }], { idempotencyKey }), IdempotencyConflictError, 'idempotency_conflict')
    })

    it('refuses a malformed batch before any request (ValidationError), naming the transfer', async () => {
      const [alice, bob] = await funded(2)
      await expectAvolveError(alice!.scope.tokens.transferBatch([]), ValidationError, 'validation_failed')
      const tooMany = Array.from({ length: 101 }, () => ({ to: bob!.id, tokenType: 'GEN' as const, amount: '1' }))
      await expectAvolveError(alice!.scope.tokens.transferBatch(tooMany), ValidationError, 'validation_failed')
      const error = await expectAvolveError(
        alice!.scope.tokens.transferBatch([
          { to: bob!.id, tokenType: 'GEN', amount: '1' },
          { to: 'bob', tokenType: 'GEN', amount: '1' },
        ]),
        ValidationError,
        'validation_failed',
      )
      expect(error.issues?.[0]?.path).toEqual([1, 'to'])
      await expectAvolveError(alice!.scope.tokens.transferBatch([{ to: bob!.id, tokenType: 'GEN', amount: '1' }], { idempotencyKey: 'k' }), ValidationError, 'validation_failed')
      expect(await alice!.scope.tokens.balance('GEN')).toBe('100')
    })

    it('the service role sends from anyone; a user never from someone else', async () => {
      const [alice, bob, carol] = await funded(3)
      const result = await env.service().tokens.transferBatch([
        { from: alice!.id, to: carol!.id, tokenType: 'GEN', amount: '5' },
        { from: bob!.id, to: carol!.id, tokenType: 'GEN', amount: '7' },
      ])
      expect(result.applied && result.items.map((i) => i.transaction.from_user_id)).toEqual([alice!.id, bob!.id])
      expect(await carol!.scope.tokens.balance('GEN')).toBe('112')
      // A user's batch is theirs: an unknown receiver is its transfer's NotFoundError, nothing moves.
      const refused = await alice!.scope.tokens.transferBatch([{ to: crypto.randomUUID(), tokenType: 'GEN', amount: '1' }])
      expect(refused.applied === false && refused.items[0]!.status === 'failed' && refused.items[0]!.error).toBeInstanceOf(NotFoundError)
      // A user's transfers have no sender to name: theirs is the session's.
      await expectAvolveError(alice!.scope.tokens.transferBatch([{ from: bob!.id, to: carol!.id, tokenType: 'GEN', amount: '1' } as never]), ValidationError, 'validation_failed')
      expect(await bob!.scope.tokens.balance('GEN')).toBe('93')
    })
  })

  describe('holds: tokens.hold, capture, release, holds', () => {
    it('a hold reserves the amount, shows in the balances, and the payee captures part of it', async () => {
      const [buyer, seller] = await funded(2)
      const h = await buyer!.scope.tokens.hold({ to: seller!.id, tokenType: 'GEN', amount: '25', expiresIn: 3600, memo: 'order 81' })
      expectTypeOf(h).toEqualTypeOf<TokenHold>()
      expect(h).toMatchObject({ from_user_id: buyer!.id, to_user_id: seller!.id, token_type: 'GEN', amount: '25', status: 'pending', memo: 'order 81', captured_amount: null })
      const [gen] = (await buyer!.scope.tokens.balances()).filter((b) => b.token_type === 'GEN')
      expect(gen).toMatchObject({ balance: '100', held: '25', available: '75' })
      const captured = await seller!.scope.tokens.capture(h.id, { amount: '20' })
      expect(captured).toMatchObject({ id: h.id, status: 'captured', captured_amount: '20' })
      expect(await seller!.scope.tokens.capture(h.id, { amount: '20' })).toEqual(captured) // a retry replays
      expect(await buyer!.scope.tokens.balance('GEN')).toBe('80')
      expect(await seller!.scope.tokens.balance('GEN')).toBe('120')
      const page = await seller!.scope.tokens.holds({ status: 'captured' })
      expect(page.items.map((i) => i.id)).toEqual([h.id])
    })

    it('refuses what the rules refuse, with typed errors', async () => {
      const [buyer, seller, stranger] = await funded(3, '10')
      await expectAvolveError(buyer!.scope.tokens.hold({ to: seller!.id, tokenType: 'GEN', amount: '11', expiresIn: 60 }), InsufficientBalanceError, 'insufficient_balance')
      await expectAvolveError(buyer!.scope.tokens.hold({ to: seller!.id, tokenType: 'GEN', amount: '1', expiresIn: 0 }), ValidationError, 'validation_failed')
      const h = await buyer!.scope.tokens.hold({ to: seller!.id, tokenType: 'GEN', amount: '10', expiresIn: 3600 })
      await expectAvolveError(buyer!.scope.tokens.transfer({ to: seller!.id, tokenType: 'GEN', amount: '1' }), InsufficientBalanceError, 'insufficient_balance')
      await expectAvolveError(buyer!.scope.tokens.capture(h.id), PermissionDeniedError, 'permission_denied')
      await expectAvolveError(buyer!.scope.tokens.release(h.id), PermissionDeniedError, 'permission_denied')
      await expectAvolveError(stranger!.scope.tokens.capture(h.id), NotFoundError, 'hold_not_found')
      await expectAvolveError(seller!.scope.tokens.capture(h.id, { amount: '11' }), ValidationError, 'invalid_amount')
      expect(await seller!.scope.tokens.release(h.id)).toMatchObject({ status: 'released' })
      await expectAvolveError(seller!.scope.tokens.capture(h.id), InvalidTransitionError, 'hold_resolved')
      expect(await buyer!.scope.tokens.balance('GEN')).toBe('10')
      expect((await stranger!.scope.tokens.holds()).items).toEqual([])
    })

    it('the service role holds from anyone, captures and releases any hold, and sweeps expired ones', async () => {
      const [buyer, seller] = await funded(2)
      const h = await env.service().tokens.hold({ from: buyer!.id, to: seller!.id, tokenType: 'GEN', amount: '5', expiresIn: 60 })
      expect(await env.service().tokens.capture(h.id)).toMatchObject({ status: 'captured', captured_amount: '5' })
      const late = await buyer!.scope.tokens.hold({ to: seller!.id, tokenType: 'GEN', amount: '7', expiresIn: 60 })
      await env.db().admin.query(`update public.token_holds set expires_at = now() - interval '1 second' where id = $1`, [late.id])
      await expectAvolveError(seller!.scope.tokens.capture(late.id), InvalidTransitionError, 'hold_expired')
      expect(await env.service().tokens.releaseExpiredHolds()).toBeGreaterThanOrEqual(1)
      expect((await buyer!.scope.tokens.holds()).items.find((i) => i.id === late.id)).toMatchObject({ status: 'expired' })
      expect(await buyer!.scope.tokens.balance('GEN')).toBe('95')
    })
  })

  describe('running balances: tokens.balanceAt and tokens.statement', () => {
    /**
     * The database's clock now, to the microsecond (a Date would cut it to the millisecond, before an
     * entry stamped in the same millisecond): entries are stamped by the database's clock, not ours.
     */
    const dbNow = async (): Promise<string> => (await env.db().admin.query(`select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as t`)).rows[0].t as string

    it('balanceAt() re-derives the balance at any past instant from the ledger alone', async () => {
      const [alice, bob] = await env.users(2)
      const t0 = await dbNow()
      await env.service().tokens.mint({ to: alice!.id, tokenType: 'GEN', amount: '100' })
      const t1 = await dbNow()
      await alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '30.5' })
      const t2 = await dbNow()
      await bob!.scope.tokens.transfer({ to: alice!.id, tokenType: 'GEN', amount: '0.25' })
      expect(await alice!.scope.tokens.balanceAt('GEN', new Date(t0))).toBe('0') // a Date is taken too
      expect(await alice!.scope.tokens.balanceAt('GEN', t1)).toBe('100')
      expect(await alice!.scope.tokens.balanceAt('GEN', t2)).toBe('69.5')
      expect(await alice!.scope.tokens.balanceAt('GEN', await dbNow())).toBe(await alice!.scope.tokens.balance('GEN'))
      expect(await bob!.scope.tokens.balanceAt('GEN', t2)).toBe('30.5')
      expect(await alice!.scope.tokens.balanceAt('SAP', t2)).toBe('0')
      await expectAvolveError(alice!.scope.tokens.balanceAt('GEN', 'yesterday'), ValidationError, 'validation_failed')
      await expectAvolveError(alice!.scope.tokens.balanceAt('NOPE' as never, t2), ValidationError, 'validation_failed')
    })

    it('statement() gives opening, movements with running balances, closing, paged oldest first', async () => {
      const [alice, bob] = await env.users(2)
      await env.service().tokens.mint({ to: alice!.id, tokenType: 'GEN', amount: '50' })
      await env.service().tokens.mint({ to: bob!.id, tokenType: 'GEN', amount: '20' })
      const from = await dbNow()
      const moves: TokenTransaction[] = []
      for (const amount of ['1', '2.5', '3']) moves.push(await alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount }))
      moves.push(await bob!.scope.tokens.transfer({ to: alice!.id, tokenType: 'GEN', amount: '10' }))
      moves.push(await alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '0.5' }))
      const to = await dbNow()
      await alice!.scope.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '7' }) // after the period

      const pages: TokenStatement[] = []
      let cursor: string | undefined
      do {
        const page = await alice!.scope.tokens.statement({ tokenType: 'GEN', from, to, limit: 2, ...(cursor ? { cursor } : {}) })
        expectTypeOf(page).toEqualTypeOf<TokenStatement>()
        pages.push(page)
        cursor = page.nextCursor ?? undefined
      } while (cursor)
      expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1])
      expect(new Set(pages.map((p) => `${p.openingBalance}→${p.closingBalance}`))).toEqual(new Set(['50→53']))
      const items: TokenEntry[] = pages.flatMap((p) => [...p.items])
      expect(items.map((e) => e.transaction_id)).toEqual(moves.map((m) => m.id))
      expect(items.map((e) => [e.amount, e.balance_after])).toEqual([
        ['-1', '49'],
        ['-2.5', '46.5'],
        ['-3', '43.5'],
        ['10', '53.5'],
        ['-0.5', '53'],
      ])
      // The versions chain: the mint was version 1, each movement one more.
      expect(items.map((e) => e.version)).toEqual(['2', '3', '4', '5', '6'])

      const open = await alice!.scope.tokens.statement({ tokenType: 'GEN' })
      expect(open).toMatchObject({ openingBalance: '0', closingBalance: '46', nextCursor: null })
      expect(open.items.map((e) => e.version)).toEqual(['1', '2', '3', '4', '5', '6', '7'])
      // Bob sees only his own side: the same transactions, his own running balance.
      const bobs = await bob!.scope.tokens.statement({ tokenType: 'GEN', from, to })
      expect(bobs).toMatchObject({ openingBalance: '20', closingBalance: '17' })
      expect(bobs.items.map((e) => [e.amount, e.balance_after])).toEqual([
        ['1', '21'],
        ['2.5', '23.5'],
        ['3', '26.5'],
        ['-10', '16.5'],
        ['0.5', '17'],
      ])
    })

    it('statement() refuses a period that ends before it starts, and a cursor it did not make', async () => {
      const [alice] = await env.users(1)
      await expectAvolveError(alice!.scope.tokens.statement({ tokenType: 'GEN', from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' }), ValidationError, 'validation_failed')
      await expectAvolveError(alice!.scope.tokens.statement({ tokenType: 'GEN', cursor: 'v1.bm9wZQ' }), ValidationError, 'validation_failed')
      // A cursor in the SDK's own form, edited to a version past what an int8 holds: refused before any request.
      const past = encodeCursor({ at: '2026-12-01T10:00:00.000000Z', id: '9999999999999999999' })
      const refused = await expectAvolveError(alice!.scope.tokens.statement({ tokenType: 'GEN', cursor: past }), ValidationError, 'validation_failed')
      expect(refused.message).toMatch(/cursor is not one this SDK made/)
      const last = encodeCursor({ at: '2026-12-01T10:00:00.000000Z', id: '9223372036854775807' })
      expect((await alice!.scope.tokens.statement({ tokenType: 'GEN', cursor: last })).items).toEqual([])
    })
  })

  describe('tokenTypes', () => {
    it('lists the 3-6-9 catalog with parents and children', async () => {
      const [alice] = await env.users(1)
      const list = await alice!.scope.tokenTypes.list()
      expect(list.map((t) => t.code)).toEqual(['GEN', 'SAP', 'SCQ', 'BSP', 'PSP', 'SGB', 'SHE', 'SMS', 'SPD', 'SSA'])
      const gen = await alice!.scope.tokenTypes.get('GEN')
      expect(gen).toMatchObject({ tier: 3, parent_code: null, children: ['SAP', 'SCQ'] })
      expect((await alice!.scope.tokenTypes.get('SCQ')).children).toEqual(['SGB', 'SHE', 'SPD', 'SSA'])
      const tree = await alice!.scope.tokenTypes.tree()
      expect(tree.children.map((c) => [c.code, c.children.map((g) => g.code)])).toEqual([
        ['SAP', ['BSP', 'PSP', 'SMS']],
        ['SCQ', ['SGB', 'SHE', 'SPD', 'SSA']],
      ])
      await expectAvolveError(alice!.scope.tokenTypes.get('NOPE' as never), ValidationError, 'validation_failed')
    })
  })
}
