import type { AmountInput } from '../schemas/amount.js'
import type { MintInput, ServiceBatchTransferInput, ServiceTransferInput, TransferBatchOptions } from '../schemas/tokens.js'
import type { TokenTransaction, TransferBatchResult } from './records.js'
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
}
