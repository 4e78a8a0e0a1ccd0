import { encodeCursor } from '../../values/cursor.js'
import type { Page } from '../../schemas/pagination.js'

/** `rows` were fetched with limit + 1: the extra row only says whether another page exists. */
export function pageOf<T extends { id: string | number }>(rows: T[], limit: number, timeOf: (row: T) => string): Page<T> {
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor({ at: timeOf(last), id: String(last.id) }) : null,
  }
}
