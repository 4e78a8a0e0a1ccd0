import { encodeCursor } from '../../values/cursor.js'
import type { CursorPosition, Page } from '../../schemas/pagination.js'
import type { ColumnOf, Filter, RelationWith, SelectQuery } from '../data-port.js'

/**
 * `rows` were fetched with limit + 1: the extra row only says whether another page exists. The cursor
 * is the last item's keyset position: its time and its `id` (or the key `idOf` gives).
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

/**
 * A paged select of `relation` over (created_at, `key`): the rows of `where` after `cursor` in that
 * order, one more than `limit` (for {@link pageOf} to tell whether another page exists).
 */
export function keysetSelect<R extends RelationWith<'created_at'>>(
  relation: R,
  where: Filter<R>[][],
  page: { cursor?: CursorPosition | undefined; limit: number },
  key: ColumnOf<R>,
  descending: boolean,
): SelectQuery<R> {
  // Every relation R may be has the column: RelationWith says so, in a form the compiler cannot apply here.
  const time = 'created_at' as ColumnOf<R>
  return {
    relation,
    where,
    ...(page.cursor ? { after: { timeColumn: time, at: page.cursor.at, idColumn: key, id: page.cursor.id } } : {}),
    orderBy: [
      { column: time, descending },
      { column: key, descending },
    ],
    limit: page.limit + 1,
  }
}
