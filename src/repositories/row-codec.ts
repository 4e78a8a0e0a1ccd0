import { relationColumns, type RelationName } from '../generated/columns.js'
import { decimalFromDatabase } from '../values/decimal.js'
import { canonicalTimestamp } from '../values/timestamp.js'

/** Database types that are read as text, to stay exact (numbers) or keep microseconds (times). */
const READ_AS_TEXT = new Set(['numeric', 'int8', 'timestamptz', 'timestamp'])
const DECIMAL = new Set(['numeric', 'int8'])
const TIMESTAMP = new Set(['timestamptz', 'timestamp'])

export interface SelectedColumn {
  name: string
  /** Whether the adapter must select it as `name::text`. */
  asText: boolean
}

/** Every column of `relation`, with the ones that must be selected as text marked. */
export function selectedColumns(relation: RelationName): SelectedColumn[] {
  return Object.entries(relationColumns[relation]).map(([name, type]) => ({ name, asText: READ_AS_TEXT.has(type) }))
}

type Decoder = (value: unknown) => unknown
const asTimestamp: Decoder = (value) => canonicalTimestamp(String(value))

/**
 * Per relation, the columns that need decoding, with their decoders: built once. The other columns
 * (text, uuids, booleans, integers) arrive as they are kept.
 */
const decoders = new Map<RelationName, ReadonlyArray<readonly [column: string, decode: Decoder]>>()

function decodersOf(relation: RelationName): ReadonlyArray<readonly [string, Decoder]> {
  let columns = decoders.get(relation)
  if (!columns) {
    const entries = Object.entries(relationColumns[relation] as Record<string, string>)
    columns = entries.flatMap(([name, type]) => (DECIMAL.has(type) ? [[name, decimalFromDatabase] as const] : TIMESTAMP.has(type) ? [[name, asTimestamp] as const] : []))
    decoders.set(relation, columns)
  }
  return columns
}

/** A row as the database sent it (text for exact values) -> the repository's canonical row. */
export function decodeRow<T>(relation: RelationName, row: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...row }
  for (const [column, decode] of decodersOf(relation)) {
    const value = out[column]
    if (value !== null && value !== undefined) out[column] = decode(value)
  }
  return out as T
}
