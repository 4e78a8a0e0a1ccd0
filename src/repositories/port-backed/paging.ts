import { encodeCursor } from '../../values/cursor.js'
import type { Page } from '../../schemas/pagination.js'

/**
 * `rows` were fetched with limit + 1: the extra row only says whether another page exists. The cursor
 * is the last item's keyset position: its time and its `id` (or the key `positionOf` names).
 */
export function pageOf<T extends { id: string | number }>(rows: T[], limit: number, timeOf: (row: T) => string): Page<T>
export function pageOf<T>(rows: T[], limit: number, timeOf: (row: T) => string, idOf: (row: T) => string): Page<T>
export function pageOf<T>(rows: T[], limit: number, timeOf: (row: T) => string, idOf = (row: T) => String((row as { id: string | number }).id)): Page<T> {
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ at: timeOf(last), id: idOf(last) }) : null,
  }
}
