import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { splitStatements } from '../../src/tooling/split-statements.js'
import { applyMigrations, applySupabaseBase, listMigrations, migrationsDir } from '../../src/tooling/migrations.js'
import { catalogSnapshot } from '../support/catalog-snapshot.js'
import { createTestDatabase } from '../support/test-database.js'
import { runCli } from './run-cli.js'

const migrations = listMigrations()
type Db = Awaited<ReturnType<typeof createTestDatabase>>

async function history(db: Db): Promise<Array<{ version: string; name: string; statements: string[] }>> {
  const { rows } = await db.admin.query(`select version, name, statements from supabase_migrations.schema_migrations order by version`)
  return rows
}

async function exists(db: Db, sql: string, values: unknown[] = []): Promise<boolean> {
  const { rows } = await db.admin.query<{ ok: boolean }>(`select (${sql}) as ok`, values)
  return rows[0]?.ok === true
}

describe('avolve-db migrate', () => {
  let db: Db
  let reference: Db // the migrated template, applied whole-file by the test set-up

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true })
    reference = await createTestDatabase()
  })
  afterAll(async () => {
    await db?.drop()
    await reference?.drop()
  })

  it('--dry-run on an empty database lists every migration and changes nothing', async () => {
    const run = await runCli(['migrate', '--database-url', db.adminUrl, '--dry-run', '--with-supabase-base'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('would apply the Supabase base')
    expect(run.stdout).toContain(`would apply ${migrations.length} migrations (dry run, nothing changed)`)
    for (const m of migrations) expect(run.stdout).toContain(`  ${m.version}_${m.name}\n`)
    expect(await exists(db, `select to_regnamespace('supabase_migrations') is not null`)).toBe(false)
    expect(await exists(db, `select to_regnamespace('auth') is not null`)).toBe(false)
    expect(await exists(db, `select to_regnamespace('private') is not null`)).toBe(false)
  })

  it('applies the base and every migration, one progress line each, recorded as the Supabase CLI records them', async () => {
    const run = await runCli(['migrate', '--database-url', db.adminUrl, '--with-supabase-base'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/✓ Supabase base \(\d+ ms\)/)
    for (const m of migrations) expect(run.stdout).toMatch(new RegExp(`✓ ${m.version}_${m.name} \\(\\d+(\\.\\d)? m?s\\)`))
    expect(run.stdout).toContain(`applied ${migrations.length} migrations`)

    const rows = await history(db)
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version))
    expect(rows.map((r) => r.name)).toEqual(migrations.map((m) => m.name))
    for (const [i, m] of migrations.entries()) {
      const statements = rows[i]!.statements
      expect(statements).toEqual(splitStatements(m.sql))
      expect(statements.length).toBeGreaterThan(0)
      for (const s of statements) expect(s).not.toMatch(/;\s*$/)
    }
    // The table is the Supabase CLI's: version text primary key, statements text[], name text.
    const { rows: columns } = await db.admin.query(
      `select column_name, data_type, is_nullable from information_schema.columns
       where table_schema = 'supabase_migrations' and table_name = 'schema_migrations' order by ordinal_position`,
    )
    expect(columns).toEqual([
      { column_name: 'version', data_type: 'text', is_nullable: 'NO' },
      { column_name: 'statements', data_type: 'ARRAY', is_nullable: 'YES' },
      { column_name: 'name', data_type: 'text', is_nullable: 'YES' },
    ])
    expect(await exists(db, `select exists (select from pg_index where indrelid = 'supabase_migrations.schema_migrations'::regclass and indisprimary)`)).toBe(true)

    // Statement by statement gives the same schema as applying each whole file.
    expect(await catalogSnapshot(db.admin)).toBe(await catalogSnapshot(reference.admin))
  })

  it('a second run applies nothing; --dry-run then says it is up to date', async () => {
    const before = await history(db)
    const again = await runCli(['migrate', '--database-url', db.adminUrl])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain(`up to date: ${migrations.length} migrations applied, none pending`)
    expect(again.stdout).not.toContain('✓')
    const dry = await runCli(['migrate', '--database-url', db.adminUrl, '--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain('nothing to apply (dry run)')
    expect(await history(db)).toEqual(before)
  })

  it('rollback --to the 5th version leaves exactly the first 5 applied, with the schema of only those 5', async () => {
    const keep = migrations[4]!
    const dry = await runCli(['migrate', 'rollback', '--to', keep.version, '--database-url', db.adminUrl, '--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain(`would roll back ${migrations.length - 5} migrations`)
    expect(await history(db)).toHaveLength(migrations.length)

    const run = await runCli(['migrate', 'rollback', '--to', keep.version, '--database-url', db.adminUrl])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    // Newest first, one line each.
    const rolledBack = [...run.stdout.matchAll(/✓ rolled back (\d{14})_\w+ \(\d+(\.\d)? m?s\)/g)].map((m) => m[1])
    expect(rolledBack).toEqual(
      migrations
        .slice(5)
        .map((m) => m.version)
        .reverse(),
    )
    expect((await history(db)).map((r) => r.version)).toEqual(migrations.slice(0, 5).map((m) => m.version))

    // The catalog is that of a database with only the first 5 applied.
    const five = await createTestDatabase({ empty: true })
    try {
      const c = await five.admin.connect()
      try {
        await applySupabaseBase(c)
        await applyMigrations(c, migrations.slice(0, 5))
      } finally {
        c.release()
      }
      const tables = `select string_agg(format('%I.%I:%s', n.nspname, c.relname, c.relkind), ',' order by 1)
                      from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname in ('public', 'private')`
      const [a, b] = await Promise.all([db.admin.query(tables), five.admin.query(tables)])
      expect(a.rows[0]).toEqual(b.rows[0])
      expect(await catalogSnapshot(db.admin)).toBe(await catalogSnapshot(five.admin))
    } finally {
      await five.drop()
    }
  })

  it('migrate after the rollback applies the rest again; rollback --to 0 removes everything it applied', async () => {
    const up = await runCli(['migrate', '--database-url', db.adminUrl])
    expect(up.code).toBe(0)
    expect(up.stdout).toContain(`applying ${migrations.length - 5} migrations`)
    expect(await catalogSnapshot(db.admin)).toBe(await catalogSnapshot(reference.admin))

    const down = await runCli(['migrate', 'rollback', '--to', '0', '--database-url', db.adminUrl])
    expect(down.code).toBe(0)
    expect(await history(db)).toEqual([])
    expect(await exists(db, `select to_regnamespace('private') is null`)).toBe(true)
    const nothing = await runCli(['migrate', 'rollback', '--to', '0', '--database-url', db.adminUrl])
    expect(nothing.code).toBe(0)
    expect(nothing.stdout).toContain('nothing to roll back')
  })

  it('rollback needs --to, and a --to that is not a migration is refused before connecting', async () => {
    const missing = await runCli(['migrate', 'rollback', '--database-url', db.adminUrl])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('needs --to VERSION')
    const wrong = await runCli(['migrate', 'rollback', '--to', '2026', '--database-url', 'postgres://nobody@127.0.0.1:1/x'])
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toContain('--to 2026 is not a migration')
  })
})

describe('avolve-db migrate with a broken migration', () => {
  let db: Db
  let dir: string
  const broken = '29991231000000_cli_broken.sql'

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true })
    dir = mkdtempSync(join(tmpdir(), 'avolve-cli-migrations-'))
    cpSync(migrationsDir(), dir, { recursive: true })
  })
  afterAll(async () => {
    await db?.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('names the file, the line and the statement, and leaves neither its objects nor its history row', async () => {
    writeFileSync(
      join(dir, broken),
      [
        '-- A deliberately broken migration: the second table has a type that does not exist.',
        'create table public.cli_broken_first (id int);',
        '',
        'insert into public.cli_broken_first values (1);',
        'create table public.cli_broken_second (',
        '  id int,',
        '  note no_such_type',
        ');',
        '',
      ].join('\n'),
    )
    const run = await runCli(['migrate', '--database-url', db.adminUrl, '--with-supabase-base', '--migrations-dir', dir])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`migrate failed: ${broken}:7: type "no_such_type" does not exist`)
    expect(run.stderr).toContain('in: create table public.cli_broken_second (')
    expect(run.stderr).toContain('note no_such_type') // the whole statement is shown
    expect(run.stderr).toContain('nothing from this file was applied')
    expect(run.stdout).toMatch(/✗ 29991231000000_cli_broken/)

    // Everything before it is applied and recorded; nothing of it is.
    expect((await history(db)).map((r) => r.version)).toEqual(migrations.map((m) => m.version))
    expect(await exists(db, `select to_regclass('public.cli_broken_first') is null`)).toBe(true)
    expect(await exists(db, `select to_regclass('public.cli_broken_second') is null`)).toBe(true)
  })

  it('names the statement when PostgreSQL gives no position (a runtime error)', async () => {
    writeFileSync(join(dir, broken), ['create table public.cli_broken_first (id int);', '', '-- fails when it runs, not when it is parsed', 'do $$ begin perform 1 / 0; end $$;', ''].join('\n'))
    const run = await runCli(['migrate', '--database-url', db.adminUrl, '--migrations-dir', dir])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`migrate failed: ${broken}:4: division by zero`)
    expect(run.stderr).toContain('in: do $$ begin perform 1 / 0; end $$')
    expect(run.stderr).toContain('nothing from this file was applied')
    expect(await exists(db, `select to_regclass('public.cli_broken_first') is null`)).toBe(true)
    expect(await exists(db, `select not exists (select from supabase_migrations.schema_migrations where version = '29991231000000')`)).toBe(true)
  })
})

describe('avolve-db migrate and a history it does not know (drift)', () => {
  let db: Db
  const last = migrations.at(-1)!

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true })
    const up = await runCli(['migrate', '--database-url', db.adminUrl, '--with-supabase-base'])
    expect(up.code).toBe(0)
    const down = await runCli(['migrate', 'rollback', '--to', migrations.at(-2)!.version, '--database-url', db.adminUrl])
    expect(down.code).toBe(0)
    await db.admin.query(`insert into supabase_migrations.schema_migrations (version, name, statements) values ('29990101000000', 'from_elsewhere', '{}')`)
  })
  afterAll(async () => {
    await db?.drop()
  })

  it('refuses to migrate, naming the unknown version and the way out, and applies nothing', async () => {
    const run = await runCli(['migrate', '--database-url', db.adminUrl])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('29990101000000_from_elsewhere')
    expect(run.stderr).toContain('--allow-unknown')
    expect(run.stderr).toContain('Nothing was changed')
    expect(await exists(db, `select not exists (select from supabase_migrations.schema_migrations where version = $1)`, [last.version])).toBe(true)
  })

  it('refuses to roll back past a version it has no rollback script for', async () => {
    const run = await runCli(['migrate', 'rollback', '--to', migrations[0]!.version, '--database-url', db.adminUrl])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('no rollback script')
    expect(run.stderr).toContain('Nothing was rolled back')
    expect((await history(db)).length).toBe(migrations.length) // all but the last, plus the unknown one
  })

  it('with --allow-unknown applies the pending migration and warns', async () => {
    const run = await runCli(['migrate', '--database-url', db.adminUrl, '--allow-unknown'])
    expect(run.code).toBe(0)
    expect(run.stderr).toContain('warning: version 29990101000000_from_elsewhere applied but not in migrations')
    expect(run.stderr).toContain('older than the latest applied migration 29990101000000')
    expect(run.stdout).toContain(`✓ ${last.version}_${last.name}`)
    expect((await history(db)).map((r) => r.version)).toEqual([...migrations.map((m) => m.version), '29990101000000'])
  })
})
