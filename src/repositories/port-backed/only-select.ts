import type { DataPort, SelectQuery } from '../data-port.js'

/**
 * `port.select(query)` as the whole of a unit of work: the unit may send its commit right behind it
 * (DataPort.sentAll), so a read is one round trip.
 */
export function onlySelect(port: DataPort, query: SelectQuery): Promise<Array<Record<string, unknown>>> {
  const rows = port.select(query)
  port.sentAll()
  return rows
}
