import { UnexpectedError } from '../../errors/avolve-error.js'
import type { RelationName } from '../../generated/columns.js'
import { shapeOf, type DataPort, type SelectQuery } from '../data-port.js'
import { decodeRow } from '../row-codec.js'

const shapes = new Map<RelationName, string>()

function byId(relation: RelationName, id: string): SelectQuery {
  const query: SelectQuery = { relation, where: [[{ column: 'id', op: 'eq', value: id }]], orderBy: [], limit: 1, shape: shapes.get(relation) }
  if (query.shape === undefined) shapes.set(relation, (query.shape = shapeOf(query)))
  return query
}

/** Reads back, in the same unit of work, the row a function just wrote and returned the id of. */
export async function rowById<T>(port: DataPort, relation: RelationName, id: string): Promise<T> {
  const [row] = await port.select(byId(relation, id))
  if (!row) throw new UnexpectedError({ code: 'record_vanished', message: `${relation} row ${id} was written but cannot be read back` })
  return decodeRow<T>(relation, row)
}
