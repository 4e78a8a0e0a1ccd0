import type { ApiSchema, TypeRef } from '../catalog/read-api-schema.js'
import type { Narrowings } from './database-type.js'

/** Types the SDK reads as text and decodes (src/repositories/row-codec.ts): exact numbers stay strings. */
const SCALARS: Record<string, string> = {
  bool: 'boolean',
  int2: 'number',
  int4: 'number',
  float4: 'number',
  float8: 'number',
  int8: 'string',
  numeric: 'string',
  json: 'Json',
  jsonb: 'Json',
}

function typeOf(type: TypeRef, enums: ApiSchema['enums'], schema: string): string {
  if (type.name.startsWith('_')) return `(${typeOf({ name: type.name.slice(1), schema: type.schema }, enums, schema)})[]`
  if (type.schema === schema && enums.some((e) => e.name === type.name)) return `Database['${schema}']['Enums']['${type.name}']`
  return SCALARS[type.name] ?? 'string'
}

/**
 * sdk-rows.ts: the rows the SDK's repositories return, per relation. They differ from the supabase-js
 * `Database` rows on purpose: the SDK selects numeric and bigint as text and returns them as exact
 * decimal strings (`"12.5"`), where a plain supabase-js select receives a JSON number.
 */
export function emitSdkRows(api: ApiSchema, narrowings: Narrowings): string {
  const used = new Set<string>()
  const lines: string[] = []
  for (const r of api.relations) {
    lines.push(`  ${r.name}: {`)
    for (const c of r.columns) {
      const named = narrowings.get(`${r.name}.${c.name}`)
      if (named) used.add(named)
      const base = named ? (c.type.name.startsWith('_') ? `(${named})[]` : named) : typeOf(c.type, api.enums, api.schema)
      lines.push(`    ${c.name}: ${base}${c.nullable ? ' | null' : ''}`)
    }
    lines.push('  }')
  }
  return [
    "import type { Database, Json } from './database.js'",
    used.size ? `import type { ${[...used].sort().join(', ')} } from './vocabularies.js'` : '',
    '',
    "/** Each relation's row as the SDK returns it: exact numbers as decimal strings, timestamps as canonical UTC strings. */",
    'export interface SdkRows {',
    ...lines,
    '}',
    '',
    "/** A relation's row as the SDK returns it: `SdkRow<'token_balances'>['balance']` is a decimal string. */",
    'export type SdkRow<T extends keyof SdkRows> = SdkRows[T]',
    '',
  ]
    .filter((l, i) => i !== 1 || l)
    .join('\n')
}
