import type pg from 'pg'

/**
 * A text dump of everything the migrations define, built from the catalog (pg_dump of this machine
 * is older than the server): relations with their columns, constraints, indexes, policies, triggers,
 * privileges and comments; event triggers whose function is in these schemas; functions with
 * definitions, settings and privileges; types; seeded rows of the lookup tables. OIDs are left
 * out, so two databases with the same schema dump the same.
 */
export async function catalogSnapshot(client: pg.Pool | pg.ClientBase, schemas = ['public', 'private']): Promise<string> {
  const sections: Array<[string, string]> = [
    [
      'schemas',
      `select n.nspname, n.nspacl::text, obj_description(n.oid, 'pg_namespace') from pg_namespace n
       where n.nspname = any($1) order by 1`,
    ],
    [
      'relations',
      `select n.nspname, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.relacl::text,
              obj_description(c.oid, 'pg_class'),
              case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid) end
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = any($1) and c.relkind in ('r', 'v', 'm', 'p', 'S', 'f') order by 1, 2`,
    ],
    [
      'columns',
      `select n.nspname, c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
              pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, a.attacl::text
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
       where n.nspname = any($1) and a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'v', 'm', 'p')
       order by 1, 2, 3`,
    ],
    [
      'constraints',
      `select n.nspname, c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid)
       from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = any($1) order by 1, 2, 3`,
    ],
    ['indexes', `select schemaname, tablename, indexname, indexdef from pg_indexes where schemaname = any($1) order by 1, 2, 3`],
    [
      'policies',
      `select schemaname, tablename, policyname, permissive, roles::text, cmd, qual, with_check
       from pg_policies where schemaname = any($1) order by 1, 2, 3`,
    ],
    [
      'triggers',
      `select n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled, obj_description(t.oid, 'pg_trigger')
       from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
       where not t.tgisinternal and (n.nspname = any($1) or n.nspname = 'auth') order by 1, 2, 3`,
    ],
    [
      'event triggers',
      `select e.evtname, e.evtevent, e.evtenabled, e.evtfoid::regprocedure::text, e.evttags::text,
              obj_description(e.oid, 'pg_event_trigger')
       from pg_event_trigger e join pg_proc p on p.oid = e.evtfoid join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = any($1) order by 1`,
    ],
    [
      'functions',
      `select n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid),
              p.proacl::text, obj_description(p.oid, 'pg_proc')
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = any($1) order by 1, 2, 3`,
    ],
    [
      'types',
      `select n.nspname, t.typname, t.typtype, t.typacl::text, obj_description(t.oid, 'pg_type'),
              (select string_agg(e.enumlabel, ',' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid)
       from pg_type t join pg_namespace n on n.oid = t.typnamespace
       where n.nspname = any($1) and t.typtype in ('e', 'd', 'c') and t.typrelid = 0 order by 1, 2`,
    ],
    [
      'default privileges',
      `select pg_get_userbyid(d.defaclrole), n.nspname, d.defaclobjtype, d.defaclacl::text
       from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace order by 1, 2, 3`,
    ],
    [
      'seeds',
      `select 'token_types', to_jsonb(t)::text from public.token_types t
       union all select 'consent_interaction_types', to_jsonb(t)::text from public.consent_interaction_types t
       union all select 'consent_status_transitions', to_jsonb(t)::text from public.consent_status_transitions t
       union all select 'error_codes', to_jsonb(t)::text from private.error_codes t
       order by 1, 2`,
    ],
  ]
  const out: string[] = []
  for (const [title, sql] of sections) {
    if (title === 'seeds' && !schemas.includes('public')) continue
    let rows: unknown[][]
    try {
      rows = (await client.query({ text: sql, values: title === 'seeds' || title === 'default privileges' ? [] : [schemas], rowMode: 'array' })).rows
    } catch (error) {
      // The seeded tables do not exist in a database without the migrations.
      if (title === 'seeds' && (error as { code?: string }).code === '42P01') rows = []
      else throw error
    }
    out.push(`== ${title}`, ...rows.map((r) => JSON.stringify(r)))
  }
  return out.join('\n')
}
