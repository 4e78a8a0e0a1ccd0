import type { AmountInput } from '../schemas/amount.js'
import type { CaptureOptions, MintInput, ServiceBatchTransferInput, ServiceHoldInput, ServiceTransferInput, TransferBatchOptions } from '../schemas/tokens.js'
import type { TokenHold, TokenTransaction, TransferBatchResult } from './records.js'
import type { TokenRepository } from './token-repository.js'

/**
 * Back-office token work (service role): any user's tokens, and minting.
 *
 * @example
 * ```ts
 * import { createAvolveDb, type ServiceTokenRepository } from '@avolve/db/server'
 *
 * const tokens: ServiceTokenRepository = createAvolveDb(process.env.DATABASE_URL!).asService().tokens
 * ```
 */
export interface ServiceTokenRepository {
  /**
   * The tokens of one user, with the service role's rights (transfers from them included).
   * @throws ValidationError when `userId` is not a UUID.
   * @example
   * ```ts
   * import { createAvolveDb } from '@avolve/db/server'
   *
   * const db = createAvolveDb(process.env.DATABASE_URL!)
   * const balance = await db.asService().tokens.forUser(userId).balance('GEN') // "100"
   * ```
   */
  forUser(userId: string): TokenRepository
  /**
   * Creates tokens for a user; returns the ledger row. Idempotent per `idempotencyKey` (made once
   * per call when left out, so the SDK's own retries are safe).
   * @throws ValidationError for an unknown token type or an amount that is not positive.
   * @example
   * ```ts
   * import { createAvolveDb } from '@avolve/db/server'
   *
   * const db = createAvolveDb(process.env.DATABASE_URL!)
   * const row = await db.asService().tokens.mint({ to: userId, tokenType: 'GEN', amount: '100' })
   * // { kind: 'mint', from_user_id: null, to_user_id: userId, token_type: 'GEN', amount: '100', … }
   * ```
   */
  mint<A extends AmountInput>(input: MintInput<A>): Promise<TokenTransaction>
  /**
   * Moves tokens between any two users; returns the ledger row.
   * @throws InsufficientBalanceError when the sender's balance is lower than the amount (nothing moves).
   * @example
   * ```ts
   * import { createAvolveDb } from '@avolve/db/server'
   *
   * const db = createAvolveDb(process.env.DATABASE_URL!)
   * const row = await db.asService().tokens.transfer({ from: aliceId, to: bobId, tokenType: 'SAP', amount: 5n })
   * // { kind: 'transfer', from_user_id: aliceId, to_user_id: bobId, amount: '5', … }
   * ```
   */
  transfer<A extends AmountInput>(input: ServiceTransferInput<A>): Promise<TokenTransaction>
  /**
   * A batch of transfers between any users, all or nothing (see TokenRepository.transferBatch): each
   * transfer names its sender.
   * @example
   * ```ts
   * const result = await db.asService().tokens.transferBatch(
   *   [
   *     { from: buyerId, to: sellerId, tokenType: 'GEN', amount: '95' },
   *     { from: buyerId, to: platformId, tokenType: 'GEN', amount: '5' },
   *   ],
   *   { idempotencyKey: orderId },
   * )
   * // { applied: true, replayed: false, failedIndex: null, items: [{ status: 'applied', transaction: { … } }, …] }
   * ```
   */
  transferBatch(transfers: ReadonlyArray<ServiceBatchTransferInput>, options?: TransferBatchOptions): Promise<TransferBatchResult>
  /**
   * A hold from any user (see TokenRepository.hold).
   * @example
   * ```ts
   * const hold = await db.asService().tokens.hold({ from: buyerId, to: sellerId, tokenType: 'GEN', amount: '25', expiresIn: 3600, idempotencyKey: orderId })
   * ```
   */
  hold<A extends AmountInput>(input: ServiceHoldInput<A>): Promise<TokenHold>
  /**
   * Captures any pending, unexpired hold (all, or `amount`; the rest is released).
   * @example
   * ```ts
   * await db.asService().tokens.capture(hold.id) // { status: 'captured', captured_amount: '25', … }
   * ```
   */
  capture(holdId: string, options?: CaptureOptions): Promise<TokenHold>
  /**
   * Releases any pending hold.
   * @example
   * ```ts
   * await db.asService().tokens.release(hold.id) // { status: 'released', … }
   * ```
   */
  release(holdId: string): Promise<TokenHold>
  /**
   * Releases expired pending holds, oldest expiry first, at most `limit` (default 1000, at most
   * 10000) in one transaction; returns how many. `avolve-db maintain` runs it; run it until it returns
   * less than `limit` to clear a backlog.
   * @example
   * ```ts
   * const released = await db.asService().tokens.releaseExpiredHolds({ limit: 500 }) // 12
   * ```
   */
  releaseExpiredHolds(options?: { limit?: number }): Promise<number>
}
