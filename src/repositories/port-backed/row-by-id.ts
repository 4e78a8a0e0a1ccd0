import { UnexpectedError } from '../../errors/avolve-error.js'
import type { RelationName } from '../../generated/columns.js'
import { shapeOf, type ColumnOf, type DataPort, type RelationWith, type SelectQuery } from '../data-port.js'
import { decodeRow } from '../row-codec.js'

/** Equalities that together name one row (a unique key, which may span several columns). */
export type UniqueKey<R extends RelationName> = ReadonlyArray<{ column: ColumnOf<R>; value: string }>

// Shapes by relation, then by the key's columns: no key string is built per call.
const shapes = new Map<RelationName, Map<string, string>>()

/** The one row of `relation` with `key`; its shape computed once per set of key columns. */
function rowWhere<R extends RelationName>(relation: R, key: UniqueKey<R>): SelectQuery<R> {
  let byColumns = shapes.get(relation)
  if (byColumns === undefined) shapes.set(relation, (byColumns = new Map()))
  const columns = key.length === 1 ? key[0]!.column : key.map((k) => k.column).join(',')
  const query: SelectQuery<R> = { relation, where: [key.map(({ column, value }) => ({ column, op: 'eq', value }))], orderBy: [], limit: 1, shape: byColumns.get(columns) }
  if (query.shape === undefined) byColumns.set(columns, (query.shape = shapeOf(query)))
  return query
}

const ignore = () => {}

const vanished = (relation: RelationName, id: string) => new UnexpectedError({ code: 'record_vanished', message: `${relation} row ${id} was written but cannot be read back` })

/** Reads back, in the same unit of work, the row a function just wrote and returned the id of. */
export async function rowById<T>(port: DataPort, relation: RelationWith<'id'>, id: string): Promise<T> {
  const [row] = await port.select(rowWhere(relation, [{ column: 'id', value: id }]))
  if (!row) throw vanished(relation, id)
  return decodeRow<T>(relation, row)
}

/**
 * Runs `call`, a function that writes one row of `relation` and returns its id, and reads that row
 * back by a unique key whose values the caller knew before the call (a sender and an idempotency
 * key). Where the port
 * pipelines, the read is sent right behind the call, so the two cost one round trip; the read sees
 * the row because it runs after the call in the same transaction. Where the unit may end early, its
 * commit goes in the same flight too. Elsewhere it reads by the returned id once the call has answered.
 */
export async function callReadingBack<T, R extends RelationWith<'id'>>(port: DataPort, relation: R, unique: UniqueKey<R>, call: () => Promise<string>): Promise<T> {
  if (!port.pipelines) return rowById<T>(port, relation, await call())
  const called = call()
  const read = port.select(rowWhere(relation, unique))
  port.sentAll()
  // When the call fails, so does the read behind it (the transaction is aborted): the call's error
  // is the one to report, and the read's is handled here rather than left unhandled.
  read.catch(ignore)
  const id = await called
  const [row] = await read
  if (!row || row.id !== id) throw vanished(relation, id)
  return decodeRow<T>(relation, row)
}
