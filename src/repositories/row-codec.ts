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

/** A row as the database sent it (text for exact values) -> the repository's canonical row. */
export function decodeRow<T>(relation: RelationName, row: Record<string, unknown>): T {
  const types = relationColumns[relation] as Record<string, string>
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(row)) {
    const type = types[name]
    if (value === null || value === undefined || !type) out[name] = value ?? null
    else if (DECIMAL.has(type)) out[name] = decimalFromDatabase(value)
    else if (TIMESTAMP.has(type)) out[name] = canonicalTimestamp(String(value))
    else out[name] = value
  }
  return out as T
}
