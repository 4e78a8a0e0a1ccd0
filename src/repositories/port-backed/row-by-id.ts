import { UnexpectedError } from '../../errors/avolve-error.js'
import type { RelationName } from '../../generated/columns.js'
import { shapeOf, type DataPort, type SelectQuery } from '../data-port.js'
import { decodeRow } from '../row-codec.js'

// Shapes by relation, then column: no key string is built per call.
const shapes = new Map<RelationName, Map<string, string>>()

/** The one row of `relation` whose unique `column` is `value`; its shape computed once per column. */
function rowWhere(relation: RelationName, column: string, value: string): SelectQuery {
  let byColumn = shapes.get(relation)
  if (byColumn === undefined) shapes.set(relation, (byColumn = new Map()))
  const query: SelectQuery = { relation, where: [[{ column, op: 'eq', value }]], orderBy: [], limit: 1, shape: byColumn.get(column) }
  if (query.shape === undefined) byColumn.set(column, (query.shape = shapeOf(query)))
  return query
}

const ignore = () => {}

const vanished = (relation: RelationName, id: string) =>
  new UnexpectedError({ code: 'record_vanished', message: `${relation} row ${id} was written but cannot be read back` })

/** Reads back, in the same unit of work, the row a function just wrote and returned the id of. */
export async function rowById<T>(port: DataPort, relation: RelationName, id: string): Promise<T> {
  const [row] = await port.select(rowWhere(relation, 'id', id))
  if (!row) throw vanished(relation, id)
  return decodeRow<T>(relation, row)
}

/**
 * Runs `call`, a function that writes one row of `relation` and returns its id, and reads that row
 * back by a unique value the caller chose before the call (an idempotency key). Where the port
 * pipelines, the read is sent right behind the call, so the two cost one round trip; the read sees
 * the row because it runs after the call in the same transaction. Where the unit may end early, its
 * commit goes in the same flight too. Elsewhere it reads by the returned id once the call has answered.
 */
export async function callReadingBack<T>(port: DataPort, relation: RelationName, unique: { column: string; value: string }, call: () => Promise<string>): Promise<T> {
  if (!port.pipelines) return rowById<T>(port, relation, await call())
  const called = call()
  const read = port.select(rowWhere(relation, unique.column, unique.value))
  port.sentAll()
  // When the call fails, so does the read behind it (the transaction is aborted): the call's error
  // is the one to report, and the read's is handled here rather than left unhandled.
  read.catch(ignore)
  const id = await called
  const [row] = await read
  if (!row || row.id !== id) throw vanished(relation, id)
  return decodeRow<T>(relation, row)
}
