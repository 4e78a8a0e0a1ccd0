import type { ConsentRepository } from './consent-repository.js'

/**
 * Back-office consent work (service role): any user's records.
 *
 * @example
 * ```ts
 * import { createAvolveDb, type ServiceConsentRepository } from '@avolve/db/server'
 *
 * const consent: ServiceConsentRepository = createAvolveDb(process.env.DATABASE_URL!).asService().consent
 * ```
 */
export interface ServiceConsentRepository {
  /**
   * The consent records of one user, with the service role's rights.
   * @throws ValidationError when `userId` is not a UUID.
   * @example
   * ```ts
   * import { createAvolveDb } from '@avolve/db/server'
   *
   * const db = createAvolveDb(process.env.DATABASE_URL!)
   * const record = await db.asService().consent.forUser(userId).record('privacy_policy', ['pp-v3'])
   * // { id: '…', user_id: userId, interaction_type: 'privacy_policy', status: 'approved', terms: ['pp-v3'], … }
   * ```
   */
  forUser(userId: string): ConsentRepository
}
