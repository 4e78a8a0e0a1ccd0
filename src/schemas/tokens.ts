import { z } from 'zod'
import { tokenCodes, tokenHoldStatuses, tokenTypeRows, type TokenCode } from '../generated/vocabularies.js'
import { decimalPlaces } from '../values/decimal.js'
import { amountSchema, type AmountInput, type CheckedAmount } from './amount.js'
import { limits } from './limits.js'
import { cursorSchema, entryCursorSchema, pageSizeSchema } from './pagination.js'
import { storableText, timestampInputSchema, uuidSchema } from './primitives.js'

/**
 * One of the token codes in public.token_types.
 *
 * @example
 * ```ts
 * import { tokenCodeSchema } from '@avolve/db/schemas'
 *
 * tokenCodeSchema.parse('GEN') // 'GEN'
 * tokenCodeSchema.safeParse('gen').success // false: codes are upper case
 * ```
 */
export const tokenCodeSchema = z.enum(tokenCodes, { error: `expected a token code: ${tokenCodes.join(', ')}` })

/**
 * A transfer's or a mint's memo: storable text of at most 500 characters.
 *
 * @example
 * ```ts
 * import { memoSchema } from '@avolve/db/schemas'
 *
 * memoSchema.safeParse('m'.repeat(501)).success // false
 * ```
 */
export const memoSchema = storableText.max(limits.maxMemoLength, { error: `a memo has at most ${limits.maxMemoLength} characters` })

const tokenRules = new Map<string, { decimals: number; transferable: boolean }>(tokenTypeRows.map((t) => [t.code, { decimals: t.decimals, transferable: t.transferable }]))

/** Refuses an amount with more decimal places than its token allows (public.token_types.decimals). */
function withinTokenDecimals(input: { tokenType: TokenCode; amount: string }, ctx: z.RefinementCtx): void {
  const rule = tokenRules.get(input.tokenType)
  if (rule && decimalPlaces(input.amount) > rule.decimals) {
    ctx.addIssue({ code: 'custom', path: ['amount'], message: `${input.tokenType} allows ${rule.decimals} decimal places` })
  }
}

/** What every movement of tokens names: who receives, which token, how much, and its request key. */
const movementFields = {
  to: uuidSchema,
  tokenType: tokenCodeSchema,
  amount: amountSchema,
  idempotencyKey: uuidSchema.optional(),
  memo: memoSchema.optional(),
}

/**
 * A transfer from the signed-in user. Without an idempotency key the SDK makes one, once.
 *
 * @example
 * ```ts
 * import { transferInputSchema } from '@avolve/db/schemas'
 *
 * transferInputSchema.parse({ to: bobId, tokenType: 'GEN', amount: '012.50' }) // { to: bobId, tokenType: 'GEN', amount: '12.5' }
 * transferInputSchema.safeParse({ to: bobId, tokenType: 'GEN', amount: 0.1 }).success // false: write decimals as strings
 * ```
 */
export const transferInputSchema = z.strictObject(movementFields).superRefine((input, ctx) => transferable(input, ctx))
/**
 * A transfer's input; with the amount's type `A` inferred at a call, a number literal that is not a
 * non-negative integer does not compile (`CheckedAmount`).
 *
 * @example
 * ```ts
 * import type { TransferInput } from '@avolve/db'
 *
 * const input: TransferInput = { to: bobId, tokenType: 'GEN', amount: '30.5', memo: 'workshop' }
 * await me.tokens.transfer(input)
 * ```
 */
export type TransferInput<A extends AmountInput = AmountInput> = WithAmount<z.input<typeof transferInputSchema>, A>

/** `T` with its amount checked as far as its type `A` allows. */
type WithAmount<T extends { amount: AmountInput }, A extends AmountInput> = Omit<T, 'amount'> & { amount: A & CheckedAmount<A> }

/**
 * A transfer made by the service role, from any user.
 *
 * @example
 * ```ts
 * import { serviceTransferInputSchema } from '@avolve/db/schemas'
 *
 * serviceTransferInputSchema.safeParse({ to: bobId, tokenType: 'SAP', amount: '5' }).success // false: from is required
 * ```
 */
export const serviceTransferInputSchema = z.strictObject({ from: uuidSchema, ...movementFields }).superRefine(withinTokenDecimals)
/**
 * The input of a service-role transfer (`asService().tokens.transfer()`).
 *
 * @example
 * ```ts
 * import type { ServiceTransferInput } from '@avolve/db'
 *
 * const input: ServiceTransferInput = { from: aliceId, to: bobId, tokenType: 'SAP', amount: 5n }
 * await db.asService().tokens.transfer(input)
 * ```
 */
export type ServiceTransferInput<A extends AmountInput = AmountInput> = WithAmount<z.input<typeof serviceTransferInputSchema>, A>

/** A user's transfer rules: a transferable token, and no more decimal places than it allows. */
function transferable(input: { tokenType: TokenCode; amount: string }, ctx: z.RefinementCtx): void {
  if (tokenRules.get(input.tokenType)?.transferable === false) {
    ctx.addIssue({ code: 'custom', path: ['tokenType'], message: `${input.tokenType} cannot be transferred` })
  }
  withinTokenDecimals(input, ctx)
}

/** What one transfer of a batch names: a movement without a key of its own (the batch has one). */
const { idempotencyKey: _, ...batchItemFields } = movementFields

/** A batch's own options: its one idempotency key (made once by the SDK when left out). */
export const transferBatchOptionsSchema = z.strictObject({ idempotencyKey: uuidSchema.optional() })
/**
 * The options of `tokens.transferBatch()`.
 *
 * @example
 * ```ts
 * import type { TransferBatchOptions } from '@avolve/db'
 *
 * const options: TransferBatchOptions = { idempotencyKey: orderId }
 * ```
 */
export type TransferBatchOptions = z.input<typeof transferBatchOptionsSchema>

/**
 * The transfers of a user's batch: 1 to `limits.maxBatchTransfers`, each from the signed-in user.
 *
 * @example
 * ```ts
 * import { transferBatchSchema } from '@avolve/db/schemas'
 *
 * transferBatchSchema.parse([{ to: bobId, tokenType: 'GEN', amount: '5' }]) // [{ to: bobId, tokenType: 'GEN', amount: '5' }]
 * transferBatchSchema.safeParse([]).success // false: a batch has at least one transfer
 * ```
 */
export const transferBatchSchema = z
  .array(z.strictObject(batchItemFields).superRefine(transferable))
  .min(1, { error: 'a batch has at least one transfer' })
  .max(limits.maxBatchTransfers, { error: `a batch has at most ${limits.maxBatchTransfers} transfers` })
/**
 * One transfer of `me.tokens.transferBatch()`.
 *
 * @example
 * ```ts
 * import type { BatchTransferInput } from '@avolve/db'
 *
 * const pay: BatchTransferInput = { to: bobId, tokenType: 'GEN', amount: '5', memo: 'review' }
 * ```
 */
export type BatchTransferInput = z.input<typeof transferBatchSchema>[number]

/**
 * The transfers of a service-role batch: each names its sender.
 *
 * @example
 * ```ts
 * import { serviceTransferBatchSchema } from '@avolve/db/schemas'
 *
 * serviceTransferBatchSchema.safeParse([{ to: bobId, tokenType: 'GEN', amount: '5' }]).success // false: from is required
 * ```
 */
export const serviceTransferBatchSchema = z
  .array(z.strictObject({ from: uuidSchema, ...batchItemFields }).superRefine(withinTokenDecimals))
  .min(1, { error: 'a batch has at least one transfer' })
  .max(limits.maxBatchTransfers, { error: `a batch has at most ${limits.maxBatchTransfers} transfers` })
/**
 * One transfer of `asService().tokens.transferBatch()`.
 *
 * @example
 * ```ts
 * import type { ServiceBatchTransferInput } from '@avolve/db'
 *
 * const move: ServiceBatchTransferInput = { from: aliceId, to: bobId, tokenType: 'SAP', amount: 5n }
 * ```
 */
export type ServiceBatchTransferInput = z.input<typeof serviceTransferBatchSchema>[number]

const holdFields = {
  ...movementFields,
  /** Seconds until the hold expires: 1 to `limits.maxHoldSeconds` (30 days). */
  expiresIn: z
    .number({ error: 'expiresIn is a number of seconds' })
    .int({ error: 'expiresIn is a whole number of seconds' })
    .min(1, { error: 'a hold lasts at least 1 second' })
    .max(limits.maxHoldSeconds, { error: `a hold lasts at most ${limits.maxHoldSeconds} seconds (30 days)` }),
}

/**
 * A hold made by the signed-in user: `amount` of their available balance reserved for `to` for
 * `expiresIn` seconds, until the payee (or the service) captures or releases it.
 *
 * @example
 * ```ts
 * import { holdInputSchema } from '@avolve/db/schemas'
 *
 * holdInputSchema.parse({ to: sellerId, tokenType: 'GEN', amount: '25', expiresIn: 3600 }) // { to: sellerId, tokenType: 'GEN', amount: '25', expiresIn: 3600 }
 * holdInputSchema.safeParse({ to: sellerId, tokenType: 'GEN', amount: '25', expiresIn: 0 }).success // false
 * ```
 */
export const holdInputSchema = z.strictObject(holdFields).superRefine(transferable)
/**
 * The input of `me.tokens.hold()`.
 *
 * @example
 * ```ts
 * import type { HoldInput } from '@avolve/db'
 *
 * const order: HoldInput = { to: sellerId, tokenType: 'GEN', amount: '25', expiresIn: 7 * 24 * 3600, idempotencyKey: orderId }
 * ```
 */
export type HoldInput<A extends AmountInput = AmountInput> = WithAmount<z.input<typeof holdInputSchema>, A>

/**
 * A hold made by the service role, from any user.
 *
 * @example
 * ```ts
 * import { serviceHoldInputSchema } from '@avolve/db/schemas'
 *
 * serviceHoldInputSchema.safeParse({ to: sellerId, tokenType: 'GEN', amount: '25', expiresIn: 60 }).success // false: from is required
 * ```
 */
export const serviceHoldInputSchema = z.strictObject({ from: uuidSchema, ...holdFields }).superRefine(withinTokenDecimals)
/**
 * The input of `asService().tokens.hold()`.
 *
 * @example
 * ```ts
 * import type { ServiceHoldInput } from '@avolve/db'
 *
 * const order: ServiceHoldInput = { from: buyerId, to: sellerId, tokenType: 'GEN', amount: '25', expiresIn: 3600 }
 * ```
 */
export type ServiceHoldInput<A extends AmountInput = AmountInput> = WithAmount<z.input<typeof serviceHoldInputSchema>, A>

/**
 * A capture's options: `amount` to post part of the hold (the rest is released); all of it when left out.
 *
 * @example
 * ```ts
 * import { captureOptionsSchema } from '@avolve/db/schemas'
 *
 * captureOptionsSchema.parse({ amount: '20' }) // { amount: '20' }
 * ```
 */
export const captureOptionsSchema = z.strictObject({ amount: amountSchema.optional() })
/**
 * The options of `tokens.capture()`.
 *
 * @example
 * ```ts
 * import type { CaptureOptions } from '@avolve/db'
 *
 * const partial: CaptureOptions = { amount: '20' }
 * ```
 */
export type CaptureOptions = z.input<typeof captureOptionsSchema>

/**
 * Options of `tokens.holds()`: a page of the holds the user pays or is paid by, newest first.
 *
 * @example
 * ```ts
 * import { holdListOptionsSchema } from '@avolve/db/schemas'
 *
 * holdListOptionsSchema.parse({ status: 'pending', limit: 10 }) // { status: 'pending', limit: 10 }
 * ```
 */
export const holdListOptionsSchema = z.strictObject({
  status: z.enum(tokenHoldStatuses).optional(),
  limit: pageSizeSchema,
  cursor: cursorSchema.optional(),
})
/**
 * The options of `tokens.holds()`.
 *
 * @example
 * ```ts
 * import type { HoldListOptions } from '@avolve/db'
 *
 * const pending: HoldListOptions = { status: 'pending' }
 * ```
 */
export type HoldListOptions = z.input<typeof holdListOptionsSchema>

/**
 * Tokens created for a user (service role only).
 *
 * @example
 * ```ts
 * import { mintInputSchema } from '@avolve/db/schemas'
 *
 * mintInputSchema.parse({ to: userId, tokenType: 'GEN', amount: 100 }) // { to: userId, tokenType: 'GEN', amount: '100' }
 * ```
 */
export const mintInputSchema = z.strictObject(movementFields).superRefine(withinTokenDecimals)
/**
 * The input of `asService().tokens.mint()`.
 *
 * @example
 * ```ts
 * import type { MintInput } from '@avolve/db'
 *
 * const input: MintInput = { to: userId, tokenType: 'GEN', amount: '100', idempotencyKey: signupBonusKey }
 * await db.asService().tokens.mint(input)
 * ```
 */
export type MintInput<A extends AmountInput = AmountInput> = WithAmount<z.input<typeof mintInputSchema>, A>

/**
 * Filters and page of `tokens.history()`.
 *
 * @example
 * ```ts
 * import { tokenHistoryOptionsSchema } from '@avolve/db/schemas'
 *
 * tokenHistoryOptionsSchema.parse({ tokenType: 'GEN' }) // { tokenType: 'GEN', limit: 20 }
 * ```
 */
export const tokenHistoryOptionsSchema = z.strictObject({
  tokenType: tokenCodeSchema.optional(),
  limit: pageSizeSchema,
  cursor: cursorSchema.optional(),
})
/**
 * The options of `tokens.history()`.
 *
 * @example
 * ```ts
 * import type { TokenHistoryOptions } from '@avolve/db'
 *
 * const options: TokenHistoryOptions = { tokenType: 'GEN', limit: 50 }
 * const page = await me.tokens.history(options) // { items: [...], nextCursor: 'eyJ…' | null }
 * ```
 */
export type TokenHistoryOptions = z.input<typeof tokenHistoryOptionsSchema>

/**
 * The instant of `tokens.balanceAt()`: an ISO 8601 string with an offset, or a Date.
 *
 * @example
 * ```ts
 * import { balanceAtInstantSchema } from '@avolve/db/schemas'
 *
 * balanceAtInstantSchema.parse(new Date('2026-12-01T00:00:00Z')) // '2026-12-01T00:00:00.000000Z'
 * ```
 */
export const balanceAtInstantSchema = timestampInputSchema

/**
 * What `tokens.statement()` covers: one token over the period [`from`, `to`) (from the first movement,
 * and up to now, when left out), a page of its movements oldest first.
 *
 * @example
 * ```ts
 * import { tokenStatementOptionsSchema } from '@avolve/db/schemas'
 *
 * tokenStatementOptionsSchema.safeParse({ tokenType: 'GEN', from: '2027-01-01T00:00:00Z', to: '2026-12-01T00:00:00Z' }).success // false
 * ```
 */
export const tokenStatementOptionsSchema = z
  .strictObject({
    tokenType: tokenCodeSchema,
    from: timestampInputSchema.optional(),
    to: timestampInputSchema.optional(),
    limit: pageSizeSchema,
    cursor: entryCursorSchema.optional(),
  })
  .refine((o) => o.from === undefined || o.to === undefined || o.from <= o.to, { path: ['to'], error: 'to must not be before from' })
/**
 * The options of `tokens.statement()`.
 *
 * @example
 * ```ts
 * import type { TokenStatementOptions } from '@avolve/db'
 *
 * const december: TokenStatementOptions = { tokenType: 'GEN', from: '2026-12-01T00:00:00Z', to: '2027-01-01T00:00:00Z', limit: 100 }
 * const statement = await me.tokens.statement(december)
 * ```
 */
export type TokenStatementOptions = z.input<typeof tokenStatementOptionsSchema>
