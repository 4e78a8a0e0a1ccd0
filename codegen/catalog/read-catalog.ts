import type pg from 'pg'
import { dataTables, lookupTables, schema } from '../config.js'
import { apiRoles, type ApiRole } from '../../src/api-roles.js'
import type { Catalog, EnumType, ErrorCode, PgType, Relation, RpcFunction } from './types.js'

/** SQL for a type's description, given an expression yielding its oid. */
const typeJson = (oid: string) => `(
  select json_build_object(
    'schema', tn.nspname, 'name', coalesce(et.typname, t.typname),
    'kind', coalesce(et.typtype, t.typtype)::text, 'array', et.oid is not null)
  from pg_type t join pg_namespace tn on tn.oid = coalesce(
    (select e.typnamespace from pg_type e where e.oid = t.typelem and t.typcategory = 'A'), t.typnamespace)
  left join pg_type et on et.oid = t.typelem and t.typcategory = 'A'
  where t.oid = ${oid})`

async function readRelations(client: pg.ClientBase, schemas: string[]): Promise<Relation[]> {
  const { rows } = await client.query<Relation>(
    `select n.nspname as schema, c.relname as name, c.relkind::text as kind,
       obj_description(c.oid, 'pg_class') as comment,
       coalesce((
         select json_agg(json_build_object(
           'name', a.attname, 'type', ${typeJson('a.atttypid')},
           'nullable', not a.attnotnull, 'hasDefault', d.adbin is not null,
           'identity', a.attidentity::text, 'generated', a.attgenerated <> '') order by a.attname)
         from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
         where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]') as columns,
       coalesce((
         select json_agg(json_build_object(
           'foreignKeyName', k.conname,
           'columns', (select json_agg(a.attname order by x.i) from unnest(k.conkey) with ordinality x(n, i)
                       join pg_attribute a on a.attrelid = k.conrelid and a.attnum = x.n),
           'isOneToOne', exists (select from pg_index i where i.indrelid = k.conrelid and i.indisunique
                                 and i.indnkeyatts = cardinality(k.conkey)
                                 and (i.indkey::int2[])[0:i.indnkeyatts - 1] @> k.conkey),
           'referencedRelation', rc.relname,
           'referencedColumns', (select json_agg(a.attname order by x.i) from unnest(k.confkey) with ordinality x(n, i)
                                 join pg_attribute a on a.attrelid = k.confrelid and a.attnum = x.n)) order by k.conname)
         from pg_constraint k join pg_class rc on rc.oid = k.confrelid
         where k.conrelid = c.oid and k.contype = 'f' and rc.relnamespace = c.relnamespace), '[]') as relationships,
       coalesce((
         select json_object_agg(a.attname, pg_get_constraintdef(k.oid))
         from pg_constraint k join pg_attribute a on a.attrelid = k.conrelid and a.attnum = k.conkey[1]
         where k.conrelid = c.oid and k.contype = 'c' and cardinality(k.conkey) = 1
           and pg_get_constraintdef(k.oid) ~ '= ANY \\(ARRAY\\['), '{}') as "allowedValues"
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname || '.' || c.relname = any($1) or (n.nspname = any($2) and c.relkind in ('r', 'v', 'm', 'p', 'f'))
     order by n.nspname, c.relname`,
    [schemas.filter((s) => s.includes('.')), schemas.filter((s) => !s.includes('.'))],
  )
  for (const r of rows) {
    const checks = r.allowedValues as unknown as Record<string, string>
    r.allowedValues = Object.fromEntries(
      Object.entries(checks).flatMap(([column, def]) => {
        const list = /ARRAY\[(.*)\]/.exec(def)?.[1]
        if (!list) return []
        const values = list.split(',').map((v) => v.trim().replace(/::\w+( \w+)*$/, ''))
        const parsed = values.map((v) => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v.replace(/^'(.*)'$/, '$1').replace(/''/g, "'")))
        return [[column, parsed]]
      }),
    )
  }
  return rows
}

async function readFunctions(client: pg.ClientBase): Promise<RpcFunction[]> {
  const { rows } = await client.query<RpcFunction & { argTypes: PgType[]; argNames: string[] | null; nDefaults: number; modes: string[] | null }>(
    `select n.nspname as schema, p.proname as name,
       coalesce((select json_agg(${typeJson('x.t')} order by x.i) from unnest(p.proargtypes) with ordinality x(t, i)), '[]') as "argTypes",
       p.proargnames as "argNames", p.proargmodes::text[] as modes, p.pronargdefaults as "nDefaults",
       ${typeJson('p.prorettype')} as returns, p.proretset as "returnsSet",
       case p.provolatile when 'i' then 'immutable' when 's' then 'stable' else 'volatile' end as volatility,
       array(select r from unnest($2::text[]) with ordinality as x(r, i) where has_function_privilege(r, p.oid, 'execute') order by i) as "executableBy",
       obj_description(p.oid, 'pg_proc') as comment
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = $1 and p.prokind = 'f' and p.prorettype <> 'trigger'::regtype
     order by p.proname, pg_get_function_identity_arguments(p.oid)`,
    [schema, apiRoles],
  )
  const seen = new Set<string>()
  return rows.map((r) => {
    if (seen.has(r.name)) {
      throw new Error(`public.${r.name} is overloaded. PostgREST picks an overload by argument names and refuses ambiguous ones (PGRST203); give each function its own name.`)
    }
    seen.add(r.name)
    if (r.modes?.some((m) => m !== 'i')) {
      throw new Error(`public.${r.name} has OUT/INOUT/VARIADIC arguments, which codegen does not support; return a value or a table instead.`)
    }
    const names = r.argNames ?? []
    const args = r.argTypes.map((type, i) => {
      const name = names[i]
      if (!name) throw new Error(`public.${r.name}: argument ${i + 1} has no name; PostgREST calls functions with named arguments.`)
      return { name, type, hasDefault: i >= r.argTypes.length - r.nDefaults }
    })
    return {
      schema: r.schema,
      name: r.name,
      args,
      returns: r.returns,
      returnsSet: r.returnsSet,
      volatility: r.volatility,
      executableBy: r.executableBy as ApiRole[],
      comment: r.comment,
    }
  })
}

async function readEnums(client: pg.ClientBase): Promise<EnumType[]> {
  const { rows } = await client.query<EnumType>(
    `select n.nspname as schema, t.typname as name, array_agg(e.enumlabel::text order by e.enumsortorder) as values
     from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_enum e on e.enumtypid = t.oid
     where n.nspname = $1 group by 1, 2 order by 2`,
    [schema],
  )
  return rows
}

async function readErrorCodes(client: pg.ClientBase): Promise<ErrorCode[]> {
  const { rows } = await client.query<ErrorCode>('select sqlstate, name, message, hint from private.error_codes order by sqlstate')
  return rows
}

async function readLookupRows(client: pg.ClientBase): Promise<Catalog['lookupRows']> {
  const out: Catalog['lookupRows'] = {}
  for (const l of lookupTables) {
    const { rows } = await client.query(`select * from ${schema}.${client.escapeIdentifier(l.table)} order by ${client.escapeIdentifier(l.key)}`)
    out[l.table] = rows
  }
  for (const d of dataTables) {
    const order = d.orderBy.map((c) => client.escapeIdentifier(c)).join(', ')
    const { rows } = await client.query(`select * from ${schema}.${client.escapeIdentifier(d.table)} order by ${order}`)
    out[d.table] = rows
  }
  return out
}

/** Reads everything codegen needs from a migrated database, as a superuser. */
export async function readCatalog(client: pg.ClientBase, extraRelations: string[]): Promise<Catalog> {
  return {
    relations: await readRelations(client, [schema, ...extraRelations]),
    functions: await readFunctions(client),
    enums: await readEnums(client),
    errorCodes: await readErrorCodes(client),
    lookupRows: await readLookupRows(client),
  }
}
