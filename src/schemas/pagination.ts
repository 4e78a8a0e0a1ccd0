import { z } from 'zod'
import { decodeCursor, type CursorPosition } from '../values/cursor.js'
import { canonicalTimestamp } from '../values/timestamp.js'
import { limits } from './limits.js'
import { isCanonicalUuid } from './primitives.js'

export type { CursorPosition }

/**
 * Page size: 1 to 100, 20 when left out.
 *
 * @example
 * ```ts
 * import { pageSizeSchema } from '@avolve/db/schemas'
 *
 * pageSizeSchema.parse(undefined) // 20
 * pageSizeSchema.safeParse(101).success // false
 * ```
 */
export const pageSizeSchema = z
  .number({ error: 'limit must be a number' })
  .int({ error: 'limit must be a whole number' })
  .min(1, { error: 'limit must be at least 1' })
  .max(limits.maxPageSize, { error: `limit must be at most ${limits.maxPageSize}` })
  .default(limits.defaultPageSize)

/** A cursor the SDK made for a page of rows ordered by a canonical timestamp and an id that `validId` accepts. */
function cursorOf(validId: (id: string) => boolean) {
  return z.string({ error: 'cursor must be the nextCursor string of a previous page' }).transform((value, ctx) => {
    const position = decodeCursor(value)
    if (position && validId(position.id)) {
      try {
        if (canonicalTimestamp(position.at) === position.at) return position
      } catch {
        // fall through
      }
    }
    ctx.addIssue({ code: 'custom', message: 'cursor is not one this SDK made: pass the nextCursor of a previous page' })
    return z.NEVER
  })
}

/**
 * A cursor from a previous page's `nextCursor`, decoded to its position.
 *
 * @example
 * ```ts
 * import { cursorSchema } from '@avolve/db/schemas'
 *
 * const page = await me.consent.list()
 * if (page.nextCursor) cursorSchema.parse(page.nextCursor) // { at: '2026-12-01T09:00:00.000000Z', id: '…' }
 * cursorSchema.safeParse('page-2').success // false
 * ```
 */
export const cursorSchema = cursorOf(isCanonicalUuid)

/** The largest version an account can reach: its column is an int8. */
const MAX_VERSION = 9223372036854775807n

/**
 * A cursor from a previous statement page's `nextCursor`: the time and the version of the last
 * movement returned (an account's versions count its movements, so they order its entries).
 */
export const entryCursorSchema = cursorOf((id) => /^[1-9]\d{0,18}$/.test(id) && BigInt(id) <= MAX_VERSION)

/**
 * One page of a keyset-paginated list, newest first. `nextCursor` is null on the last page.
 *
 * @example
 * ```ts
 * import type { ConsentRecord, Page } from '@avolve/db'
 *
 * const page: Page<ConsentRecord> = await me.consent.list({ limit: 50 })
 * const next = page.nextCursor ? await me.consent.list({ limit: 50, cursor: page.nextCursor }) : undefined
 * ```
 */
export interface Page<T> {
  items: T[]
  nextCursor: string | null
}
