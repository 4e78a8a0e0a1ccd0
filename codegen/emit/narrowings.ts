import type { ApiSchema } from '../catalog/read-api-schema.js'
import { allowedValueNames, lookupKeyColumns, lookupTables } from '../config.js'

/**
 * The vocabulary narrowings of an app's schema, as the package's vocabularies know them: the lookup
 * tables' keys, every single-column foreign key to one (the app's own tables included, so an app's
 * `token_type references public.token_types(code)` is a `TokenCode`), and the checked columns the
 * package names. Maps `table.column` to the union's name, which `@avolve/db` exports.
 */
export function appNarrowings(api: ApiSchema): Map<string, string> {
  const out = new Map<string, string>()
  const has = (table: string, column: string) => api.relations.some((r) => r.name === table && r.columns.some((c) => c.name === column))
  for (const l of lookupTables) if (has(l.table, l.key)) out.set(`${l.table}.${l.key}`, l.typeName)
  for (const r of api.relations) {
    for (const fk of r.relationships) {
      if (fk.columns.length !== 1) continue
      const lookup = lookupTables.find((l) => l.table === fk.referencedRelation && l.key === fk.referencedColumns[0])
      if (lookup) out.set(`${r.name}.${fk.columns[0]}`, lookup.typeName)
    }
  }
  for (const [column, table] of Object.entries(lookupKeyColumns)) {
    const lookup = lookupTables.find((l) => l.table === table)
    const [relation, name] = column.split('.') as [string, string]
    if (lookup && has(relation, name)) out.set(column, lookup.typeName)
  }
  for (const [column, names] of Object.entries(allowedValueNames)) {
    const [table, name] = column.split('.') as [string, string]
    if (has(table, name)) out.set(column, names.typeName)
  }
  return out
}
