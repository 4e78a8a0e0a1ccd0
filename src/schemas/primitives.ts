import { z } from 'zod'
import { timestampInput } from '../values/timestamp.js'

/** A UUID's 8-4-4-4-12 hex form, in lowercase as PostgreSQL writes it. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The same form in either case: the database accepts both. */
const ANY_CASE_UUID = new RegExp(UUID.source, 'i')

/** Whether `s` is a UUID as PostgreSQL writes it (lowercase 8-4-4-4-12 hex), as ids the SDK read are. */
export function isCanonicalUuid(s: string): boolean {
  return UUID.test(s)
}

/**
 * A UUID in the 8-4-4-4-12 hex form (any version: the database accepts them all), lowercased.
 *
 * @example
 * ```ts
 * import { uuidSchema } from '@avolve/db/schemas'
 *
 * uuidSchema.parse('123E4567-E89B-12D3-A456-426614174000') // '123e4567-e89b-12d3-a456-426614174000'
 * uuidSchema.safeParse('42').success // false
 * ```
 */
export const uuidSchema = z
  .string({ error: 'expected a UUID string' })
  .regex(ANY_CASE_UUID, { error: 'expected a UUID like 123e4567-e89b-12d3-a456-426614174000' })
  .transform((s) => s.toLowerCase())

/** A UTF-16 surrogate not paired with its other half: with the `u` flag a whole pair is one code point, outside this class. */
const loneSurrogate = /\p{Cs}/u

/**
 * Text PostgreSQL can store: no NUL characters, and no half of a UTF-16 surrogate pair (which is no
 * character at all: `pg` would store it as U+FFFD, PostgREST would refuse it).
 *
 * @example
 * ```ts
 * import { storableText } from '@avolve/db/schemas'
 *
 * storableText.parse('thanks 😀') // 'thanks 😀'
 * storableText.safeParse('a\u0000b').success // false
 * storableText.safeParse('a\uD800b').success // false
 * ```
 */
export const storableText = z
  .string({ error: 'expected a string' })
  .refine((s) => !s.includes('\u0000'), { error: 'text cannot contain NUL (\\u0000) characters' })
  .refine((s) => !loneSurrogate.test(s), { error: 'text cannot contain half of a UTF-16 surrogate pair (a character cut in two)' })

/**
 * A point in time: an ISO 8601 string with an offset, or a Date; normalised to canonical UTC.
 *
 * @example
 * ```ts
 * import { timestampInputSchema } from '@avolve/db/schemas'
 *
 * timestampInputSchema.parse('2026-12-01T10:00:00+01:00') // '2026-12-01T09:00:00.000000Z'
 * timestampInputSchema.safeParse('yesterday').success // false
 * ```
 */
export const timestampInputSchema = z.union([z.iso.datetime({ offset: true, error: 'expected an ISO 8601 timestamp with an offset, like 2026-12-01T09:00:00Z' }), z.date()]).transform((v, ctx) => {
  try {
    return timestampInput(v)
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected a valid timestamp' })
    return z.NEVER
  }
})

const int8 = z.string().regex(/^[+-]?\d{1,19}$/, { error: 'expected a 64-bit integer written as a string' })
const float8 = z.number()
const json = z.json()

/**
 * zod schemas of the database's types as the database accepts them, by catalog type name (aliases
 * validated like the type they stand for). The generated `rpcArgSchemas` validate each function
 * argument with the schema of its type; a type not listed here is `unknown`.
 */
export const pgTypeSchemas = {
  text: storableText,
  varchar: storableText,
  bpchar: storableText,
  citext: storableText,
  name: storableText,
  uuid: uuidSchema,
  numeric: z.string().regex(/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/, { error: 'expected a decimal number written as a string' }),
  int8,
  int4: z.number().int().min(-2147483648).max(2147483647),
  int2: z.number().int().min(-32768).max(32767),
  float8,
  float4: float8,
  bool: z.boolean(),
  // The database reads a timestamp without an offset in the session's time zone.
  timestamptz: z.iso.datetime({ offset: true, local: true, error: 'expected an ISO 8601 timestamp' }),
  jsonb: json,
  json,
  unknown: z.unknown(),
} as const
