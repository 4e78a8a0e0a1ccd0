import type pg from 'pg'
import { nonNullViewColumns, viewColumnOrigins, type ViewDefinition } from './view-analysis.js'

/**
 * What the supabase-js `Database` type is made of, read the way Supabase's generator (postgres-meta's
 * typegen, as `supabase gen types typescript` runs it) reads it, so that the two agree: every
 * relation, function, enum and composite type of the exposed schema, including ones codegen's own
 * catalog refuses (overloads, OUT arguments), because an app's schema may have them.
 */
export interface ApiSchema {
  schema: string
  relations: ApiRelation[]
  functions: ApiFunction[]
  enums: Array<{ name: string; values: string[] }>
  compositeTypes: Array<{ name: string; attributes: Array<{ name: string; type: TypeRef | null }> }>
  /** Every enum of the database, for types named from other schemas. */
  allEnums: Array<{ schema: string; name: string; values: string[] }>
  /** Every composite type of the database (standalone ones), by schema and name. */
  allComposites: Array<{ schema: string; name: string }>
  /** Every relation of the database, for row types named from other schemas. */
  allRelations: Array<{ oid: number; schema: string; name: string; kind: string }>
}

/** A type as postgres-meta names it: its `typname` (`_int4` for arrays, a domain's base type) and schema. */
export interface TypeRef {
  name: string
  schema: string
}

export interface ApiColumn {
  name: string
  type: TypeRef
  nullable: boolean
  hasDefault: boolean
  identity: '' | 'a' | 'd'
  generated: boolean
  /** Whether PostgREST can write it (always for tables; per column for views). */
  updatable: boolean
}

export interface ApiRelationship {
  foreignKeyName: string
  columns: string[]
  isOneToOne: boolean
  referencedRelation: string
  referencedColumns: string[]
}

export interface ApiRelation {
  oid: number
  name: string
  /** `r` table, `p` partitioned table, `f` foreign table, `v` view, `m` materialized view. */
  kind: string
  columns: ApiColumn[]
  relationships: ApiRelationship[]
  /** Views: whether PostgREST can insert into / update it. */
  insertable: boolean
  updatable: boolean
}

export interface ApiFunctionArg {
  name: string
  type: TypeRef | null
  hasDefault: boolean
  /** The relation whose row type this argument is, if any. */
  relationOid: number | null
}

export interface ApiOverload {
  args: ApiFunctionArg[]
  returns: TypeRef | null
  /** The relation whose rows it returns (`returns setof public.x`, `returns public.x`). */
  returnsRelationOid: number | null
  /** `returns table (...)` columns. */
  returnsColumns: Array<{ name: string; type: TypeRef | null }> | null
  returnsSet: boolean
  rows: number | null
  /** The single argument's row type, when it has exactly one argument (of any mode) of a row type. */
  singleArgRowType: string | null
  /** The relation or composite type it returns rows of (`SetofOptions.to`). */
  setofTo: string | null
  /** Why PostgREST cannot call it (ambiguous overloads), in postgres-meta's words. */
  error: string | null
  /** The table or view this is a computed field of (one argument of its row type, a name none of its columns has). */
  computedFieldOf: number | null
  /** postgres-meta's sort keys for overloads. */
  argumentTypes: string
  resultType: string
  oid: number
}

export interface ApiFunction {
  name: string
  overloads: ApiOverload[]
}

interface ColumnRow {
  relid: number
  name: string
  attnum: number
  comment: string | null
  type_name: string
  type_schema: string
  nullable: boolean
  has_default: boolean
  identity: '' | 'a' | 'd'
  generated: boolean
  updatable: boolean
}

interface ForeignKeyRow {
  name: string
  relid: number
  schema: string
  relation: string
  columns: string[]
  column_numbers: number[]
  refs: string[]
  ref_numbers: number[]
  ref_relid: number
  ref_schema: string
  ref_relation: string
  one_to_one: boolean
}

/** A relationship as postgres-meta lists them: between tables, or through views that carry the key's columns. */
interface Relationship {
  name: string
  schema: string
  relation: string
  columns: string[]
  oneToOne: boolean
  refSchema: string
  refRelation: string
  refColumns: string[]
}

/**
 * The foreign keys, plus the ones views inherit, as postgres-meta derives them from PostgREST's view
 * key dependencies: a view carrying all of a key's referencing columns relates to the referenced
 * table; a table relates to a view carrying all the referenced columns (when the key is in
 * `schema`); and a view to a view.
 */
function relationshipsThroughViews(
  keys: ForeignKeyRow[],
  views: Array<{ oid: number; schema: string; name: string; action: string; non_null: Array<[number, number]>; columns: Record<string, string> }>,
  schema: string,
): Relationship[] {
  const viewById = new Map(views.map((v) => [v.oid, v]))
  const origins = viewColumnOrigins(
    views.map((v) => ({ oid: v.oid, schema: v.schema, name: v.name, action: v.action, nonNullColumns: v.non_null })),
    new Set([schema]),
  )
  // For each (view, table column): the view's columns that carry it.
  const carriers = new Map<string, string[]>()
  for (const o of origins) {
    const key = `${o.viewOid}/${o.tableOid}/${o.tableColumn}`
    const name = viewById.get(o.viewOid)?.columns[String(o.viewColumn)]
    if (name === undefined) continue
    const list = carriers.get(key) ?? []
    list.push(name)
    carriers.set(key, list)
  }
  const viewOids = [...new Set(origins.map((o) => o.viewOid))]
  /** The views that carry every one of `numbers` of `relid`, each with every combination of carrying columns. */
  const carriedBy = (relid: number, numbers: number[]) =>
    viewOids.flatMap((viewOid) => {
      const perColumn = numbers.map((n) => carriers.get(`${viewOid}/${relid}/${n}`))
      if (perColumn.some((c) => c === undefined)) return []
      const combos = (perColumn as string[][]).reduce<string[][]>((acc, options) => acc.flatMap((prefix) => options.map((o) => [...prefix, o])), [[]])
      const view = viewById.get(viewOid)!
      return combos.map((columns) => ({ schema: view.schema, relation: view.name, columns }))
    })
  const out: Relationship[] = []
  for (const k of keys) {
    const base: Relationship = {
      name: k.name,
      schema: k.schema,
      relation: k.relation,
      columns: k.columns,
      oneToOne: k.one_to_one,
      refSchema: k.ref_schema,
      refRelation: k.ref_relation,
      refColumns: k.refs,
    }
    if (k.schema === schema) out.push(base)
    const referencing = carriedBy(k.relid, k.column_numbers)
    const referenced = k.schema === schema ? carriedBy(k.ref_relid, k.ref_numbers) : []
    for (const v of referencing) out.push({ ...base, schema: v.schema, relation: v.relation, columns: v.columns })
    for (const v of referenced) out.push({ ...base, refSchema: v.schema, refRelation: v.relation, refColumns: v.columns })
    for (const a of referencing)
      for (const b of carriedBy(k.ref_relid, k.ref_numbers)) {
        out.push({ ...base, schema: a.schema, relation: a.relation, columns: a.columns, refSchema: b.schema, refRelation: b.relation, refColumns: b.columns })
      }
  }
  return out
}

interface FunctionRow {
  oid: number
  name: string
  modes: string[]
  names: string[]
  types: number[]
  defaults: boolean[]
  return_type: number
  return_relid: number | null
  returns_set: boolean
  rows: number | null
  argument_types: string
  result_type: string
}

/** The types postgres-meta lets stand as a single unnamed argument (json, jsonb, text). */
const SINGLE_UNNAMED_ARG_TYPES = new Set([114, 3802, 25])

const collator = new Intl.Collator('en')
const byName = <T extends { name: string }>(a: T, b: T) => collator.compare(a.name, b.name)

/** Reads the exposed schema `schema` as Supabase's type generator sees it (as a superuser). */
export async function readApiSchema(client: pg.ClientBase, schema = 'public'): Promise<ApiSchema> {
  const relations = await client.query<{ oid: number; schema: string; name: string; kind: string; insertable: boolean; updatable: boolean }>(
    `select c.oid::int8::float8 as oid, n.nspname as schema, c.relname as name, c.relkind::text as kind,
       (pg_relation_is_updatable(c.oid, true) & 8) = 8 as insertable,
       (pg_relation_is_updatable(c.oid, true) & 4) = 4 as updatable
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p', 'f', 'v', 'm') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')`,
  )
  const columns = await client.query<ColumnRow>(
    // As postgres-meta's columns query: a domain is typed as its base type; a view's column is
    // writable when PostgreSQL can update it or an INSTEAD trigger or rule makes the view writable.
    `select c.oid::int8::float8 as relid, a.attname as name, a.attnum, col_description(c.oid, a.attnum) as comment,
       coalesce(bt.typname, t.typname) as type_name, coalesce(nbt.nspname, nt.nspname) as type_schema,
       not (a.attnotnull or (t.typtype = 'd' and t.typnotnull)) as nullable,
       a.atthasdef as has_default, a.attidentity::text as identity, a.attgenerated in ('s', 'v') as generated,
       (c.relkind in ('r', 'p') or c.relkind in ('v', 'f') and (
          pg_column_is_updatable(c.oid, a.attnum, false)
          or exists (select from pg_trigger tg where tg.tgrelid = c.oid and tg.tgtype & 64 <> 0 and tg.tgtype & 20 <> 0 and not tg.tgisinternal)
          or exists (select from pg_rewrite rw where rw.ev_class = c.oid and rw.is_instead and rw.ev_type in ('2', '3') and rw.ev_qual::text = '<>')
       )) as updatable
     from pg_attribute a
       join pg_class c on c.oid = a.attrelid
       join pg_namespace nc on nc.oid = c.relnamespace
       join pg_type t on t.oid = a.atttypid join pg_namespace nt on nt.oid = t.typnamespace
       left join (pg_type bt join pg_namespace nbt on nbt.oid = bt.typnamespace) on t.typtype = 'd' and t.typbasetype = bt.oid
     where nc.nspname = $1 and c.relkind in ('r', 'p', 'f', 'v', 'm') and a.attnum > 0 and not a.attisdropped
     order by c.oid, a.attnum`,
    [schema],
  )
  const foreignKeys = await client.query<ForeignKeyRow>(
    // Every foreign key (partitions' copies aside), as PostgREST's schema cache reads them: one-to-one
    // when its columns, in its order, are a primary key's or a unique constraint's in attnum order.
    `with pks_uniques as (
       select conrelid, jsonb_agg(cols) as cols
       from pg_constraint k, lateral (
         select jsonb_agg(a.attname order by a.attnum) as cols
         from unnest(k.conkey) as x(n) join pg_attribute a on a.attrelid = k.conrelid and a.attnum = x.n) ci
       where k.contype in ('p', 'u') group by conrelid),
     fks as (
       select k.*, (select jsonb_agg(a.attname order by x.i) from unnest(k.conkey) with ordinality x(n, i)
                    join pg_attribute a on a.attrelid = k.conrelid and a.attnum = x.n) as cols
       from pg_constraint k where k.contype = 'f' and k.conparentid = 0)
     select k.conname as name, k.conrelid::int8::float8 as relid, n.nspname as schema, c.relname as relation,
       k.cols as columns, k.conkey::int4[] as column_numbers,
       (select jsonb_agg(a.attname order by x.i) from unnest(k.confkey) with ordinality x(n, i) join pg_attribute a on a.attrelid = k.confrelid and a.attnum = x.n) as refs,
       k.confkey::int4[] as ref_numbers, k.confrelid::int8::float8 as ref_relid, rn.nspname as ref_schema, rc.relname as ref_relation,
       coalesce(k.cols in (select jsonb_array_elements(p.cols) from pks_uniques p where p.conrelid = k.conrelid), false) as one_to_one
     from fks k
       join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_class rc on rc.oid = k.confrelid join pg_namespace rn on rn.oid = rc.relnamespace
     where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')`,
  )
  const views = await client.query<{ oid: number; schema: string; name: string; action: string; non_null: Array<[number, number]>; columns: Record<string, string> }>(
    `select c.oid::int8::float8 as oid, n.nspname as schema, c.relname as name, r.ev_action::text as action,
       coalesce((select json_agg(json_build_array(d.refobjid::int8::float8, d.refobjsubid))
                 from pg_depend d join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
                   join pg_type t on t.oid = a.atttypid
                 where d.classid = 'pg_rewrite'::regclass and d.objid = r.oid and d.refclassid = 'pg_class'::regclass
                   and d.refobjsubid > 0 and (a.attnotnull or t.typtype = 'd' and t.typnotnull)), '[]') as non_null,
       (select json_object_agg(a.attnum, a.attname) from pg_attribute a where a.attrelid = c.oid and a.attnum > 0) as columns
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
       join pg_rewrite r on r.ev_class = c.oid and r.rulename = '_RETURN'
     where c.relkind in ('v', 'm') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')`,
  )
  const types = await client.query<{ oid: number; schema: string; name: string; format: string; kind: string; relid: number | null; relkind: string | null; enum_values: string[] | null }>(
    `select t.oid::int8::float8 as oid, n.nspname as schema, t.typname as name, format_type(t.oid, null) as format, t.typtype::text as kind,
       nullif(t.typrelid, 0)::int8::float8 as relid, c.relkind::text as relkind,
       (select array_agg(e.enumlabel::text order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid) as enum_values
     from pg_type t join pg_namespace n on n.oid = t.typnamespace left join pg_class c on c.oid = t.typrelid`,
  )
  const attributes = await client.query<{ typeoid: number; name: string; type_name: string; type_schema: string }>(
    `select t.oid::int8::float8 as typeoid, a.attname as name, at.typname as type_name, an.nspname as type_schema
     from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_class c on c.oid = t.typrelid and c.relkind = 'c'
       join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
       join pg_type at on at.oid = a.atttypid join pg_namespace an on an.oid = at.typnamespace
     where n.nspname = $1 order by a.attnum`,
    [schema],
  )
  const functions = await client.query<FunctionRow>(
    `select p.oid::int8::float8 as oid, p.proname as name,
       coalesce(p.proargmodes::text[], array_fill('i'::text, array[cardinality(coalesce(p.proallargtypes, p.proargtypes))])) as modes,
       coalesce(p.proargnames, array_fill(''::text, array[cardinality(coalesce(p.proallargtypes, p.proargtypes))])) as names,
       (select array_agg(x::int8::float8 order by i) from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality u(x, i)) as types,
       array_cat(array_fill(false, array[p.pronargs - p.pronargdefaults]), array_fill(true, array[p.pronargdefaults])) as defaults,
       p.prorettype::int8::float8 as return_type, nullif(rt.typrelid, 0)::int8::float8 as return_relid,
       p.proretset as returns_set, case when p.proretset then nullif(p.prorows, 0)::float8 end as rows,
       pg_get_function_arguments(p.oid) as argument_types, pg_get_function_result(p.oid) as result_type
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace left join pg_type rt on rt.oid = p.prorettype
     where n.nspname = $1 and p.prokind = 'f' and p.prorettype not in ('trigger'::regtype, 'event_trigger'::regtype)`,
    [schema],
  )

  const typeById = new Map(types.rows.map((t) => [t.oid, t]))
  const typeRef = (oid: number): TypeRef | null => {
    const t = typeById.get(oid)
    return t ? { name: t.name, schema: t.schema } : null
  }
  const allRelations = relations.rows.map((r) => ({ oid: r.oid, schema: r.schema, name: r.name, kind: r.kind }))
  const relationById = new Map(allRelations.map((r) => [r.oid, r]))
  const viewDefinitions: ViewDefinition[] = views.rows.map((v) => ({ oid: v.oid, schema: v.schema, name: v.name, action: v.action, nonNullColumns: v.non_null }))
  // A view column is NOT NULL when it copies a NOT NULL column, or when its comment says `@notNull`.
  const notNullViewColumns = nonNullViewColumns(viewDefinitions)
  const columnsOf = new Map<number, ApiColumn[]>()
  for (const c of columns.rows) {
    const list = columnsOf.get(c.relid) ?? []
    const isView = views.rows.some((v) => v.oid === c.relid)
    const inferredNotNull = isView && (notNullViewColumns.has(`${c.relid}.${c.attnum}`) || /^\s*@notNull\s*$/m.test(c.comment ?? ''))
    list.push({
      name: c.name,
      type: { name: c.type_name, schema: c.type_schema },
      nullable: c.nullable && !inferredNotNull,
      hasDefault: c.has_default,
      identity: c.identity,
      generated: c.generated,
      updatable: c.updatable,
    })
    columnsOf.set(c.relid, list)
  }
  const fkOrder = (a: ApiRelationship, b: ApiRelationship) =>
    collator.compare(a.foreignKeyName, b.foreignKeyName) ||
    collator.compare(a.referencedRelation, b.referencedRelation) ||
    collator.compare(JSON.stringify(a.referencedColumns), JSON.stringify(b.referencedColumns)) ||
    collator.compare(JSON.stringify(a.columns), JSON.stringify(b.columns))
  const relationshipsOf = new Map<string, ApiRelationship[]>()
  for (const k of relationshipsThroughViews(foreignKeys.rows, views.rows, schema)) {
    if (k.schema !== schema || k.refSchema !== schema) continue
    const list = relationshipsOf.get(k.relation) ?? []
    list.push({ foreignKeyName: k.name, columns: k.columns, isOneToOne: k.oneToOne, referencedRelation: k.refRelation, referencedColumns: k.refColumns })
    relationshipsOf.set(k.relation, list)
  }

  const apiRelations: ApiRelation[] = relations.rows
    .filter((r) => r.schema === schema)
    .map((r) => ({
      oid: r.oid,
      name: r.name,
      kind: r.kind,
      columns: (columnsOf.get(r.oid) ?? []).sort(byName),
      relationships: (relationshipsOf.get(r.name) ?? []).sort(fkOrder),
      insertable: r.kind === 'v' && r.insertable,
      updatable: r.kind === 'v' && r.updatable,
    }))
    .sort(byName)

  // A function's overloads as postgres-meta keeps them: those PostgREST can call with named
  // arguments, or with one unnamed json/jsonb/text or row-typed argument.
  const compositeIds = new Set(types.rows.filter((t) => t.relid !== null && 'crvmpf'.includes(t.relkind ?? '-')).map((t) => t.oid))
  const rowTypeIds = new Set(types.rows.filter((t) => t.relid !== null && t.relkind !== 'c' && relationById.has(t.relid)).map((t) => t.oid))
  const typeName = (oid: number) => typeById.get(oid)?.name ?? 'unknown'
  type InArg = { mode: string; name: string; type: number; hasDefault: boolean }
  const candidates = new Map<string, Array<{ f: FunctionRow; inArgs: InArg[] }>>()
  const grouped = new Map<string, ApiOverload[]>()
  for (const f of functions.rows) {
    // postgres-meta pairs the defaults (which belong to the last IN arguments) with all arguments
    // by position, OUT ones included; the official types follow that, so this does too.
    const inArgs = f.modes.map((mode, i) => ({ mode, name: f.names[i] ?? '', type: f.types[i]!, hasDefault: f.defaults[i] === true })).filter((a) => a.mode === 'i' || a.mode === 'b' || a.mode === 'v')
    const callable =
      inArgs.length === 0 ||
      !inArgs.some((a) => a.name === '') ||
      inArgs.every((a) => a.name !== '' || (a.hasDefault && SINGLE_UNNAMED_ARG_TYPES.has(a.type))) ||
      (inArgs.length === 1 && inArgs[0]!.name === '' && (SINGLE_UNNAMED_ARG_TYPES.has(inArgs[0]!.type) || compositeIds.has(inArgs[0]!.type)))
    if (!callable) continue
    const list = candidates.get(f.name) ?? []
    list.push({ f, inArgs })
    candidates.set(f.name, list)
  }
  for (const [name, list] of candidates)
    for (const { f, inArgs } of list) {
      const single = inArgs.length === 1 ? inArgs[0] : undefined
      const singleRowType = single && rowTypeIds.has(single.type) ? typeById.get(single.type)! : undefined
      const fieldOf = singleRowType ? relationById.get(singleRowType.relid!) : undefined
      const computedFieldOf = fieldOf && fieldOf.schema === schema && !(columnsOf.get(fieldOf.oid) ?? []).some((c) => c.name === f.name) ? fieldOf.oid : null
      const tableArgs = f.modes.map((mode, i) => ({ mode, name: f.names[i] ?? '', type: f.types[i]! })).filter((a) => a.mode === 't')
      const allArgs = f.modes.length === 1 ? { type: f.types[0]! } : undefined
      const allArgRowType = allArgs && compositeIds.has(allArgs.type) ? typeById.get(allArgs.type)!.format : null
      const overloads = grouped.get(f.name) ?? []
      overloads.push({
        oid: f.oid,
        args: inArgs
          .map((a) => {
            const relid = typeById.get(a.type)?.relid ?? null
            return { name: a.name, type: typeRef(a.type), hasDefault: a.hasDefault, relationOid: relid !== null && relationById.has(relid) ? relid : null }
          })
          .sort(byName),
        returns: typeRef(f.return_type),
        returnsRelationOid: f.return_relid !== null && relationById.has(f.return_relid) ? f.return_relid : null,
        returnsColumns: tableArgs.length ? tableArgs.map((a) => ({ name: a.name, type: typeRef(a.type) })).sort(byName) : null,
        returnsSet: f.returns_set,
        rows: f.rows,
        singleArgRowType: allArgRowType,
        setofTo: f.return_relid === null ? null : (relationById.get(f.return_relid)?.name ?? typeById.get(f.return_type)?.name ?? null),
        error: overloadError(name, inArgs, list),
        computedFieldOf,
        argumentTypes: f.argument_types,
        resultType: f.result_type,
      })
      grouped.set(f.name, overloads)
    }
  // postgres-meta's three cases PostgREST cannot resolve, worded as it words them.
  function overloadError(name: string, inArgs: InArg[], all: Array<{ inArgs: InArg[] }>): string | null {
    const single = inArgs.length === 1 ? inArgs[0] : undefined
    if (all.length > 1) {
      if (inArgs.length === 0) {
        const other = all.find((o) => o.inArgs !== inArgs && o.inArgs.length === 1 && o.inArgs[0]!.name === '' && o.inArgs[0]!.hasDefault)
        if (other) {
          return `Could not choose the best candidate function between: ${schema}.${name}(), ${schema}.${name}( => ${typeName(other.inArgs[0]!.type)}). Try renaming the parameters or the function itself in the database so function overloading can be resolved`
        }
      }
      if (single && single.name !== '') {
        const others = all.filter((o) => o.inArgs !== inArgs && o.inArgs.length === 1 && o.inArgs[0]!.name === single.name && o.inArgs[0]!.type !== single.type)
        if (others.length > 0) {
          const described = [{ inArgs }, ...others]
            .sort((a, b) => (a.inArgs[0]?.type || 0) - (b.inArgs[0]?.type || 0))
            .map((o) => `${schema}.${name}(${o.inArgs.map((a) => `${a.name} => ${typeName(a.type)}`).join(', ')})`)
          return `Could not choose the best candidate function between: ${described.join(', ')}. Try renaming the parameters or the function itself in the database so function overloading can be resolved`
        }
      }
    }
    if (single && single.name === '' && compositeIds.has(single.type)) {
      return `the function ${schema}.${name} with parameter or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache`
    }
    return null
  }
  const apiFunctions = [...grouped.entries()]
    .map(([name, overloads]) => ({
      name,
      overloads: overloads.sort((a, b) => collator.compare(a.argumentTypes, b.argumentTypes) || collator.compare(a.resultType, b.resultType) || a.oid - b.oid),
    }))
    .sort(byName)

  const attributesOf = new Map<number, Array<{ name: string; type: TypeRef | null }>>()
  for (const a of attributes.rows) {
    const list = attributesOf.get(a.typeoid) ?? []
    list.push({ name: a.name, type: { name: a.type_name, schema: a.type_schema } })
    attributesOf.set(a.typeoid, list)
  }
  const enumTypes = types.rows.filter((t) => t.kind === 'e' && t.enum_values)
  const composites = types.rows.filter((t) => t.relkind === 'c')
  return {
    schema,
    relations: apiRelations,
    functions: apiFunctions,
    enums: enumTypes
      .filter((t) => t.schema === schema)
      .map((t) => ({ name: t.name, values: t.enum_values! }))
      .sort(byName),
    compositeTypes: composites
      .filter((t) => t.schema === schema)
      .map((t) => ({ name: t.name, attributes: attributesOf.get(t.oid) ?? [] }))
      .sort(byName),
    allEnums: enumTypes.map((t) => ({ schema: t.schema, name: t.name, values: t.enum_values! })),
    allComposites: composites.map((t) => ({ schema: t.schema, name: t.name })),
    allRelations,
  }
}
