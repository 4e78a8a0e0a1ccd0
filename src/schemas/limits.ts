/**
 * The database's limits, for validating before a request. The database enforces each of them itself
 * (check constraints and function checks in migrations/); test/sdk/limits.test.ts proves both agree.
 *
 * @example
 * ```ts
 * import { limits } from '@avolve/db/schemas'
 *
 * const memoField = { maxLength: limits.maxMemoLength } // 500
 * ```
 */
export const limits = {
  /** private.terms_are_valid: 1 to 100 terms */
  maxTerms: 100,
  /** private.terms_are_valid: each term at most 10000 characters */
  maxTermLength: 10_000,
  /** token_transactions_memo_length */
  maxMemoLength: 500,
  /** private.check_token_amount: amount < 10^20 */
  maxAmountIntegerDigits: 20,
  /** token_types.decimals between 0 and 18 */
  maxDecimals: 18,
  /** users.display_name between 1 and 100 characters */
  maxDisplayNameLength: 100,
  /** private.transfer_tokens_batch: 1 to 100 transfers per batch */
  maxBatchTransfers: 100,
  /** private.hold_tokens: a hold expires 1 second to 30 days after it is made */
  maxHoldSeconds: 2_592_000,
  /** pages of lists and histories */
  maxPageSize: 100,
  defaultPageSize: 20,
} as const
