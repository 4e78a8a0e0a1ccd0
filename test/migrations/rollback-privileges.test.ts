import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyMigrations, applySupabaseBase, listMigrations, rollbackMigrations } from '../../src/tooling/migrations.js'
import { recordFigure } from '../support/reliability-report.js'
import { createTestDatabase } from '../support/test-database.js'

/**
 * Every privilege the API roles and PUBLIC hold, one line each: on schemas, tables, views, sequences,
 * columns, functions and types (an ACL that was never set counts as its default, so a function
 * re-created without `revoke ... from public` shows PUBLIC's EXECUTE), the default privileges, and
 * which tables have row level security and with which policies.
 */
async function privileges(client: pg.ClientBase): Promise<Set<string>> {
  const { rows } = await client.query<{ line: string }>(`
    with grantee(oid, name) as (
      select 0::oid, 'PUBLIC'
      union all select r.oid, r.rolname from pg_roles r where r.rolname in ('anon', 'authenticated', 'service_role')
    ),
    schemas as (
      select n.oid, n.nspname from pg_namespace n
      where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp)'
    ),
    acl(kind, object, item) as (
      select 'schema', s.nspname, aclexplode(coalesce(n.nspacl, acldefault('n'::"char", n.nspowner)))
      from schemas s join pg_namespace n on n.oid = s.oid
      union all
      select case c.relkind when 'S' then 'sequence' else 'relation' end, format('%I.%I', s.nspname, c.relname),
             aclexplode(coalesce(c.relacl, acldefault((case c.relkind when 'S' then 's' else 'r' end)::"char", c.relowner)))
      from pg_class c join schemas s on s.oid = c.relnamespace
      where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
      union all
      select 'column', format('%I.%I.%I', s.nspname, c.relname, a.attname), aclexplode(a.attacl)
      from pg_attribute a join pg_class c on c.oid = a.attrelid join schemas s on s.oid = c.relnamespace
      where a.attnum > 0 and not a.attisdropped and a.attacl is not null
      union all
      select 'function', p.oid::regprocedure::text, aclexplode(coalesce(p.proacl, acldefault('f'::"char", p.proowner)))
      from pg_proc p join schemas s on s.oid = p.pronamespace
      union all
      select 'type', t.oid::regtype::text, aclexplode(coalesce(t.typacl, acldefault('T'::"char", t.typowner)))
      from pg_type t join schemas s on s.oid = t.typnamespace
      where t.typtype in ('e', 'd', 'c', 'r', 'm') and t.typrelid = 0
      union all
      select 'default privileges of ' || pg_get_userbyid(d.defaclrole), coalesce(n.nspname, '(all schemas)') || ' ' || d.defaclobjtype::text,
             aclexplode(d.defaclacl)
      from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace
    )
    select format('%s %s: %s %s%s', a.kind, a.object, g.name, (a.item).privilege_type,
                  case when (a.item).is_grantable then ' with grant option' else '' end) as line
    from acl a join grantee g on g.oid = (a.item).grantee
    union all
    -- A table without row level security, or a policy that is not the one before, can widen what the
    -- API roles see as surely as a grant can.
    select format('relation %I.%I: row level security %s%s', s.nspname, c.relname,
                  case when c.relrowsecurity then 'enabled' else 'DISABLED' end,
                  case when c.relforcerowsecurity then ', forced' else '' end)
    from pg_class c join schemas s on s.oid = c.relnamespace
    where c.relkind in ('r', 'p')
    union all
    select format('policy %I on %I.%I: %s %s to %s using (%s) with check (%s)', p.policyname, p.schemaname, p.tablename,
                  p.permissive, p.cmd, p.roles::text, p.qual, p.with_check)
    from pg_policies p
  `)
  return new Set(rows.map((r) => r.line))
}

/**
 * The two kinds of Supabase database the migrations meet: with the traditional default privileges
 * (every privilege on new tables, functions and sequences in public for the API roles, as the base
 * has them) and without them, as projects created since 2026 are. What a rollback may restore
 * depends on which one it runs on, so every rollback is checked on both.
 */
const bases: Array<[string, string, string[]]> = [
  ['traditional default privileges', '', ['default', 'sequence']],
  [
    'no default grants to the API roles (projects created since 2026)',
    `alter default privileges in schema public revoke all on tables from anon, authenticated, service_role;
     alter default privileges in schema public revoke all on functions from anon, authenticated, service_role;
     alter default privileges in schema public revoke all on sequences from anon, authenticated, service_role;`,
    [],
  ],
]

describe.each(bases)('rollback scripts, on a database with %s', (base, defaults, moreKinds) => {
  const migrations = listMigrations()
  let db: Awaited<ReturnType<typeof createTestDatabase>>
  let client: pg.Client

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true })
    client = new pg.Client({ connectionString: db.adminUrl })
    await client.connect()
    await applySupabaseBase(client)
    if (defaults) await client.query(defaults)
  })
  afterAll(async () => {
    await client.end()
    await db.drop()
  })

  // A rollback undoes its migration; it may leave privileges narrower than they were before that
  // migration (it cannot know what the database's default privileges had granted), never wider.
  it('each leaves the API roles and PUBLIC no privilege they lacked before its migration', async () => {
    const widened: string[] = []
    const seen = new Set<string>()
    for (const m of migrations) {
      const before = await privileges(client)
      await applyMigrations(client, [m])
      for (const line of await privileges(client)) seen.add(line.split(' ')[0]!)
      await rollbackMigrations(client, [m])
      for (const line of await privileges(client)) if (!before.has(line)) widened.push(`rollback/${m.version}_${m.name}.sql: ${line}`)
      await applyMigrations(client, [m])
    }
    recordFigure('rollback-privileges', {
      area: 'security',
      check: `no rollback leaves anon, authenticated, service_role or PUBLIC a privilege, policy or RLS state they lacked before its migration, on a database with ${base}`,
      cases: migrations.length,
      violations: widened.length,
      command: 'npx vitest run test/migrations/rollback-privileges.test.ts',
      notes:
        'each migration applied, rolled back and applied again in order; grants on schemas, tables, columns, sequences, functions and types (unset ACLs as their defaults), default privileges, RLS flags and policies compared',
    })
    expect(widened).toEqual([])
    // The comparison saw every kind of privilege the API roles hold here, so an empty list means something.
    expect([...seen]).toEqual(expect.arrayContaining(['column', 'function', 'policy', 'relation', 'schema', 'type', ...moreKinds]))
  })
})
