import type { Selectable } from 'kysely'
import type { DB } from '../generated/kysely.js'

/**
 * Per-user consent totals from private.user_stats; counts are exact strings.
 *
 * @example
 * ```ts
 * import type { UserStats } from '@avolve/db/server'
 *
 * const stats: UserStats | null = await db.asService().stats.get(userId)
 * // { user_id: userId, total_consents: '3', approved_consents: '2', last_consent_at: '2026-12-01T09:00:00.000000Z' }
 * ```
 */
export type UserStats = Selectable<DB['private.user_stats']>

/**
 * Per-user consent statistics (service role only), kept in a materialized view the API cannot reach.
 *
 * @example
 * ```ts
 * import { createAvolveDb, type UserStatsRepository } from '@avolve/db/server'
 *
 * const stats: UserStatsRepository = createAvolveDb(process.env.DATABASE_URL!).asService().stats
 * ```
 */
export interface UserStatsRepository {
  /**
   * Recomputes the statistics without blocking their readers.
   * @example
   * ```ts
   * import { createAvolveDb } from '@avolve/db/server'
   *
   * const db = createAvolveDb(process.env.DATABASE_URL!)
   * await db.asService().stats.refresh()
   * ```
   */
  refresh(): Promise<void>
  /**
   * One user's totals as of the last refresh; null when the user is newer than it.
   * @example
   * ```ts
   * import { createAvolveDb } from '@avolve/db/server'
   *
   * const db = createAvolveDb(process.env.DATABASE_URL!)
   * const stats = await db.asService().stats.get(userId)
   * // { user_id: userId, total_consents: '3', approved_consents: '2', last_consent_at: '2026-12-01T09:00:00.000000Z' }
   * ```
   */
  get(userId: string): Promise<UserStats | null>
}
