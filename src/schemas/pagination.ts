import { z } from 'zod'
import { decodeCursor, type CursorPosition } from '../values/cursor.js'
import { canonicalTimestamp } from '../values/timestamp.js'
import { limits } from './limits.js'
import { isCanonicalUuid } from './primitives.js'

export type { CursorPosition }

/** Page size: 1 to 100, 20 when left out. */
export const pageSizeSchema = z
  .number({ error: 'limit must be a number' })
  .int({ error: 'limit must be a whole number' })
  .min(1, { error: 'limit must be at least 1' })
  .max(limits.maxPageSize, { error: `limit must be at most ${limits.maxPageSize}` })
  .default(limits.defaultPageSize)

/** A cursor from a previous page's `nextCursor`, decoded to its position. */
export const cursorSchema = z.string({ error: 'cursor must be the nextCursor string of a previous page' }).transform((value, ctx) => {
  const position = decodeCursor(value)
  if (position && isCanonicalUuid(position.id)) {
    try {
      if (canonicalTimestamp(position.at) === position.at) return position
    } catch {
      // fall through
    }
  }
  ctx.addIssue({ code: 'custom', message: 'cursor is not one this SDK made: pass the nextCursor of a previous page' })
  return z.NEVER
})

/**
 * A cursor from a previous statement page's `nextCursor`: the time and the version of the last
 * movement returned (an account's versions count its movements, so they order its entries).
 */
export const entryCursorSchema = z.string({ error: 'cursor must be the nextCursor string of a previous page' }).transform((value, ctx) => {
  const position = decodeCursor(value)
  if (position && /^[1-9]\d{0,18}$/.test(position.id)) {
    try {
      if (canonicalTimestamp(position.at) === position.at) return position
    } catch {
      // fall through
    }
  }
  ctx.addIssue({ code: 'custom', message: 'cursor is not one this SDK made: pass the nextCursor of a previous page' })
  return z.NEVER
})

/** One page of a keyset-paginated list, newest first. `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[]
  nextCursor: string | null
}
