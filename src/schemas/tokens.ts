import { z } from 'zod'
import { tokenCodes, tokenTypeRows, type TokenCode } from '../generated/vocabularies.js'
import { decimalPlaces } from '../values/decimal.js'
import { amountSchema, type AmountInput, type CheckedAmount } from './amount.js'
import { limits } from './limits.js'
import { cursorSchema, entryCursorSchema, pageSizeSchema } from './pagination.js'
import { storableText, timestampInputSchema, uuidSchema } from './primitives.js'

/** One of the token codes in public.token_types. */
export const tokenCodeSchema = z.enum(tokenCodes, { error: `expected a token code: ${tokenCodes.join(', ')}` })

export const memoSchema = storableText.max(limits.maxMemoLength, { error: `a memo has at most ${limits.maxMemoLength} characters` })

const tokenRules = new Map<string, { decimals: number; transferable: boolean }>(
  tokenTypeRows.map((t) => [t.code, { decimals: t.decimals, transferable: t.transferable }]),
)

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

/** A transfer from the signed-in user. Without an idempotency key the SDK makes one, once. */
export const transferInputSchema = z
  .strictObject(movementFields)
  .superRefine((input, ctx) => {
    if (tokenRules.get(input.tokenType)?.transferable === false) {
      ctx.addIssue({ code: 'custom', path: ['tokenType'], message: `${input.tokenType} cannot be transferred` })
    }
    withinTokenDecimals(input, ctx)
  })
/**
 * A transfer's input; with the amount's type `A` inferred at a call, a number literal that is not a
 * non-negative integer does not compile ({@link CheckedAmount}).
 */
export type TransferInput<A extends AmountInput = AmountInput> = WithAmount<z.input<typeof transferInputSchema>, A>

/** `T` with its amount checked as far as its type `A` allows. */
type WithAmount<T extends { amount: AmountInput }, A extends AmountInput> = Omit<T, 'amount'> & { amount: A & CheckedAmount<A> }

/** A transfer made by the service role, from any user. */
export const serviceTransferInputSchema = z.strictObject({ from: uuidSchema, ...movementFields }).superRefine(withinTokenDecimals)
export type ServiceTransferInput<A extends AmountInput = AmountInput> = WithAmount<z.input<typeof serviceTransferInputSchema>, A>

/** Tokens created for a user (service role only). */
export const mintInputSchema = z.strictObject(movementFields).superRefine(withinTokenDecimals)
export type MintInput<A extends AmountInput = AmountInput> = WithAmount<z.input<typeof mintInputSchema>, A>

/** Filters and page of `tokens.history()`. */
export const tokenHistoryOptionsSchema = z.strictObject({
  tokenType: tokenCodeSchema.optional(),
  limit: pageSizeSchema,
  cursor: cursorSchema.optional(),
})
export type TokenHistoryOptions = z.input<typeof tokenHistoryOptionsSchema>
export type ParsedTokenHistoryOptions = z.output<typeof tokenHistoryOptionsSchema>

/** The instant of `tokens.balanceAt()`: an ISO 8601 string with an offset, or a Date. */
export const balanceAtInstantSchema = timestampInputSchema

/**
 * What `tokens.statement()` covers: one token over the period [`from`, `to`) (from the first movement,
 * and up to now, when left out), a page of its movements oldest first.
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
export type TokenStatementOptions = z.input<typeof tokenStatementOptionsSchema>
