import type { ConsentStatus, InteractionType } from '../generated/vocabularies.js'
import type { ConsentListOptions } from '../schemas/consent.js'
import type { Page } from '../schemas/pagination.js'
import type { ConsentHistoryEntry, ConsentRecord } from './records.js'

/** The signed-in user's consent records. Both adapters implement it with the same results and errors. */
export interface ConsentRepository {
  /**
   * Records the user's approved consent to `terms` for `interactionType`.
   * @example await scope.consent.record('terms_of_service', ['tos-2026-12'])
   */
  record(interactionType: InteractionType, terms: readonly string[]): Promise<ConsentRecord>
  /**
   * Moves one of the user's records to `status` (pending→approved, pending→rejected, approved→withdrawn).
   * @throws InvalidTransitionError for any other change; NotFoundError when the record is not the user's.
   * @example await scope.consent.updateStatus(record.id, 'withdrawn')
   */
  updateStatus(id: string, status: ConsentStatus): Promise<ConsentRecord>
  /**
   * A page of the user's records, newest first; pass `nextCursor` back for the next page. Pages are
   * stable under inserts: new records never shift or repeat rows of later pages.
   * @example const { items, nextCursor } = await scope.consent.list({ interactionType: 'data_sharing', limit: 50 })
   */
  list(options?: ConsentListOptions): Promise<Page<ConsentRecord>>
  /**
   * True when the user holds an approved consent of this type (withdrawn ones do not count).
   * @example if (!(await scope.consent.has('data_sharing'))) redirect('/consent')
   */
  has(interactionType: InteractionType): Promise<boolean>
  /**
   * The audit trail of one of the user's records: its creation and every status change, oldest first.
   * @example const trail = await scope.consent.history(record.id)
   */
  history(id: string): Promise<ConsentHistoryEntry[]>
}
