import type { Column, PgType, Relation } from '../catalog/types.js'
import { allowedValueNames, lookupKeyColumns, lookupTables } from '../config.js'
import { pascal } from './ts.js'

/** Built-in types by their TypeScript type. Exact numbers are strings: a double would round them. */
const SCALARS: Record<string, string> = {
  bool: 'boolean',
  int2: 'number',
  int4: 'number',
  float4: 'number',
  float8: 'number',
  oid: 'number',
  int8: 'string',
  numeric: 'string',
  money: 'string',
  text: 'string',
  varchar: 'string',
  bpchar: 'string',
  citext: 'string',
  name: 'string',
  uuid: 'string',
  date: 'string',
  time: 'string',
  timetz: 'string',
  timestamp: 'string',
  timestamptz: 'string',
  interval: 'string',
  bytea: 'string',
  inet: 'string',
  cidr: 'string',
  json: 'Json',
  jsonb: 'Json',
  void: 'undefined',
}

/**
 * The TypeScript type of a catalog type. `enumType` names an enum's union (its reference differs
 * between the Kysely types and the supabase-js `Database` type).
 */
export function tsType(type: PgType, enumType: (t: PgType) => string): string {
  const base = type.kind === 'e' ? enumType(type) : (SCALARS[type.name] ?? 'unknown')
  return type.array ? `${base.includes(' ') ? `(${base})` : base}[]` : base
}

/**
 * Columns whose values a vocabulary pins down: lookup keys, foreign keys to them, the columns config
 * says hold a lookup's key without one, and check constraints listing the allowed values. Maps `table.column` to the name of its union type.
 */
export function narrowedColumns(relations: Relation[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const l of lookupTables) out.set(`${l.table}.${l.key}`, l.typeName)
  for (const [column, table] of Object.entries(lookupKeyColumns)) {
    const lookup = lookupTables.find((l) => l.table === table)
    const [relation, name] = column.split('.') as [string, string]
    if (lookup && relations.some((r) => r.name === relation && r.columns.some((c) => c.name === name))) out.set(column, lookup.typeName)
  }
  for (const r of relations) {
    for (const fk of r.relationships) {
      if (fk.columns.length !== 1) continue
      const lookup = lookupTables.find((l) => l.table === fk.referencedRelation && l.key === fk.referencedColumns[0])
      if (lookup) out.set(`${r.name}.${fk.columns[0]}`, lookup.typeName)
    }
    for (const column of Object.keys(r.allowedValues)) {
      out.set(`${r.name}.${column}`, allowedValueNames[`${r.name}.${column}`]?.typeName ?? `${pascal(r.name)}${pascal(column)}`)
    }
  }
  return out
}

/** A column's TypeScript type, narrowed where a vocabulary applies, `| null` when nullable. */
export function columnType(relation: Relation, column: Column, narrowed: Map<string, string>, enumType: (t: PgType) => string): string {
  const named = narrowed.get(`${relation.name}.${column.name}`)
  const base = named ? (column.type.array ? `${named}[]` : named) : tsType(column.type, enumType)
  return column.nullable ? `${base} | null` : base
}
