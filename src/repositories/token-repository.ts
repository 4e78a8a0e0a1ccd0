import type { TokenCode } from '../generated/vocabularies.js'
import type { Page } from '../schemas/pagination.js'
import type { AmountInput } from '../schemas/amount.js'
import type { TokenHistoryOptions, TransferInput } from '../schemas/tokens.js'
import type { TokenBalance, TokenTransaction } from './records.js'

/** The signed-in user's tokens. Both adapters implement it with the same results and errors. */
export interface TokenRepository {
  /**
   * The user's balances, one per token they have held.
   * @example const balances = await scope.tokens.balances()
   */
  balances(): Promise<TokenBalance[]>
  /**
   * The user's balance of one token as an exact decimal string, `"0"` when they never held it.
   * @example const gen = await scope.tokens.balance('GEN') // "69.5"
   */
  balance(tokenType: TokenCode): Promise<string>
  /**
   * Sends tokens from the user; returns the ledger row. Retrying with the same `idempotencyKey`
   * returns the same row and moves nothing again; without a key the SDK makes one, once per call,
   * so its own retries are safe too.
   * @throws InsufficientBalanceError when the balance is lower than the amount (nothing moves).
   * @example await scope.tokens.transfer({ to: bobId, tokenType: 'GEN', amount: '30.5', memo: 'workshop' })
   */
  transfer<A extends AmountInput>(input: TransferInput<A>): Promise<TokenTransaction>
  /**
   * A page of the ledger rows the user sent or received, newest first.
   * @example const page = await scope.tokens.history({ tokenType: 'GEN', limit: 20 })
   */
  history(options?: TokenHistoryOptions): Promise<Page<TokenTransaction>>
}
