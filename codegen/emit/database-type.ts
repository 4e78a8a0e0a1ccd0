import type { Catalog, Column, PgType, Relation } from '../catalog/types.js'
import { schema } from '../config.js'
import { columnType, narrowedColumns, tsType } from './type-mapping.js'
import { key, literal, str, union } from './ts.js'

const EMPTY = '{ [_ in never]: never }'
const enumRef = (t: PgType) => `Database[${str(t.schema)}]['Enums'][${str(t.name)}]`

function fields(lines: string[], indent: string): string {
  return lines.length === 0 ? EMPTY : `{\n${lines.map((l) => `${indent}  ${l}`).join('\n')}\n${indent}}`
}

function tableType(r: Relation, narrowed: Map<string, string>, updatable: boolean): string {
  const pad = '        '
  const row = r.columns.map((c) => `${key(c.name)}: ${columnType(r, c, narrowed, enumRef)}`)
  const optional = (c: Column, forUpdate: boolean) => {
    if (c.identity === 'a' || c.generated) return `${key(c.name)}?: never`
    const q = forUpdate || c.nullable || c.hasDefault || c.identity === 'd' ? '?' : ''
    return `${key(c.name)}${q}: ${columnType(r, c, narrowed, enumRef)}`
  }
  const parts = [`Row: ${fields(row, pad)}`]
  if (updatable) {
    parts.push(`Insert: ${fields(r.columns.map((c) => optional(c, false)), pad)}`)
    parts.push(`Update: ${fields(r.columns.map((c) => optional(c, true)), pad)}`)
  }
  const rels = r.relationships.map(
    (fk) =>
      `${pad}  {\n${pad}    foreignKeyName: ${str(fk.foreignKeyName)}\n${pad}    columns: ${literal(fk.columns)}\n` +
      `${pad}    isOneToOne: ${fk.isOneToOne}\n${pad}    referencedRelation: ${str(fk.referencedRelation)}\n` +
      `${pad}    referencedColumns: ${literal(fk.referencedColumns)}\n${pad}  },`,
  )
  parts.push(`Relationships: ${rels.length ? `[\n${rels.join('\n')}\n${pad}]` : '[]'}`)
  return `{\n${parts.map((p) => `${pad}${p}`).join('\n')}\n      }`
}

/**
 * src/generated/database.ts: the supabase-js `Database` type, in the shape `supabase gen types
 * typescript` emits (Tables, Views, Functions, Enums, CompositeTypes, helpers, Constants), usable as
 * `createClient<Database>()`. Unlike the Supabase generator it types exact numbers (numeric, int8) as
 * string: read them through a `::text` cast, as the SDK does, never as a JSON number.
 */
export function emitDatabaseType(catalog: Catalog): string {
  const relations = catalog.relations.filter((r) => r.schema === schema)
  const narrowed = narrowedColumns(relations)
  const tables = relations.filter((r) => 'rpf'.includes(r.kind))
  const views = relations.filter((r) => 'vm'.includes(r.kind))
  const functions = catalog.functions.map((f) => {
    const args = f.args.map((a) => `${key(a.name)}${a.hasDefault ? '?' : ''}: ${tsType(a.type, enumRef)}`)
    const returns = tsType(f.returns, enumRef) + (f.returnsSet ? '[]' : '')
    return `${key(f.name)}: {\n        Args: ${args.length ? fields(args, '        ') : 'never'}\n        Returns: ${returns}\n      }`
  })
  const enums = catalog.enums.map((e) => `${key(e.name)}: ${union(e.values)}`)
  const usedTypes = [...new Set([...narrowed.values()])].sort()
  const section = (items: string[]) => (items.length ? `{\n${items.map((i) => `      ${i}`).join('\n')}\n    }` : EMPTY)

  return [
    usedTypes.length ? `import type { ${usedTypes.join(', ')} } from './vocabularies.js'\n` : '',
    'export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]',
    '',
    'export type Database = {',
    '  __InternalSupabase: {',
    "    PostgrestVersion: '12'",
    '  }',
    `  ${key(schema)}: {`,
    `    Tables: ${section(tables.map((t) => `${key(t.name)}: ${tableType(t, narrowed, true)}`))}`,
    `    Views: ${section(views.map((v) => `${key(v.name)}: ${tableType(v, narrowed, false)}`))}`,
    `    Functions: ${section(functions)}`,
    `    Enums: ${section(enums)}`,
    `    CompositeTypes: ${EMPTY}`,
    '  }',
    '}',
    '',
    `/** The schema the API exposes. */`,
    `export type PublicSchema = Database[${str(schema)}]`,
    '',
    '/** The row type of a table or view: `Tables<\'user_consent\'>`. */',
    "export type Tables<T extends keyof (PublicSchema['Tables'] & PublicSchema['Views'])> =",
    "  (PublicSchema['Tables'] & PublicSchema['Views'])[T] extends { Row: infer R } ? R : never",
    "export type TablesInsert<T extends keyof PublicSchema['Tables']> = PublicSchema['Tables'][T]['Insert']",
    "export type TablesUpdate<T extends keyof PublicSchema['Tables']> = PublicSchema['Tables'][T]['Update']",
    "export type Enums<T extends keyof PublicSchema['Enums']> = PublicSchema['Enums'][T]",
    "export type CompositeTypes<T extends keyof PublicSchema['CompositeTypes']> = PublicSchema['CompositeTypes'][T]",
    '',
    `export const Constants = ${literal({ [schema]: { Enums: Object.fromEntries(catalog.enums.map((e) => [e.name, e.values])) } })} as const`,
    '',
  ]
    .filter((l, i) => i > 0 || l)
    .join('\n')
}

