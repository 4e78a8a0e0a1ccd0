import type { Catalog } from '../catalog/types.js'
import { allowedValueNames, dataTables, lookupTables, schema } from '../config.js'
import { camel, literal, pascal } from './ts.js'

function plural(word: string): string {
  if (/(s|x|ch|sh)$/.test(word)) return `${word}es`
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`
  return `${word}s`
}

/** The name of an enum's values in vocabularies.ts: `consent_status` -> `consentStatuses`. */
export function enumValuesName(enumName: string): string {
  return camel(plural(enumName))
}

/** src/generated/vocabularies.ts: enum values, lookup keys and rows, allowed values, as const data. */
export function emitVocabularies(catalog: Catalog): string {
  const out: string[] = []
  for (const e of catalog.enums) {
    const values = enumValuesName(e.name)
    out.push(
      `/** Values of the enum ${e.schema}.${e.name}, in the enum's order. */`,
      `export const ${values} = ${literal(e.values)} as const`,
      `export type ${pascal(e.name)} = (typeof ${values})[number]`,
      '',
    )
  }
  for (const l of lookupTables) {
    const rows = catalog.lookupRows[l.table] ?? []
    out.push(
      `/** Keys of the lookup table ${schema}.${l.table} (${l.key}). */`,
      `export const ${l.valuesName} = ${literal(rows.map((r) => r[l.key]))} as const`,
      `export type ${l.typeName} = (typeof ${l.valuesName})[number]`,
      '',
    )
    if (l.rowsName) {
      out.push(`/** The rows of ${schema}.${l.table}, as migrations seed them. */`, `export const ${l.rowsName} = ${literal(rows)} as const`, '')
    }
  }
  for (const d of dataTables) {
    out.push(`/** The rows of ${schema}.${d.table}. */`, `export const ${d.rowsName} = ${literal(catalog.lookupRows[d.table] ?? [])} as const`, '')
  }
  for (const r of catalog.relations) {
    for (const [column, values] of Object.entries(r.allowedValues)) {
      const names = allowedValueNames[`${r.name}.${column}`] ?? {
        typeName: `${pascal(r.name)}${pascal(column)}`,
        valuesName: `${camel(r.name)}${pascal(plural(column))}`,
      }
      out.push(
        `/** The values the check constraint on ${r.schema}.${r.name}.${column} allows. */`,
        `export const ${names.valuesName} = ${literal(values)} as const`,
        `export type ${names.typeName} = (typeof ${names.valuesName})[number]`,
        '',
      )
    }
  }
  return out.join('\n')
}
