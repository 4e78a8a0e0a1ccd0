import type { Catalog } from '../catalog/types.js'
import { allowedValueNames, dataTables, lookupTables, schema } from '../config.js'
import { camel, docComment, literal, pascal, str } from './ts.js'

function plural(word: string): string {
  if (/(s|x|ch|sh)$/.test(word)) return `${word}es`
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`
  return `${word}s`
}

/** The name of an enum's values in vocabularies.ts: `consent_status` -> `consentStatuses`. */
export function enumValuesName(enumName: string): string {
  return camel(plural(enumName))
}

const from = "from '@avolve/db'"

/** A value as an example writes it. */
const sample = (v: unknown) => (typeof v === 'string' ? str(v) : String(v))

/** A row, shortened to its first fields, for an example's result comment. */
function shortRow(row: Record<string, unknown>): string {
  const entries = Object.entries(row)
  return `{ ${entries
    .slice(0, 2)
    .map(([k, v]) => `${k}: ${sample(v)}`)
    .join(', ')}${entries.length > 2 ? ', …' : ''} }`
}

/** A list of values, its union type, and their doc comments with examples. */
function valuesAndType(summary: string, valuesName: string, typeName: string, values: ReadonlyArray<string | number>): string[] {
  const shown = `${values.slice(0, 2).map(sample).join(', ')}${values.length > 2 ? ', …' : ''}`
  return [
    ...docComment(summary, [`import { ${valuesName} } ${from}`, '', `const options = ${valuesName}.map((value) => ({ value, label: String(value) })) // one per value: ${shown}`]),
    `export const ${valuesName} = ${literal(values)} as const`,
    ...docComment(`One of {@link ${valuesName}}.`, [`import type { ${typeName} } ${from}`, '', `const value: ${typeName} = ${values.length ? sample(values[0]) : 'undefined as never'}`]),
    `export type ${typeName} = (typeof ${valuesName})[number]`,
    '',
  ]
}

/** Rows as const data, with a doc comment whose example finds the first. */
function rows(summary: string, rowsName: string, data: Array<Record<string, unknown>>): string[] {
  const first = data[0]
  const [key, value] = first ? Object.entries(first)[0]! : ['', '']
  const example = first
    ? [`import { ${rowsName} } ${from}`, '', `${rowsName}.find((row) => row.${key} === ${sample(value)}) // ${shortRow(first)}`]
    : [`import { ${rowsName} } ${from}`, '', `${rowsName}.length // 0`]
  return [...docComment(summary, example), `export const ${rowsName} = ${literal(data)} as const`, '']
}

/** src/generated/vocabularies.ts: enum values, lookup keys and rows, allowed values, as const data. */
export function emitVocabularies(catalog: Catalog): string {
  const out: string[] = []
  for (const e of catalog.enums) {
    out.push(...valuesAndType(`Values of the enum ${e.schema}.${e.name}, in the enum's order.`, enumValuesName(e.name), pascal(e.name), e.values))
  }
  for (const l of lookupTables) {
    const data = catalog.lookupRows[l.table] ?? []
    out.push(
      ...valuesAndType(
        `Keys of the lookup table ${schema}.${l.table} (${l.key}).`,
        l.valuesName,
        l.typeName,
        data.map((r) => r[l.key] as string),
      ),
    )
    if (l.rowsName) out.push(...rows(`The rows of ${schema}.${l.table}, as migrations seed them.`, l.rowsName, data))
  }
  for (const d of dataTables) out.push(...rows(`The rows of ${schema}.${d.table}.`, d.rowsName, catalog.lookupRows[d.table] ?? []))
  for (const r of catalog.relations) {
    for (const [column, values] of Object.entries(r.allowedValues)) {
      const names = allowedValueNames[`${r.name}.${column}`] ?? {
        typeName: `${pascal(r.name)}${pascal(column)}`,
        valuesName: `${camel(r.name)}${pascal(plural(column))}`,
      }
      out.push(...valuesAndType(`The values the check constraint on ${r.schema}.${r.name}.${column} allows.`, names.valuesName, names.typeName, values))
    }
  }
  return out.join('\n')
}
