import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyMigrations, applySupabaseBase, listMigrations, migrationsDir, rollbackMigrations, supabaseBasePath } from '../../src/tooling/migrations.js'
import { catalogSnapshot } from '../support/catalog-snapshot.js'
import { ensureCommand } from '../support/system-tools.js'
import { createTestDatabase } from '../support/test-database.js'

const migrations = listMigrations()

describe('migration files', () => {
  it('follow Supabase CLI naming and each has a rollback script', () => {
    expect(migrations.length).toBeGreaterThan(0)
    for (const m of migrations) {
      expect(m.path).toMatch(/\/\d{14}_[a-z0-9_]+\.sql$/)
      expect(existsSync(m.rollbackPath), `missing rollback for ${m.version}_${m.name}`).toBe(true)
    }
    const rollbacks = readdirSync(join(migrationsDir(), 'rollback')).sort()
    expect(rollbacks).toEqual(migrations.map((m) => `${m.version}_${m.name}.sql`))
  })

  it('never create or change what Supabase owns (roles, the auth schema and its functions and tables)', () => {
    const forbidden = [
      /\bcreate\s+(role|user)\b/i,
      /\balter\s+(role|user)\b/i,
      /\bdrop\s+(role|user)\b/i,
      /\bcreate\s+schema\s+(if\s+not\s+exists\s+)?auth\b/i,
      /\b(create|alter|drop)\s+(or\s+replace\s+)?(table|function|view)\s+(if\s+(not\s+)?exists\s+)?auth\./i,
    ]
    for (const m of migrations) {
      for (const file of [m.path, m.rollbackPath]) {
        const sql = readFileSync(file, 'utf8').replace(/--.*$/gm, '')
        for (const pattern of forbidden) expect(sql, `${file} matches ${pattern}`).not.toMatch(pattern)
      }
    }
  })
})

describe('applying and rolling back', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>
  let client: pg.Client

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true })
    client = new pg.Client({ connectionString: db.adminUrl })
    await client.connect()
  })
  afterAll(async () => {
    await client.end()
    await db.drop()
  })

  it('apply all, roll back all in reverse, apply again: the same schema; re-running is harmless', async () => {
    await applySupabaseBase(client)
    await applySupabaseBase(client) // the base is idempotent too
    const baseOnly = await catalogSnapshot(client)
    const authBefore = await catalogSnapshot(client, ['auth'])

    await applyMigrations(client)
    const migrated = await catalogSnapshot(client)
    expect(migrated).not.toBe(baseOnly)
    // Migrations add a trigger on auth.users and nothing else to the auth schema.
    const authAfter = await catalogSnapshot(client, ['auth'])
    expect(authAfter.split('\n').filter((l) => !authBefore.split('\n').includes(l))).toEqual([expect.stringContaining('on_auth_user_created')])

    // Data survives a re-run of every migration, and the schema is unchanged by it.
    const { rows } = await client.query<{ id: string }>(`insert into auth.users (id, email) values (gen_random_uuid(), 'keep@example.test') returning id`)
    const userId = rows[0]!.id
    await client.query(`select set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role":"service_role"}', true)`)
    await applyMigrations(client)
    expect(await catalogSnapshot(client)).toBe(migrated)
    const kept = await client.query('select count(*)::int as n from public.users where id = $1', [userId])
    expect(kept.rows[0]).toEqual({ n: 1 })
    await client.query('delete from auth.users where id = $1', [userId])

    await rollbackMigrations(client)
    expect(await catalogSnapshot(client)).toBe(baseOnly)

    await applyMigrations(client)
    expect(await catalogSnapshot(client)).toBe(migrated)
  })
})

describe('with plain psql', () => {
  it('every file applies with psql -v ON_ERROR_STOP=1 -f FILE, in filename order, and again on top', async () => {
    const psql = ensureCommand('psql', 'postgresql-client')
    const db = await createTestDatabase({ empty: true })
    try {
      const run = (file: string) =>
        execFileSync(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db.adminUrl, '-f', file], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      run(supabaseBasePath())
      for (const m of migrations) run(m.path)
      const once = await catalogSnapshot(db.admin)
      for (const m of migrations) run(m.path)
      expect(await catalogSnapshot(db.admin)).toBe(once)

      // The same schema as the migration runner produces in the template.
      const reference = await createTestDatabase()
      try {
        expect(once).toBe(await catalogSnapshot(reference.admin))
      } finally {
        await reference.drop()
      }
    } finally {
      await db.drop()
    }
  })
})
