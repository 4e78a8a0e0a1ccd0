import { z } from 'zod'
import { canonicalDecimal, decimalPlaces, integerDigits, isZero } from '../values/decimal.js'
import { limits } from './limits.js'

/**
 * An amount as callers may write it: a decimal string, a bigint, or a safe integer.
 *
 * @example
 * ```ts
 * import type { AmountInput } from '@avolve/db'
 *
 * const amounts: AmountInput[] = ['12.5', 30n, 7]
 * ```
 */
export type AmountInput = string | bigint | number

/**
 * What TypeScript can check of an amount `A` before the run-time check: a number literal must be a
 * non-negative integer (`1.5`, `-1` and `1e21` do not compile: write decimals as strings, like
 * `'1.5'`). A `number` that is not a literal, a string or a bigint is checked at run time only.
 *
 * @example
 * ```ts
 * await me.tokens.transfer({ to, tokenType: 'GEN', amount: '1.5' }) // ok
 * await me.tokens.transfer({ to, tokenType: 'GEN', amount: 2 }) // ok
 * // @ts-expect-error a number amount must be an integer
 * await me.tokens.transfer({ to, tokenType: 'GEN', amount: 1.5 })
 * ```
 */
export type CheckedAmount<A> = A extends number ? (number extends A ? number : `${A}` extends `-${string}` ? never : `${A}` extends `${bigint}` ? A : never) : A

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/

/**
 * A token amount: greater than zero, less than 10^20, at most 18 decimal places, normalised to its
 * canonical decimal string (`"0012.50"` -> `"12.5"`). A JavaScript number is accepted only when it
 * is a safe integer: a double cannot hold most decimals exactly, so `0.1` is refused (write `"0.1"`).
 *
 * @example
 * ```ts
 * import { amountSchema } from '@avolve/db/schemas'
 *
 * amountSchema.parse('0012.50') // '12.5'
 * amountSchema.parse(5n) // '5'
 * amountSchema.safeParse(0.1).success // false
 * ```
 */
export const amountSchema = z.union([z.string(), z.bigint(), z.number()], { error: 'expected an amount: a decimal string, a bigint or a safe integer' }).transform((value, ctx): string => {
  let text: string
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      ctx.addIssue({ code: 'custom', message: `a JavaScript number amount must be a safe integer (got ${value}); write decimals as a string, like "12.5"` })
      return z.NEVER
    }
    text = String(value)
  } else if (typeof value === 'bigint') {
    text = value.toString()
  } else {
    text = value
  }
  if (!PLAIN_DECIMAL.test(text)) {
    ctx.addIssue({ code: 'custom', message: `an amount is a positive decimal number like "12.5", without sign, exponent or spaces (got ${JSON.stringify(text.slice(0, 40))})` })
    return z.NEVER
  }
  const canonical = canonicalDecimal(text)
  if (isZero(canonical)) {
    ctx.addIssue({ code: 'custom', message: 'the amount must be greater than zero' })
    return z.NEVER
  }
  if (integerDigits(canonical) > limits.maxAmountIntegerDigits) {
    ctx.addIssue({ code: 'custom', message: 'the amount must be less than 10^20' })
    return z.NEVER
  }
  if (decimalPlaces(canonical) > limits.maxDecimals) {
    ctx.addIssue({ code: 'custom', message: `an amount has at most ${limits.maxDecimals} decimal places` })
    return z.NEVER
  }
  return canonical
})
