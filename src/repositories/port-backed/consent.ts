import { NotFoundError } from '../../errors/avolve-error.js'
import { parseInput } from '../../errors/validation.js'
import type { ConsentStatus, InteractionType } from '../../generated/vocabularies.js'
import { consentListOptionsSchema, recordConsentInputSchema, updateConsentStatusInputSchema, type ConsentListOptions } from '../../schemas/consent.js'
import type { Page } from '../../schemas/pagination.js'
import { uuidSchema } from '../../schemas/primitives.js'
import type { ConsentRepository } from '../consent-repository.js'
import type { DataPort, Filter, UnitOfWork } from '../data-port.js'
import type { ConsentHistoryEntry, ConsentRecord } from '../records.js'
import { decodeRow } from '../row-codec.js'
import { actingUser } from './acting-user.js'
import { onlySelect } from './only-select.js'
import { keysetSelect, pageOf } from './paging.js'
import { rowById } from './row-by-id.js'

const consentById = (port: DataPort, id: string) => rowById<ConsentRecord>(port, 'user_consent', id)

/** ConsentRepository over any adapter's DataPort, for the user `userId`. */
export class PortConsentRepository implements ConsentRepository {
  constructor(
    private readonly work: UnitOfWork,
    /** Acts for this user (service scopes); the signed-in user when left out. */
    private readonly userId?: string,
  ) {}

  async record(interactionType: InteractionType, terms: readonly string[]): Promise<ConsentRecord> {
    const input = parseInput(recordConsentInputSchema, { interactionType, terms }, 'consent')
    return this.work.run(
      async (port) => {
        const id = await port.call('record_consent', { p_user_id: actingUser(port, this.userId), p_interaction_type: input.interactionType, p_terms: input.terms })
        return consentById(port, id)
      },
      // A retry after an unknown outcome could record the consent twice.
      { idempotent: false },
    )
  }

  async updateStatus(id: string, status: ConsentStatus): Promise<ConsentRecord> {
    const input = parseInput(updateConsentStatusInputSchema, { id, status }, 'status change')
    return this.work.run(
      async (port) => {
        await port.call('update_consent_status', { p_consent_id: input.id, p_status: input.status })
        return consentById(port, input.id)
      },
      // Applying the same change twice fails the second time (invalid transition), never doubles it.
      { idempotent: false },
    )
  }

  async list(options: ConsentListOptions = {}): Promise<Page<ConsentRecord>> {
    const o = parseInput(consentListOptionsSchema, options, 'list options')
    const filters: Filter<'user_consent'>[] = []
    if (o.interactionType) filters.push({ column: 'interaction_type', op: 'eq', value: o.interactionType })
    if (o.status) filters.push({ column: 'status', op: 'eq', value: o.status })
    if (o.since) filters.push({ column: 'created_at', op: 'gte', value: o.since })
    if (o.until) filters.push({ column: 'created_at', op: 'lt', value: o.until })
    const rows = await this.work.run((port) => onlySelect(port, keysetSelect('user_consent', [[{ column: 'user_id', op: 'eq', value: actingUser(port, this.userId) }, ...filters]], o, 'id', true)), {
      idempotent: true,
    })
    return pageOf(
      rows.map((r) => decodeRow<ConsentRecord>('user_consent', r)),
      o.limit,
      (r) => r.created_at,
    )
  }

  async has(interactionType: InteractionType): Promise<boolean> {
    const input = parseInput(recordConsentInputSchema.pick({ interactionType: true }), { interactionType }, 'interaction type')
    const rows = await this.work.run(
      (port) =>
        onlySelect(port, {
          relation: 'user_consent',
          where: [
            [
              { column: 'user_id', op: 'eq', value: actingUser(port, this.userId) },
              { column: 'interaction_type', op: 'eq', value: input.interactionType },
              { column: 'status', op: 'eq', value: 'approved' },
            ],
          ],
          orderBy: [],
          limit: 1,
        }),
      { idempotent: true },
    )
    return rows.length > 0
  }

  async history(id: string): Promise<ConsentHistoryEntry[]> {
    const consentId = parseInput(uuidSchema, id, 'consent id')
    const rows = await this.work.run(
      (port) =>
        onlySelect(port, {
          relation: 'consent_history',
          where: [
            [
              { column: 'consent_id', op: 'eq', value: consentId },
              { column: 'user_id', op: 'eq', value: actingUser(port, this.userId) },
            ],
          ],
          orderBy: [{ column: 'id', descending: false }],
        }),
      { idempotent: true },
    )
    if (rows.length === 0) {
      throw new NotFoundError({ code: 'consent_not_found', message: `consent record not found: ${consentId} is not one of this user's records` })
    }
    return rows.map((r) => decodeRow<ConsentHistoryEntry>('consent_history', r))
  }
}
