import { z } from 'zod'
import { consentStatuses, interactionTypes } from '../generated/vocabularies.js'
import { limits } from './limits.js'
import { cursorSchema, pageSizeSchema } from './pagination.js'
import { storableText, timestampInputSchema, uuidSchema } from './primitives.js'

/**
 * One of the interaction types in public.consent_interaction_types.
 *
 * @example
 * ```ts
 * import { interactionTypeSchema } from '@avolve/db/schemas'
 *
 * interactionTypeSchema.parse('data_sharing') // 'data_sharing'
 * interactionTypeSchema.safeParse('newsletter').success // false
 * ```
 */
export const interactionTypeSchema = z.enum(interactionTypes, { error: `expected one of: ${interactionTypes.join(', ')}` })

/**
 * One of the consent statuses (the enum public.consent_status).
 *
 * @example
 * ```ts
 * import { consentStatusSchema } from '@avolve/db/schemas'
 *
 * consentStatusSchema.parse('withdrawn') // 'withdrawn'
 * ```
 */
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
 * @example
 * ```ts
 * import { termsSchema } from '@avolve/db/schemas'
 *
 * termsSchema.parse(['tos-2026-12']) // ['tos-2026-12']
 * termsSchema.safeParse(['\u200b']).success // false: a zero-width space shows nothing
 * ```
 */
export const termsSchema = z
  .array(
    storableText
      .refine((t) => visibleCharacter.test(t), { error: 'a term cannot be blank (only white space, invisible or control characters)' })
      // zod counts characters (code points) as PostgreSQL's char_length does, not UTF-16 units.
      .max(limits.maxTermLength, { error: `a term has at most ${limits.maxTermLength} characters` }),
    { error: 'terms must be an array of strings' },
  )
  .min(1, { error: 'consent needs at least one term' })
  .max(limits.maxTerms, { error: `at most ${limits.maxTerms} terms` })

/**
 * What `consent.record(interactionType, terms)` accepts, as one object: for a form that collects it.
 *
 * @example
 * ```ts
 * import { recordConsentInputSchema } from '@avolve/db/schemas'
 *
 * const input = recordConsentInputSchema.parse(Object.fromEntries(formData)) // { interactionType: 'terms_of_service', terms: ['tos-2026-12'] }
 * await me.consent.record(input.interactionType, input.terms)
 * ```
 */
export const recordConsentInputSchema = z.strictObject({ interactionType: interactionTypeSchema, terms: termsSchema })
/**
 * The input of {@link recordConsentInputSchema}.
 *
 * @example
 * ```ts
 * import type { RecordConsentInput } from '@avolve/db'
 *
 * const input: RecordConsentInput = { interactionType: 'privacy_policy', terms: ['pp-v3'] }
 * ```
 */
export type RecordConsentInput = z.input<typeof recordConsentInputSchema>

/**
 * What `consent.updateStatus(id, status)` accepts, as one object.
 *
 * @example
 * ```ts
 * import { updateConsentStatusInputSchema } from '@avolve/db/schemas'
 *
 * updateConsentStatusInputSchema.safeParse({ id: recordId, status: 'maybe' }).success // false
 * ```
 */
export const updateConsentStatusInputSchema = z.strictObject({ id: uuidSchema, status: consentStatusSchema })
/**
 * The input of {@link updateConsentStatusInputSchema}.
 *
 * @example
 * ```ts
 * import type { UpdateConsentStatusInput } from '@avolve/db'
 *
 * const change: UpdateConsentStatusInput = { id: record.id, status: 'withdrawn' }
 * await me.consent.updateStatus(change.id, change.status)
 * ```
 */
export type UpdateConsentStatusInput = z.input<typeof updateConsentStatusInputSchema>

/**
 * Filters and page of `consent.list()`: `since` inclusive, `until` exclusive.
 *
 * @example
 * ```ts
 * import { consentListOptionsSchema } from '@avolve/db/schemas'
 *
 * consentListOptionsSchema.parse({ status: 'approved' }) // { status: 'approved', limit: 20 }
 * consentListOptionsSchema.safeParse({ since: '2026-12-02T00:00:00Z', until: '2026-12-01T00:00:00Z' }).success // false
 * ```
 */
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
/**
 * The options of `consent.list()`.
 *
 * @example
 * ```ts
 * import type { ConsentListOptions } from '@avolve/db'
 *
 * const options: ConsentListOptions = { interactionType: 'data_sharing', since: new Date('2026-12-01'), limit: 50 }
 * const page = await me.consent.list(options)
 * ```
 */
export type ConsentListOptions = z.input<typeof consentListOptionsSchema>
