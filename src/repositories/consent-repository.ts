import type { ConsentStatus, InteractionType } from '../generated/vocabularies.js'
import type { ConsentListOptions } from '../schemas/consent.js'
import type { Page } from '../schemas/pagination.js'
import type { ConsentHistoryEntry, ConsentRecord } from './records.js'

/**
 * The signed-in user's consent records. Both adapters implement it with the same results and errors.
 *
 * @example
 * ```ts
 * import { createAvolveDb } from '@avolve/db/server'
 *
 * const me = await createAvolveDb({ connection: process.env.DATABASE_URL!, jwt: { secret } }).asUser(accessToken)
 * const consent = me.consent // ConsentRepository; in the browser: createAvolveClient(supabase).consent
 * ```
 */
export interface ConsentRepository {
  /**
   * Records the user's approved consent to `terms` for `interactionType`.
   * @throws ValidationError for an unknown interaction type or terms that are empty, blank or too long.
   * @example
   * ```ts
   * const record = await me.consent.record('terms_of_service', ['tos-2026-12'])
   * // { id: '…', user_id: me.userId, interaction_type: 'terms_of_service', status: 'approved', terms: ['tos-2026-12'], created_at: '2026-12-01T09:00:00.000000Z', … }
   * ```
   */
  record(interactionType: InteractionType, terms: readonly string[]): Promise<ConsentRecord>
  /**
   * Moves one of the user's records to `status` (pending→approved, pending→rejected, approved→withdrawn).
   * @throws InvalidTransitionError for any other change; NotFoundError when the record is not the user's.
   * @example
   * ```ts
   * const withdrawn = await me.consent.updateStatus(record.id, 'withdrawn') // { id: record.id, status: 'withdrawn', … }
   * ```
   */
  updateStatus(id: string, status: ConsentStatus): Promise<ConsentRecord>
  /**
   * A page of the user's records, newest first; pass `nextCursor` back for the next page. Pages are
   * stable under inserts: new records never shift or repeat rows of later pages.
   * @example
   * ```ts
   * const first = await me.consent.list({ interactionType: 'data_sharing', limit: 50 }) // { items: [...], nextCursor: 'eyJ…' }
   * const second = first.nextCursor ? await me.consent.list({ interactionType: 'data_sharing', limit: 50, cursor: first.nextCursor }) : null
   * ```
   */
  list(options?: ConsentListOptions): Promise<Page<ConsentRecord>>
  /**
   * True when the user holds an approved consent of this type (withdrawn ones do not count).
   * @example
   * ```ts
   * if (!(await me.consent.has('data_sharing'))) redirect('/consent')
   * ```
   */
  has(interactionType: InteractionType): Promise<boolean>
  /**
   * The audit trail of one of the user's records: its creation and every status change, oldest first.
   * @throws NotFoundError when the record is not the user's.
   * @example
   * ```ts
   * const trail = await me.consent.history(record.id)
   * // [{ from_status: null, to_status: 'approved', actor_role: 'authenticated', … }, { from_status: 'approved', to_status: 'withdrawn', … }]
   * ```
   */
  history(id: string): Promise<ConsentHistoryEntry[]>
}
