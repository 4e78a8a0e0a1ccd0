import type pg from 'pg'

export interface RoutineParam {
  name: string
  /** `type::regtype::text`, shown in PGRST203. */
  type: string
  /** The type json_to_record decodes into (char/bit widened to their varying forms, as PostgREST does). */
  recordType: string
  required: boolean
  /** A VARIADIC parameter: called as `VARIADIC name := array`. */
  variadic: boolean
}

export interface Routine {
  name: string
  params: RoutineParam[]
  returns: 'void' | 'scalar' | 'setof scalar' | 'composite' | 'setof composite'
  volatility: 'i' | 's' | 'v'
  /** The function's own `default_transaction_isolation`, if it sets one. */
  isolation: string | null
  /** Has its single unnamed json/jsonb/text/xml/bytea parameter: callable by PostgREST, not by this fixture. */
  unnamedParam: boolean
}

/** What PostgREST reads from the catalog once at start: relations, functions and role settings. */
export interface SchemaCache {
  schema: string
  /** Relation name → column name → type. Privileges are not considered: the database checks them. */
  tables: Map<string, Map<string, string>>
  /** Functions this fixture can call, by name. */
  routines: Map<string, Routine[]>
  /** Every function PostgREST would cache (also those with one unnamed parameter): for hints. */
  allRoutines: Map<string, Routine[]>
  /** Role → its `ALTER ROLE ... SET` settings that a request may set (applied before switching role). */
  roleSettings: Map<string, [string, string][]>
  roleIsolation: Map<string, string>
  /** Type name as a client may write it → safe SQL for it. */
  types: Map<string, string>
  /** pg_timezone_names: the time zones `Prefer: timezone=` accepts. */
  timezones: Set<string>
}

// allTables (SchemaCache.hs), reduced to names and columns.
const tablesSql = `
  select c.relname as name,
    coalesce(json_object_agg(a.attname, format_type(a.atttypid, a.atttypmod)) filter (where a.attname is not null), '{}') as columns
  from pg_class c
  left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  where c.relnamespace = $1::regnamespace and c.relkind in ('r', 'v', 'm', 'f', 'p') and not c.relispartition
  group by c.relname`

// funcsSqlQuery (SchemaCache.hs), reduced: no domain return types, no hoisted settings. As PostgREST,
// a function is cached when its parameters are all named or it has one unnamed json/jsonb/text/xml/bytea one.
const routinesSql = `
  with arguments as (
    select p.oid,
      json_agg(json_build_object(
        'name', coalesce(a.name, ''),
        'type', a.type::regtype::text,
        'recordType', case a.type
          when 'bit'::regtype then 'bit varying' when 'bit[]'::regtype then 'bit varying[]'
          when 'character'::regtype then 'character varying' when 'character[]'::regtype then 'character varying[]'
          else a.type::regtype::text end,
        'required', a.idx <= p.pronargs - p.pronargdefaults,
        'variadic', coalesce(a.mode = 'v', false)) order by a.idx) as params,
      count(*) - count(a.name) as unnamed,
      (array_agg(a.type order by a.idx))[1] as first_type
    from pg_proc p, unnest(p.proargnames, p.proargtypes::oid[], p.proargmodes) with ordinality as a(name, type, mode, idx)
    where a.type is not null
    group by p.oid
  )
  select p.proname as name, coalesce(a.params, '[]') as params, p.provolatile as volatility,
    case when p.prorettype = 'pg_catalog.void'::regtype then 'void'
      else concat(case when p.proretset then 'setof ' end,
        case when t.typtype = 'c' or coalesce(p.proargmodes::text[] && '{t,b,o}', false) then 'composite' else 'scalar' end)
    end as returns,
    (select substr(s, strpos(s, '=') + 1) from unnest(p.proconfig) s where s like 'default_transaction_isolation=%') as isolation,
    coalesce(a.unnamed, 0) = 1 as "unnamedParam"
  from pg_proc p
  join pg_type t on t.oid = p.prorettype
  left join arguments a on a.oid = p.oid
  where p.pronamespace = $1::regnamespace and p.prokind = 'f' and p.prorettype <> 'pg_catalog.trigger'::regtype
    and (coalesce(a.unnamed, 0) = 0 or (a.unnamed = 1 and a.first_type in
      ('bytea'::regtype, 'json'::regtype, 'jsonb'::regtype, 'text'::regtype, 'xml'::regtype)))
  order by p.oid`

// queryRoleSettings (Config/Database.hs), verbatim in substance.
const roleSettingsSql = `
  with role_setting as (
    select r.rolname, unnest(r.rolconfig) as setting
    from pg_auth_members m join pg_roles r on r.oid = m.roleid
    where member = quote_ident(current_user)::regrole::oid
  ),
  kv_settings as (
    select rolname, substr(setting, 1, strpos(setting, '=') - 1) as key, substr(setting, strpos(setting, '=') + 1) as value
    from role_setting
  )
  select kv.rolname, kv.key, kv.value
  from kv_settings kv
  join pg_settings ps on ps.name = kv.key
    and (ps.context = 'user' or has_parameter_privilege(quote_ident(current_user)::regrole::oid, ps.name, 'set'))`

const typesSql = `
  select t.typname, format('%I.%I', n.nspname, t.typname) as sql
  from pg_type t join pg_namespace n on n.oid = t.typnamespace
  where n.nspname in ('pg_catalog', $1)
  order by n.nspname = 'pg_catalog'`

/**
 * SQL's keyword type names, which are grammar rather than pg_type rows (`char` is character(1), not
 * the internal "char"). A cast to one of these is spliced as this fixed text; any other cast must name
 * a type in pg_catalog or the exposed schema and is spliced as its quoted, qualified name.
 */
const keywordTypes = [
  'int',
  'integer',
  'smallint',
  'bigint',
  'real',
  'float',
  'double precision',
  'decimal',
  'dec',
  'boolean',
  'bit',
  'bit varying',
  'char',
  'character',
  'character varying',
  'nchar',
  'national character',
  'timestamp with time zone',
  'timestamp without time zone',
  'time with time zone',
  'time without time zone',
]

export async function loadSchemaCache(pool: pg.Pool, schema: string): Promise<SchemaCache> {
  const [tables, routines, settings, types, timezones] = await Promise.all([
    pool.query<{ name: string; columns: Record<string, string> }>(tablesSql, [schema]),
    pool.query<Routine>(routinesSql, [schema]),
    pool.query<{ rolname: string; key: string; value: string }>(roleSettingsSql),
    pool.query<{ typname: string; sql: string }>(typesSql, [schema]),
    pool.query<{ name: string }>('select name from pg_catalog.pg_timezone_names'),
  ])
  const cache: SchemaCache = {
    schema,
    tables: new Map(),
    routines: new Map(),
    allRoutines: new Map(),
    roleSettings: new Map(),
    roleIsolation: new Map(),
    types: new Map(),
    timezones: new Set(timezones.rows.map((t) => t.name)),
  }
  for (const t of tables.rows) cache.tables.set(t.name, new Map(Object.entries(t.columns)))
  for (const r of routines.rows) {
    cache.allRoutines.set(r.name, [...(cache.allRoutines.get(r.name) ?? []), r])
    if (!r.unnamedParam) cache.routines.set(r.name, [...(cache.routines.get(r.name) ?? []), r])
  }
  for (const s of settings.rows) {
    if (s.key === 'default_transaction_isolation') cache.roleIsolation.set(s.rolname, s.value)
    else cache.roleSettings.set(s.rolname, [...(cache.roleSettings.get(s.rolname) ?? []), [s.key, s.value]])
  }
  // pg_catalog rows come last so they win: the implicit search path looks there first.
  for (const t of types.rows) cache.types.set(t.typname, t.sql)
  for (const k of keywordTypes) cache.types.set(k, k)
  return cache
}

/** The SQL for a cast the client asked for, or undefined when no such type exists. */
export function castTypeSql(cache: SchemaCache, name: string): string | undefined {
  // Unquoted in PostgREST's SQL, so PostgreSQL folds the case and the spaces don't matter.
  return cache.types.get(name.toLowerCase().replace(/\s+/g, ' '))
}
