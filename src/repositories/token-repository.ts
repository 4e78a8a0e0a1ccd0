import type { TokenCode } from '../generated/vocabularies.js'
import type { Page } from '../schemas/pagination.js'
import type { AmountInput } from '../schemas/amount.js'
import type { BatchTransferInput, CaptureOptions, HoldInput, HoldListOptions, TokenHistoryOptions, TokenStatementOptions, TransferBatchOptions, TransferInput } from '../schemas/tokens.js'
import type { TimestampInput } from '../values/timestamp.js'
import type { TokenBalance, TokenHold, TokenStatement, TokenTransaction, TransferBatchResult } from './records.js'

/**
 * The signed-in user's tokens. Both adapters implement it with the same results and errors.
 *
 * @example
 * ```ts
 * import { createAvolveClient } from '@avolve/db/client'
 *
 * const tokens = createAvolveClient(supabase).tokens // on the server: (await db.asUser(accessToken)).tokens
 * ```
 */
export interface TokenRepository {
  /**
   * The user's balances, one per token they have held.
   * @example
   * ```ts
   * const balances = await me.tokens.balances() // [{ token_type: 'GEN', balance: '69.5', version: '3', … }]
   * ```
   */
  balances(): Promise<TokenBalance[]>
  /**
   * The user's balance of one token as an exact decimal string, `"0"` when they never held it.
   * @example
   * ```ts
   * const gen = await me.tokens.balance('GEN') // "69.5"
   * ```
   */
  balance(tokenType: TokenCode): Promise<string>
  /**
   * Sends tokens from the user; returns the ledger row. Retrying with the same `idempotencyKey`
   * returns the same row and moves nothing again; without a key the SDK makes one, once per call,
   * so its own retries are safe too.
   * @throws InsufficientBalanceError when the balance is lower than the amount (nothing moves).
   * @example
   * ```ts
   * import { InsufficientBalanceError, isAvolveError } from '@avolve/db'
   *
   * try {
   *   const row = await me.tokens.transfer({ to: bobId, tokenType: 'GEN', amount: '30.5', memo: 'workshop' })
   *   // { id: '…', kind: 'transfer', from_user_id: me.userId, to_user_id: bobId, amount: '30.5', memo: 'workshop', … }
   * } catch (e) {
   *   if (isAvolveError(e, InsufficientBalanceError)) showMessage('Not enough GEN')
   *   else throw e
   * }
   * ```
   */
  transfer<A extends AmountInput>(input: TransferInput<A>): Promise<TokenTransaction>
  /**
   * Sends up to `limits.maxBatchTransfers` transfers from the user, all or nothing, in one transaction
   * and one call. When one is refused (an insufficient balance, an unknown receiver …) none applies:
   * the result names it, with the typed error a single transfer would throw, and marks every other one
   * `linked_event_failed`. Idempotent as a whole: the same batch under the same `idempotencyKey`
   * returns the first result and moves nothing again; a different batch under it is an
   * IdempotencyConflictError. Without a key the SDK makes one, once per call.
   * @throws ValidationError when the batch is malformed (empty, too long, a bad transfer): nothing is sent.
   * @example
   * ```ts
   * import { InsufficientBalanceError, isAvolveError } from '@avolve/db'
   *
   * const result = await me.tokens.transferBatch([
   *   { to: aliceId, tokenType: 'GEN', amount: '10', memo: 'proposal 12' },
   *   { to: bobId, tokenType: 'GEN', amount: '10', memo: 'proposal 12' },
   * ])
   * if (result.applied) console.log(result.items.map((i) => i.transaction.id))
   * else {
   *   const failed = result.items[result.failedIndex]
   *   if (failed?.status === 'failed' && isAvolveError(failed.error, InsufficientBalanceError)) showMessage('Not enough GEN')
   * }
   * ```
   */
  transferBatch(transfers: ReadonlyArray<BatchTransferInput>, options?: TransferBatchOptions): Promise<TransferBatchResult>
  /**
   * Reserves `amount` of the user's available balance for `to` for `expiresIn` seconds (a two-phase
   * transfer): the payee (or the service) captures it, all or part, or releases it; the payer may
   * release it only once it has expired. Until then it counts against the payer's `available`
   * balance and shows in `held`. Idempotent per `idempotencyKey` (the SDK makes one when left out).
   * @throws InsufficientBalanceError when the available balance is lower than the amount.
   * @example
   * ```ts
   * const hold = await me.tokens.hold({ to: sellerId, tokenType: 'GEN', amount: '25', expiresIn: 7 * 24 * 3600, memo: 'order 81' })
   * // { id: '…', status: 'pending', amount: '25', expires_at: '…', … }
   * ```
   */
  hold<A extends AmountInput>(input: HoldInput<A>): Promise<TokenHold>
  /**
   * Posts a pending, unexpired hold the user is the payee of to them: all of it, or `amount` (the rest
   * is released). Capturing again with the same amount returns the same hold (so a retry is safe).
   * @throws NotFoundError when the hold is not one the user pays or is paid by.
   * @throws PermissionDeniedError when the user is its payer.
   * @throws InvalidTransitionError when it was already resolved (`hold_resolved`) or has expired (`hold_expired`).
   * @example
   * ```ts
   * const captured = await seller.tokens.capture(hold.id, { amount: '20' }) // { status: 'captured', captured_amount: '20', … }
   * ```
   */
  capture(holdId: string, options?: CaptureOptions): Promise<TokenHold>
  /**
   * Voids a pending hold: the payee may at any time, the payer once it has expired. Releasing a
   * released hold returns it again.
   * @throws InvalidTransitionError when it was captured (`hold_resolved`).
   * @example
   * ```ts
   * const released = await seller.tokens.release(hold.id) // { status: 'released', … }
   * ```
   */
  release(holdId: string): Promise<TokenHold>
  /**
   * A page of the holds the user pays or is paid by, newest first, optionally of one status.
   * @example
   * ```ts
   * const page = await me.tokens.holds({ status: 'pending' }) // { items: [{ id: '…', status: 'pending', … }], nextCursor: null }
   * ```
   */
  holds(options?: HoldListOptions): Promise<Page<TokenHold>>
  /**
   * A page of the ledger rows the user sent or received, newest first.
   * @example
   * ```ts
   * const page = await me.tokens.history({ tokenType: 'GEN', limit: 20 }) // { items: [{ kind: 'transfer', amount: '30.5', … }, …], nextCursor: 'eyJ…' }
   * const older = page.nextCursor ? await me.tokens.history({ tokenType: 'GEN', limit: 20, cursor: page.nextCursor }) : null
   * ```
   */
  history(options?: TokenHistoryOptions): Promise<Page<TokenTransaction>>
  /**
   * The user's balance of one token at a past instant, re-derived from the ledger's running balances
   * alone: the balance after the last movement at or before `at` (`"0"` before the first). One index
   * probe, however long the history.
   * @example
   * ```ts
   * const before = await me.tokens.balanceAt('GEN', '2026-12-01T00:00:00Z') // "40"
   * const now = await me.tokens.balanceAt('GEN', new Date()) // the same as balance('GEN')
   * ```
   */
  balanceAt(tokenType: TokenCode, at: TimestampInput): Promise<string>
  /**
   * A statement of one token over the period [`from`, `to`): the opening balance, the movements oldest
   * first with the running balance after each, and the closing balance; keyset-paginated (pass
   * `nextCursor` back as `cursor`). Every page of one period has the same opening and closing balance,
   * and each movement's `balance_after` is the one before it plus its `amount`.
   * @example
   * ```ts
   * const page = await me.tokens.statement({ tokenType: 'GEN', from: '2026-12-01T00:00:00Z', to: '2027-01-01T00:00:00Z' })
   * // { tokenType: 'GEN', openingBalance: '40', closingBalance: '69.5',
   * //   items: [{ version: '7', amount: '-30.5', balance_after: '9.5', transaction_id: '…', created_at: '…', … }, …], nextCursor: null }
   * ```
   */
  statement(options: TokenStatementOptions): Promise<TokenStatement>
}
