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
const asIs: Decoder = (value) => value
const asDecimal: Decoder = decimalFromDatabase
const asTimestamp: Decoder = (value) => canonicalTimestamp(String(value))

/** Per relation, each column's decoder: built once, so decoding a row does no type lookups. */
const decoders = new Map<RelationName, Map<string, Decoder>>()

function decodersOf(relation: RelationName): Map<string, Decoder> {
  let columns = decoders.get(relation)
  if (!columns) {
    const entries = Object.entries(relationColumns[relation] as Record<string, string>)
    columns = new Map(entries.map(([name, type]) => [name, DECIMAL.has(type) ? asDecimal : TIMESTAMP.has(type) ? asTimestamp : asIs]))
    decoders.set(relation, columns)
  }
  return columns
}

/** A row as the database sent it (text for exact values) -> the repository's canonical row. */
export function decodeRow<T>(relation: RelationName, row: Record<string, unknown>): T {
  const columns = decodersOf(relation)
  const out: Record<string, unknown> = {}
  for (const name in row) {
    const value = row[name]
    out[name] = value === null || value === undefined ? null : (columns.get(name) ?? asIs)(value)
  }
  return out as T
}
