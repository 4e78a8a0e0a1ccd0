import { UnexpectedError } from '../../errors/avolve-error.js'
import type { RelationName } from '../../generated/columns.js'
import type { DataPort } from '../data-port.js'
import { decodeRow } from '../row-codec.js'

/** Reads back, in the same unit of work, the row a function just wrote and returned the id of. */
export async function rowById<T>(port: DataPort, relation: RelationName, id: string): Promise<T> {
  const [row] = await port.select({ relation, where: [[{ column: 'id', op: 'eq', value: id }]], orderBy: [], limit: 1 })
  if (!row) throw new UnexpectedError({ code: 'record_vanished', message: `${relation} row ${id} was written but cannot be read back` })
  return decodeRow<T>(relation, row)
}
