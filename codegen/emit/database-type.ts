import type { ApiColumn, ApiOverload, ApiRelation, ApiSchema, TypeRef } from '../catalog/read-api-schema.js'
import { rpcArgumentColumns } from '../config.js'
import { docComment, key, str } from './ts.js'

/**
 * Where a column's or an argument's type is narrowed from what Supabase's generator says (`string`,
 * `number`) to a vocabulary's union: `table.column` -> the union's name. The only deliberate
 * difference from the official `Database` type (see README, "The supabase-js Database type").
 */
export type Narrowings = ReadonlyMap<string, string>

export interface DatabaseTypeOptions {
  /** Column narrowings (`table.column` -> union type name), imported from `vocabularyModule`. */
  narrowings: Narrowings
  /** The module the union types come from (`./vocabularies.js` here, `@avolve/db` in an app). */
  vocabularyModule: string
  /** Extra exports the package's own code uses (`PublicSchema`). */
  extras?: boolean
}

const q = str
const NEVER_MAP = '[_ in never]: never'

/**
 * The TypeScript type of a database type, exactly as Supabase's generator (postgres-meta's typegen)
 * maps it: every number is `number`, because PostgREST sends numeric and bigint as JSON numbers;
 * unknown types are `unknown`.
 */
function typeOf(api: ApiSchema, type: TypeRef | null): string {
  if (!type) return 'unknown'
  const n = type.name
  if (n === 'bool') return 'boolean'
  if (['int2', 'int4', 'int8', 'float4', 'float8', 'numeric'].includes(n)) return 'number'
  if (['bytea', 'bpchar', 'varchar', 'date', 'text', 'citext', 'time', 'timetz', 'timestamp', 'timestamptz', 'uuid', 'vector', 'interval'].includes(n)) return 'string'
  if (n === 'json' || n === 'jsonb') return 'Json'
  if (n === 'void') return 'undefined'
  if (n === 'record') return 'Record<string, unknown>'
  if (n.startsWith('_')) return arrayOf(typeOf(api, { name: n.slice(1), schema: type.schema }))
  const enums = api.allEnums.filter((e) => e.name === n)
  const anEnum = enums.find((e) => e.schema === type.schema) ?? enums[0]
  if (anEnum) return anEnum.schema === api.schema ? `Database[${q(anEnum.schema)}]['Enums'][${q(anEnum.name)}]` : anEnum.values.map(q).join(' | ')
  const composites = api.allComposites.filter((c) => c.name === n)
  const composite = composites.find((c) => c.schema === type.schema) ?? composites[0]
  if (composite) return composite.schema === api.schema ? `Database[${q(composite.schema)}]['CompositeTypes'][${q(composite.name)}]` : 'unknown'
  const row = rowTypeOf(api, n, type.schema)
  return row ? `${row}['Row']` : 'unknown'
}

const arrayOf = (element: string) => (/^[\w.]+$/.test(element) ? `${element}[]` : `(${element})[]`)

/** `Database["public"]['Tables']["x"]` for a relation's row type, when the relation is in the schema. */
function rowTypeOf(api: ApiSchema, name: string, schema: string): string | undefined {
  const kinds: Array<[string, string]> = [
    ['Tables', 'r'],
    ['Tables', 'p'],
    ['Tables', 'f'],
    ['Views', 'v'],
    ['Views', 'm'],
  ]
  const find = (match: (r: ApiSchema['allRelations'][number]) => boolean) => {
    for (const [section, kind] of kinds) {
      const found = api.allRelations.find((r) => r.kind === kind && match(r))
      if (found) return { section, relation: found }
    }
    return undefined
  }
  const hit = find((r) => r.name === name && r.schema === schema) ?? find((r) => r.name === name)
  if (!hit || hit.relation.schema !== api.schema) return undefined
  return `Database[${q(hit.relation.schema)}]['${hit.section}'][${q(hit.relation.name)}]`
}

/** Nullability as the generator writes it: `| null`, but never on `unknown`; a non-null Json is `NonNullable<Json>`. */
function nullable(type: string, isNullable: boolean): string {
  if (type === 'Json' && !isNullable) return `NonNullable<${type}>`
  if (type === 'unknown' || type === 'any' || !isNullable) return type
  return `${type} | null`
}

/** A column's type, with its vocabulary narrowing when there is one. */
function columnType(api: ApiSchema, relation: string, column: ApiColumn, options: DatabaseTypeOptions): string {
  const named = options.narrowings.get(`${relation}.${column.name}`)
  if (!named) return typeOf(api, column.type)
  return column.type.name.startsWith('_') ? arrayOf(named) : named
}

function field(name: string, type: string, optional: boolean): string {
  return `${key(name)}${optional ? '?' : ''}: ${type}`
}

function block(lines: string[], indent: string): string {
  return lines.length ? `{\n${lines.map((l) => `${indent}  ${l}`).join('\n')}\n${indent}}` : '{}'
}

function relationships(r: ApiRelation, indent: string): string {
  if (r.relationships.length === 0) return '[]'
  const items = r.relationships.map(
    (fk) =>
      `${indent}  {\n${indent}    foreignKeyName: ${q(fk.foreignKeyName)}\n${indent}    columns: [${fk.columns.map(q).join(', ')}]\n` +
      `${indent}    isOneToOne: ${fk.isOneToOne}\n${indent}    referencedRelation: ${q(fk.referencedRelation)}\n` +
      `${indent}    referencedColumns: [${fk.referencedColumns.map(q).join(', ')}]\n${indent}  },`,
  )
  return `[\n${items.join('\n')}\n${indent}]`
}

/** The object type of a function's result: `returns table (...)`, the rows of a relation, or a type. */
function resultOf(api: ApiSchema, o: ApiOverload, indent: string): string {
  if (o.returnsColumns)
    return block(
      o.returnsColumns.map((c) => field(c.name, typeOf(api, c.type), false)),
      indent,
    )
  const relation = o.returnsRelationOid === null ? undefined : api.relations.find((r) => r.oid === o.returnsRelationOid)
  if (relation)
    return block(
      relation.columns.map((c) => field(c.name, nullable(typeOf(api, c.type), c.nullable), false)),
      indent,
    )
  return typeOf(api, o.returns)
}

/** A computed field (a function of one row) in the Row type: its result, nullable. */
function computedFields(api: ApiSchema, r: ApiRelation): Array<{ name: string; line: string }> {
  return api.functions.flatMap((f) => {
    const o = f.overloads.find((x) => x.computedFieldOf === r.oid)
    return o ? [{ name: f.name, line: field(f.name, nullable(resultOf(api, o, '            '), true), false) }] : []
  })
}

function tableType(api: ApiSchema, r: ApiRelation, options: DatabaseTypeOptions): string {
  const pad = '        '
  const type = (c: ApiColumn) => columnType(api, r.name, c, options)
  const computed = computedFields(api, r)
  const row = [...r.columns.map((c) => field(c.name, nullable(type(c), c.nullable), false)), ...computed.map((c) => c.line)]
  const parts = [`Row: ${block(row, pad)}`, `ComputedFields: ${computed.length ? computed.map((c) => q(c.name)).join(' | ') : 'never'}`]
  const isTable = 'rpf'.includes(r.kind)
  if (isTable) {
    const write = (forUpdate: boolean) =>
      r.columns.map((c) => (c.identity === 'a' || c.generated ? `${key(c.name)}?: never` : field(c.name, nullable(type(c), c.nullable), forUpdate || c.nullable || c.identity !== '' || c.hasDefault)))
    parts.push(`Insert: ${block(write(false), pad)}`, `Update: ${block(write(true), pad)}`)
  } else {
    // A view's writable columns as PostgREST takes them: optional and nullable; the others never.
    const write = () => r.columns.map((c) => (c.updatable ? field(c.name, nullable(type(c), true), true) : `${key(c.name)}?: never`))
    if (r.insertable) parts.push(`Insert: ${block(write(), pad)}`)
    if (r.updatable) parts.push(`Update: ${block(write(), pad)}`)
  }
  parts.push(`Relationships: ${relationships(r, pad)}`)
  return `{\n${parts.map((p) => `${pad}${p}`).join('\n')}\n      }`
}

/** An argument's type; a row type stands for its columns without the computed fields. */
function argType(api: ApiSchema, fn: string, arg: ApiOverload['args'][number], options: DatabaseTypeOptions): string {
  const column = rpcArgumentColumns[`${fn}.${arg.name}`]
  const named = column ? options.narrowings.get(column) : undefined
  if (named) return named
  if (column && arg.type) {
    // A column of an enum type: the argument takes the enum's values.
    const [table, col] = column.split('.') as [string, string]
    const c = api.relations.find((r) => r.name === table)?.columns.find((x) => x.name === col)
    if (c) return typeOf(api, c.type)
  }
  const t = typeOf(api, arg.type)
  if (!arg.type) return t
  const row = rowTypeOf(api, arg.type.name, arg.type.schema)
  return row && t === `${row}['Row']` ? `Omit<${t}, ${row}['ComputedFields']>` : t
}

function functionType(api: ApiSchema, f: ApiSchema['functions'][number], options: DatabaseTypeOptions): string {
  const pad = '        '
  const overloads = f.overloads.map((o) => {
    const args = o.args.length
      ? block(
          o.args.map((a) => field(a.name, argType(api, f.name, a, options), a.hasDefault)),
          pad,
        )
      : 'Record<PropertyKey, never>'
    const setof =
      o.setofTo === null
        ? null
        : { from: o.singleArgRowType ?? '*', to: o.setofTo, isOneToOne: o.singleArgRowType !== null && !o.returnsSet ? true : !(o.rows !== null && o.rows > 1), isSetofReturn: o.returnsSet }
    let returns = o.error === null ? resultOf(api, o, pad) : `{ error: true } & ${q(o.error)}`
    if (o.error === null && o.returnsSet && setof?.isOneToOne !== true) returns += '[]'
    const lines = [`Args: ${args}`, `Returns: ${returns}`]
    if (setof) {
      lines.push(`SetofOptions: {\n${pad}  from: ${q(setof.from)}\n${pad}  to: ${q(setof.to)}\n${pad}  isOneToOne: ${setof.isOneToOne}\n${pad}  isSetofReturn: ${setof.isSetofReturn}\n${pad}}`)
    }
    return `{\n${lines.map((l) => `${pad}${l}`).join('\n')}\n      }`
  })
  return `${key(f.name)}: ${overloads.join(' | ')}`
}

/**
 * database.ts: the supabase-js `Database` type in the shape `supabase gen types typescript` emits
 * (Tables with ComputedFields, Views, Functions, Enums, CompositeTypes, the two-parameter helpers,
 * Constants), usable as `createClient<Database>()`. It says what PostgREST sends: numeric and bigint
 * are `number` (read them exactly with a `::text` cast, as the SDK does). The one deliberate
 * difference: columns and RPC arguments a vocabulary pins down are typed with its union
 * (`TokenCode`, ...), where the generator says `string` or `number`.
 */
export function emitDatabaseType(api: ApiSchema, options: DatabaseTypeOptions): string {
  const tables = api.relations.filter((r) => 'rpf'.includes(r.kind))
  const views = api.relations.filter((r) => 'vm'.includes(r.kind))
  const section = (items: string[]) => (items.length ? `{\n${items.map((i) => `      ${i}`).join('\n')}\n    }` : `{\n      ${NEVER_MAP}\n    }`)
  const schemaKey = q(api.schema)

  const docs = options.extras ? packageDocs(api, tables[0]?.name ?? 'none', api.enums[0]) : undefined
  const out = [
    ...(docs?.Json ?? []),
    'export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]',
    '',
    ...(docs?.Database ?? []),
    'export type Database = {',
    `  ${key(api.schema)}: {`,
    `    Tables: ${section(tables.map((t) => `${key(t.name)}: ${tableType(api, t, options)}`))}`,
    `    Views: ${section(views.map((v) => `${key(v.name)}: ${tableType(api, v, options)}`))}`,
    `    Functions: ${section(api.functions.map((f) => functionType(api, f, options)))}`,
    `    Enums: ${section(api.enums.map((e) => `${key(e.name)}: ${e.values.map(q).join(' | ')}`))}`,
    `    CompositeTypes: ${section(
      api.compositeTypes.map(
        (c) =>
          `${key(c.name)}: ${block(
            c.attributes.map((a) => field(a.name, nullable(typeOf(api, a.type), true), false)),
            '      ',
          )}`,
      ),
    )}`,
    '  }',
    '}',
    '',
    docs ? withDocs(HELPERS.replace('__SCHEMA__', schemaKey), docs) : HELPERS.replace('__SCHEMA__', schemaKey),
    '',
    ...(docs?.Constants ?? []),
    `export const Constants = {\n  ${key(api.schema)}: {\n    Enums: {${api.enums.map((e) => `\n      ${key(e.name)}: [${e.values.map(q).join(', ')}],`).join('')}${api.enums.length ? '\n    ' : ''}},\n  },\n} as const`,
  ]
  if (docs) out.push('', ...docs.PublicSchema, `export type PublicSchema = Database[${schemaKey}]`)
  const body = `${out.join('\n')}\n`
  const used = [...new Set(options.narrowings.values())].filter((t) => new RegExp(`\\b${t}\\b`).test(body)).sort()
  return (used.length ? `import type { ${used.join(', ')} } from '${options.vocabularyModule}'\n\n` : '') + body
}

/**
 * Doc comments with examples for the package's own `Database` file (an app's file keeps the
 * generator's plain comments): `table` and `anEnum` are the schema's first table and enum.
 */
function packageDocs(api: ApiSchema, table: string, anEnum: { name: string; values: string[] } | undefined) {
  const from = "from '@avolve/db'"
  const t = str(table)
  const e = anEnum ? str(anEnum.name) : "'none'"
  const schema = key(api.schema)
  return {
    Json: docComment('A JSON value, as a json or jsonb column holds it.', [`import type { Json } ${from}`, '', "const metadata: Json = { source: 'import', tags: ['a', 'b'] }"]),
    Database: docComment(
      'The database as supabase-js sees it, in the shape `supabase gen types typescript` writes: what a plain\n`supabase.from(...).select(...)` returns (numeric and bigint as JSON numbers), narrowed to the vocabularies.',
      [
        "import { createClient } from '@supabase/supabase-js'",
        `import type { Database } ${from}`,
        '',
        'const supabase = createClient<Database>(SUPABASE_URL, SUPABASE_ANON_KEY)',
        `const { data } = await supabase.from(${t}).select('*') // Tables<${t}>[] | null`,
      ],
    ),
    Tables: docComment(`A table's or view's row type: \`Tables<${t}>\`, or \`Tables<{ schema: '${api.schema}' }, ${t}>\`.`, [`import type { Tables } ${from}`, '', `type Row = Tables<${t}>`]),
    TablesInsert: docComment(`A table's insert type: \`TablesInsert<${t}>\`.`, [`import type { TablesInsert } ${from}`, '', `type NewRow = TablesInsert<${t}>`]),
    TablesUpdate: docComment(`A table's update type: \`TablesUpdate<${t}>\`.`, [`import type { TablesUpdate } ${from}`, '', `type Change = TablesUpdate<${t}>`]),
    Enums: docComment(`An enum's values: \`Enums<${e}>\`.`, [`import type { Enums } ${from}`, '', `const value: Enums<${e}> = ${anEnum ? str(anEnum.values[0] ?? '') : 'undefined as never'}`]),
    CompositeTypes: docComment("A composite type: `CompositeTypes<'name'>`.", [
      `import type { Database } ${from}`,
      '',
      `type Names = keyof Database[${str(api.schema)}]['CompositeTypes'] // never when the schema has none`,
    ]),
    Constants: docComment("The enums' values at run time, as the official generator exports them.", [
      `import { Constants } ${from}`,
      '',
      `Constants.${schema}.Enums${anEnum ? `.${key(anEnum.name)} // ${literal(anEnum.values)}` : ' // {}'}`,
    ]),
    PublicSchema: docComment('The schema the API exposes.', [`import type { PublicSchema } ${from}`, '', `type Row = PublicSchema['Tables'][${t}]['Row']`]),
  }
}

const literal = (values: string[]) => `[${values.map(str).join(', ')}]`

/** HELPERS with each helper's one-line comment replaced by its doc comment. */
function withDocs(helpers: string, docs: Readonly<Record<string, string[] | undefined>>): string {
  return helpers.replace(/\/\*\*.*\*\/\nexport type (\w+)</g, (line, name: string) => {
    const doc = docs[name]
    return doc ? `${doc.join('\n')}\nexport type ${name}<` : line
  })
}

/** The helper types, as the official generator writes them (two-parameter forms included). */
const HELPERS = `type DatabaseWithoutInternals = Omit<Database, '__InternalSupabase'>

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, __SCHEMA__>]

/** A table's or view's row type: \`Tables<'user_consent'>\`, or \`Tables<{ schema: 'public' }, 'user_consent'>\`. */
export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema['Tables'] & DefaultSchema['Views'])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions['schema']]['Tables'] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions['schema']]['Views'])
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions['schema']]['Tables'] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions['schema']]['Views'])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema['Tables'] & DefaultSchema['Views'])
    ? (DefaultSchema['Tables'] & DefaultSchema['Views'])[DefaultSchemaTableNameOrOptions] extends {
        Row: infer R
      }
      ? R
      : never
    : never

/** A table's insert type: \`TablesInsert<'user_consent'>\`. */
export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema['Tables']
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions['schema']]['Tables']
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions['schema']]['Tables'][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema['Tables']
    ? DefaultSchema['Tables'][DefaultSchemaTableNameOrOptions] extends {
        Insert: infer I
      }
      ? I
      : never
    : never

/** A table's update type: \`TablesUpdate<'user_consent'>\`. */
export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema['Tables']
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions['schema']]['Tables']
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions['schema']]['Tables'][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema['Tables']
    ? DefaultSchema['Tables'][DefaultSchemaTableNameOrOptions] extends {
        Update: infer U
      }
      ? U
      : never
    : never

/** An enum's values: \`Enums<'consent_status'>\`. */
export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema['Enums']
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions['schema']]['Enums']
    : never = never,
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions['schema']]['Enums'][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema['Enums']
    ? DefaultSchema['Enums'][DefaultSchemaEnumNameOrOptions]
    : never

/** A composite type: \`CompositeTypes<'name'>\`. */
export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema['CompositeTypes']
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions['schema']]['CompositeTypes']
    : never = never,
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions['schema']]['CompositeTypes'][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema['CompositeTypes']
    ? DefaultSchema['CompositeTypes'][PublicCompositeTypeNameOrOptions]
    : never`
