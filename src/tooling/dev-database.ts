import type pg from 'pg'
import { ensureHistoryTable, readHistory, recordApplied } from '../cli/migration-history.js'
import { applySupabaseBase, runSqlFile, type Migration } from './migrations.js'

/** What {@link prepareDatabase} did. */
export interface PreparedDatabase {
  /** Whether the Supabase base was applied (a fresh database). */
  readonly baseApplied: boolean
  /** The migrations applied now, oldest first. */
  readonly applied: readonly Migration[]
  /** Versions the database has applied that are not among `migrations` (a migration removed or renamed since). */
  readonly unknown: readonly string[]
}

/**
 * Brings a plain PostgreSQL database (never a Supabase project) up to `migrations`: the Supabase base
 * when the database has none yet, then every migration not recorded in
 * `supabase_migrations.schema_migrations`, each in its own transaction with its history row, as
 * `avolve-db migrate` and `supabase db push` record them. Run again, it applies only what is new.
 *
 * @example
 * ```ts
 * const { applied } = await prepareDatabase(client, appMigrationSet('supabase/migrations').all)
 * ```
 */
export async function prepareDatabase(
  client: pg.ClientBase,
  migrations: readonly Migration[],
  progress: { onBase?: () => void; onApplied?: (m: Migration, milliseconds: number) => void } = {},
): Promise<PreparedDatabase> {
  const { rows } = await client.query<{ fresh: boolean }>(`select to_regprocedure('auth.uid()') is null as fresh`)
  const baseApplied = rows[0]?.fresh === true
  if (baseApplied) {
    await applySupabaseBase(client)
    progress.onBase?.()
  }
  const history = await readHistory(client)
  const done = new Set(history.map((h) => h.version))
  const known = new Set(migrations.map((m) => m.version))
  const pending = migrations.filter((m) => !done.has(m.version))
  if (pending.length) await ensureHistoryTable(client)
  for (const m of pending) {
    const started = Date.now()
    await runSqlFile(client, m.path, m.sql, (c, statements) => recordApplied(c, m.version, m.name, statements))
    progress.onApplied?.(m, Date.now() - started)
  }
  return { baseApplied, applied: pending, unknown: history.filter((h) => !known.has(h.version)).map((h) => h.version) }
}

/**
 * Gives the `authenticator` login role (the one PostgREST logs in as; the Supabase base makes it,
 * NOINHERIT and a member of anon, authenticated and service_role) a password, so that server code
 * connects as it and the SDK switches role per call, never as a superuser. Local databases only.
 */
export async function setAuthenticatorPassword(client: pg.ClientBase, password: string): Promise<void> {
  await client.query(`alter role authenticator password ${client.escapeLiteral(password)}`)
}
