/**
 * The migration history in `supabase_migrations.schema_migrations`, read and written exactly as the
 * Supabase CLI does (supabase/cli pkg/migration/history.go and file.go), so `supabase db push`,
 * `supabase migration list` and this tool agree about what is applied:
 *
 * - the table is `(version text not null primary key, statements text[], name text)`, created if
 *   missing with `create schema if not exists` / `create table if not exists` and the two columns added
 *   with `add column if not exists` (older CLIs made the table without them), under a 4 s lock timeout;
 * - one row per applied file: `version` is the file name's leading digits, `name` the rest without
 *   `.sql`, `statements` the file split as the CLI splits it ({@link splitStatements});
 * - the CLI writes no other column. Supabase's platform (the Management API's migrations endpoint)
 *   may add `created_by`, `idempotency_key` and `rollback`; they are left to their defaults here, and
 *   reading works whichever columns exist.
 */
import type pg from 'pg'

/** The table `supabase db push` keeps its history in. */
export const HISTORY_TABLE = 'supabase_migrations.schema_migrations'

/** The statements the Supabase CLI runs to create or upgrade the table (its CreateMigrationTable). */
const CREATE_HISTORY_TABLE = [
  'create schema if not exists supabase_migrations',
  'create table if not exists supabase_migrations.schema_migrations (version text not null primary key)',
  'alter table supabase_migrations.schema_migrations add column if not exists statements text[]',
  'alter table supabase_migrations.schema_migrations add column if not exists name text',
] as const

const INSERT_VERSION = 'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)'
const DELETE_VERSIONS = 'delete from supabase_migrations.schema_migrations where version = any($1)'
// Through to_jsonb, so a table made by an old CLI (no name or statements column yet) reads too.
const SELECT_HISTORY = `select m.version, coalesce(to_jsonb(m) ->> 'name', '') as name, to_jsonb(m) -> 'statements' as statements
  from supabase_migrations.schema_migrations m order by m.version`

/** One row of the history. */
export interface AppliedMigration {
  readonly version: string
  /** `''` when the row has none (rows written by old Supabase CLIs). */
  readonly name: string
  readonly statements: readonly string[] | null
}

/** Whether the history table exists (it does not until the first migration is applied). */
export async function historyTableExists(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ exists: boolean }>(`select to_regclass('${HISTORY_TABLE}') is not null as exists`)
  return rows[0]?.exists === true
}

/** The applied migrations, oldest first; none when the table does not exist yet. */
export async function readHistory(client: pg.ClientBase): Promise<AppliedMigration[]> {
  if (!(await historyTableExists(client))) return []
  const { rows } = await client.query<{ version: string; name: string; statements: string[] | null }>(SELECT_HISTORY)
  return rows.map((r) => ({ version: r.version, name: r.name, statements: r.statements }))
}

/**
 * Creates the history table if it is missing (and adds columns an old CLI's table lacks), in one
 * transaction with a 4 s lock timeout, as the Supabase CLI does before its first migration.
 */
export async function ensureHistoryTable(client: pg.ClientBase): Promise<void> {
  await client.query('begin')
  try {
    await client.query(`set local lock_timeout = '4s'`)
    for (const statement of CREATE_HISTORY_TABLE) await client.query(statement)
    await client.query('commit')
  } catch (error) {
    await client.query('rollback').catch(() => {})
    throw error
  }
}

/** Records a migration as applied; call it inside the transaction that applied it. */
export async function recordApplied(client: pg.ClientBase, version: string, name: string, statements: readonly string[]): Promise<void> {
  await client.query(INSERT_VERSION, [version, name, statements])
}

/** Removes migrations from the history; call it inside the transaction that rolled them back. */
export async function forgetApplied(client: pg.ClientBase, versions: readonly string[]): Promise<void> {
  await client.query(DELETE_VERSIONS, [versions])
}
