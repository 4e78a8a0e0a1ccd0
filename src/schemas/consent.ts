import { z } from 'zod'
import { consentStatuses, interactionTypes } from '../generated/vocabularies.js'
import { limits } from './limits.js'
import { cursorSchema, pageSizeSchema } from './pagination.js'
import { storableText, timestampInputSchema, uuidSchema } from './primitives.js'

/** One of the interaction types in public.consent_interaction_types. */
export const interactionTypeSchema = z.enum(interactionTypes, { error: `expected one of: ${interactionTypes.join(', ')}` })

/** One of the consent statuses (the enum public.consent_status). */
export const consentStatusSchema = z.enum(consentStatuses, { error: `expected one of: ${consentStatuses.join(', ')}` })

/**
 * A character that shows something: neither white space (Unicode White_Space: tab, line breaks,
 * U+00A0, U+3000, ...) nor invisible by definition (Default_Ignorable_Code_Point: U+200B, U+2060,
 * U+FEFF, ...) nor a control character. A term without one is blank. The database's
 * private.term_is_blank spells out the same code points, and test/database/consent-terms.test.ts
 * compares the two on every code point.
 */
const visibleCharacter = /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}]/u

/**
 * Terms consented to: 1 to 100 strings of at most 10000 characters, each with a visible character.
 *
 * ```ts
 * termsSchema.parse(['tos-2026-12']) // ok
 * termsSchema.safeParse(['\u200b']).success // false: a zero-width space shows nothing
 * ```
 */
export const termsSchema = z
  .array(
    storableText
      .refine((t) => visibleCharacter.test(t), { error: 'a term cannot be blank (only white space, invisible or control characters)' })
      .refine((t) => t.length <= limits.maxTermLength, { error: `a term has at most ${limits.maxTermLength} characters` }),
    { error: 'terms must be an array of strings' },
  )
  .min(1, { error: 'consent needs at least one term' })
  .max(limits.maxTerms, { error: `at most ${limits.maxTerms} terms` })

export const recordConsentInputSchema = z.strictObject({ interactionType: interactionTypeSchema, terms: termsSchema })
export type RecordConsentInput = z.input<typeof recordConsentInputSchema>

export const updateConsentStatusInputSchema = z.strictObject({ id: uuidSchema, status: consentStatusSchema })
export type UpdateConsentStatusInput = z.input<typeof updateConsentStatusInputSchema>

/** Filters and page of `consent.list()`: `since` inclusive, `until` exclusive. */
export const consentListOptionsSchema = z
  .strictObject({
    interactionType: interactionTypeSchema.optional(),
    status: consentStatusSchema.optional(),
    since: timestampInputSchema.optional(),
    until: timestampInputSchema.optional(),
    limit: pageSizeSchema,
    cursor: cursorSchema.optional(),
  })
  .refine((o) => !o.since || !o.until || o.since < o.until, { error: 'since must be before until', path: ['until'] })
export type ConsentListOptions = z.input<typeof consentListOptionsSchema>
export type ParsedConsentListOptions = z.output<typeof consentListOptionsSchema>
