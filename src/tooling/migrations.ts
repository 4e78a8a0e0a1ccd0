import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type pg from 'pg'
import { runSqlFile } from './run-sql-file.js'

export { MigrationError, runSqlFile } from './run-sql-file.js'

/** One migration file and its rollback script. */
export interface Migration {
  /** The 14-digit timestamp that orders migrations (Supabase CLI naming). */
  readonly version: string
  /** The descriptive part of the file name. */
  readonly name: string
  readonly path: string
  readonly rollbackPath: string
  readonly sql: string
}

const MIGRATION_FILE = /^(\d{14})_([a-z0-9_]+)\.sql$/

/** The package root, found from this file whether it runs from src/ or from a built dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }
      if (pkg.name === '@avolve/db') return dir
    } catch {
      // not here; go up
    }
    dir = dirname(dir)
  }
  throw new Error(`Could not find the @avolve/db package root (package.json) above ${fileURLToPath(import.meta.url)}`)
}

export function migrationsDir(): string {
  return join(packageRoot(), 'migrations')
}

export function supabaseBasePath(): string {
  return join(packageRoot(), 'supabase-base', 'supabase_base.sql')
}

/** The migrations in `dir`, in the order they apply; refuses names that break Supabase CLI naming. */
export function listMigrations(dir: string = migrationsDir()): Migration[] {
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.sql'))
    .map((e) => e.name)
    .sort()
  const seen = new Set<string>()
  return files.map((file) => {
    const match = MIGRATION_FILE.exec(file)
    if (!match) {
      throw new Error(`Migration file name ${file} does not follow the Supabase CLI naming YYYYMMDDHHmmss_descriptive_name.sql (lowercase, underscores).`)
    }
    const [, version, name] = match as unknown as [string, string, string]
    if (seen.has(version)) throw new Error(`Two migrations share the version ${version}; give ${file} a new timestamp.`)
    seen.add(version)
    const path = resolve(dir, file)
    return { version, name, path, rollbackPath: join(dir, 'rollback', file), sql: readFileSync(path, 'utf8') }
  })
}

/** Creates the Supabase-owned objects on plain PostgreSQL (never run this against Supabase). */
export async function applySupabaseBase(client: pg.ClientBase): Promise<void> {
  await runSqlFile(client, supabaseBasePath())
}

/** Applies `migrations` in order, each in its own transaction. */
export async function applyMigrations(client: pg.ClientBase, migrations: readonly Migration[] = listMigrations(), onApplied?: (m: Migration) => void): Promise<void> {
  for (const m of migrations) {
    await runSqlFile(client, m.path, m.sql)
    onApplied?.(m)
  }
}

/** Runs the rollback scripts of `migrations` in reverse order, each in its own transaction. */
export async function rollbackMigrations(client: pg.ClientBase, migrations: readonly Migration[] = listMigrations()): Promise<void> {
  for (const m of [...migrations].reverse()) await runSqlFile(client, m.rollbackPath)
}
