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

/**
 * Several selects as the whole of a unit of work, sent together (one flight on a pipelining
 * connection) with the commit behind them; an `undefined` query reads as no rows.
 */
export async function onlySelects<const Q extends ReadonlyArray<SelectQuery | undefined>>(port: DataPort, queries: Q): Promise<{ [K in keyof Q]: Array<Record<string, unknown>> }> {
  const pending = queries.map((q) => (q === undefined ? Promise.resolve([]) : port.select(q)))
  port.sentAll()
  return (await Promise.all(pending)) as { [K in keyof Q]: Array<Record<string, unknown>> }
}
