import { existsSync, statSync } from 'node:fs'
import { basename, relative, resolve } from 'node:path'
import type pg from 'pg'
import { applySupabaseBase, listMigrations, migrationsDir, packageRoot, runSqlFile, supabaseBasePath, type Migration } from '../../tooling/migrations.js'
import { type CliContext, type CommandArgs, databaseUrlOption, defineCommand, elapsed } from '../command.js'
import { resolveDatabaseTarget, withConnection, type DatabaseTarget } from '../connect.js'
import { CliError, UsageError } from '../errors.js'
import { ensureHistoryTable, forgetApplied, HISTORY_TABLE, readHistory, recordApplied, type AppliedMigration } from '../migration-history.js'

const usage = `Usage: avolve-db migrate [--database-url URL] [--dry-run] [--with-supabase-base] [--allow-unknown] [--migrations-dir DIR]
       avolve-db migrate rollback --to VERSION [--database-url URL] [--dry-run] [--migrations-dir DIR]

Applies the migrations the database has not applied yet (versions missing from
${HISTORY_TABLE}), oldest first. Each file runs in its own transaction together
with its history row, recorded as \`supabase db push\` records it (version, name, statements),
so the Supabase CLI and this tool agree about what is applied. A failing file leaves nothing behind.

Options:
  --database-url URL     the database (default: $DATABASE_URL)
  --dry-run              print what would be applied; change nothing
  --with-supabase-base   first apply supabase-base/supabase_base.sql (the roles, auth.users and
                         auth.uid() that Supabase provides). FOR PLAIN POSTGRESQL ONLY (local, CI):
                         NEVER use it on a Supabase project, which has these objects already;
                         it is refused on a database that looks like Supabase. Off by default.
  --allow-unknown        migrate even though the history holds versions that are not in the
                         migrations directory (applied from elsewhere); refused by default
  --migrations-dir DIR   the migrations to apply (default: the package's migrations/)
  -h, --help             show this help

migrate rollback --to VERSION
  Runs the rollback scripts (DIR/rollback/<file>) of every applied migration newer than VERSION,
  newest first, each in its own transaction together with the deletion of its history row.
  VERSION is a migration's 14-digit version (it stays applied), or 0 to roll back all of them.
  Takes --database-url, --dry-run and --migrations-dir as above.

Examples:
  avolve-db migrate --database-url "$SUPABASE_DB_URL" --dry-run
  avolve-db migrate --database-url postgres://postgres:postgres@localhost:5432/postgres --with-supabase-base
  avolve-db migrate rollback --to 20261201090300`

const commonOptions = {
  ...databaseUrlOption,
  'dry-run': { type: 'boolean', default: false },
  'migrations-dir': { type: 'string' },
} as const

const rollbackOptions = { ...commonOptions, to: { type: 'string' } } as const

/** `avolve-db migrate rollback --to VERSION`. */
const rollbackCommand = defineCommand({
  name: 'migrate rollback',
  summary: 'roll back the migrations newer than VERSION, newest first',
  usage,
  options: rollbackOptions,
  run: (args, context) => rollback(args, context),
})

/** `avolve-db migrate` and `avolve-db migrate rollback`. */
export const migrateCommand = defineCommand({
  name: 'migrate',
  summary: 'apply pending migrations, recorded as `supabase db push` records them; `migrate rollback --to VERSION`',
  usage,
  options: { ...commonOptions, 'with-supabase-base': { type: 'boolean', default: false }, 'allow-unknown': { type: 'boolean', default: false } },
  positionals: true,
  subcommands: { rollback: rollbackCommand },
  async run({ values, positionals }, context) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (the only subcommand is "rollback")`, usage)
    const target = resolveDatabaseTarget(values['database-url'], context.env)
    const dir = resolveMigrationsDir(values['migrations-dir'])
    const migrations = listMigrations(dir)
    return migrate(context, target, dir, migrations, {
      dryRun: values['dry-run'],
      withBase: values['with-supabase-base'],
      allowUnknown: values['allow-unknown'],
    })
  },
})

interface MigrateOptions {
  dryRun: boolean
  withBase: boolean
  allowUnknown: boolean
}

async function migrate(context: CliContext, target: DatabaseTarget, dir: string, migrations: Migration[], options: MigrateOptions): Promise<number> {
  return withConnection(target, { env: context.env, applicationName: 'avolve-db migrate' }, async (client) => {
    context.out(`database: ${target.display}`)
    context.out(`migrations: ${migrations.length} in ${displayPath(dir)}`)
    if (options.withBase) await refuseBaseOnSupabase(client)

    const history = await readHistory(client)
    const local = new Set(migrations.map((m) => m.version))
    const unknown = history.filter((h) => !local.has(h.version))
    if (unknown.length > 0 && !options.allowUnknown) throw driftError(unknown, dir)
    if (unknown.length > 0) context.err(`warning: ${describeVersions(unknown)} applied but not in ${displayPath(dir)}; going on (--allow-unknown)`)

    const applied = new Map(history.map((h) => [h.version, h]))
    const pending = migrations.filter((m) => !applied.has(m.version))
    warnAboutHistory(context, migrations, applied, pending)

    if (options.dryRun) {
      if (options.withBase) context.out(`would apply the Supabase base (${displayPath(supabaseBasePath())})`)
      if (pending.length === 0) {
        context.out(`up to date: ${history.length} applied, nothing to apply (dry run)`)
      } else {
        context.out(`would apply ${pending.length} migration${plural(pending.length)} (dry run, nothing changed):`)
        for (const m of pending) context.out(`  ${m.version}_${m.name}`)
      }
      return 0
    }

    if (options.withBase) {
      const started = Date.now()
      await applySupabaseBase(client)
      context.out(`  ✓ Supabase base (${elapsed(started)})`)
    }
    if (pending.length === 0) {
      context.out(`up to date: ${history.length} migration${plural(history.length)} applied, none pending`)
      return 0
    }

    const started = Date.now()
    await ensureHistoryTable(client)
    context.out(`applying ${pending.length} migration${plural(pending.length)}:`)
    let done = 0
    for (const m of pending) {
      const t = Date.now()
      try {
        await runSqlFile(client, m.path, m.sql, (c, statements) => recordApplied(c, m.version, m.name, statements))
      } catch (error) {
        context.out(`  ✗ ${m.version}_${m.name} (${elapsed(t)})`)
        const later = pending.length - done - 1
        const notes = [
          done > 0 ? `${done} migration${plural(done)} before it ${done === 1 ? 'was' : 'were'} applied and recorded` : '',
          later > 0 ? `${later} after it ${later === 1 ? 'was' : 'were'} not attempted` : '',
        ].filter(Boolean)
        if (notes.length > 0) context.err(`${notes.join('; ')}.`)
        throw error
      }
      done++
      context.out(`  ✓ ${m.version}_${m.name} (${elapsed(t)})`)
    }
    context.out(`applied ${done} migration${plural(done)} in ${elapsed(started)}; recorded in ${HISTORY_TABLE}`)
    return 0
  })
}

async function rollback({ values }: CommandArgs<typeof rollbackOptions>, context: CliContext): Promise<number> {
  if (values.to === undefined) throw new UsageError('migrate rollback needs --to VERSION (the newest migration to keep, or 0 for none)', usage)
  const to = values.to
  const target = resolveDatabaseTarget(values['database-url'], context.env)
  const dir = resolveMigrationsDir(values['migrations-dir'])
  const migrations = listMigrations(dir)
  const byVersion = new Map(migrations.map((m) => [m.version, m]))
  if (to !== '0' && !byVersion.has(to)) {
    const range = migrations.length > 0 ? ` (${migrations[0]?.version} … ${migrations.at(-1)?.version})` : ''
    throw new UsageError(`--to ${to} is not a migration in ${displayPath(dir)}${range}: give a migration's version, or 0 to roll back everything`)
  }

  return withConnection(target, { env: context.env, applicationName: 'avolve-db migrate rollback' }, async (client) => {
    context.out(`database: ${target.display}`)
    const history = await readHistory(client)
    const newer = history.filter((h) => h.version > to).reverse()
    const unknown = newer.filter((h) => !byVersion.has(h.version))
    if (unknown.length > 0) {
      throw new CliError(
        `cannot roll back to ${to}: ${describeVersions(unknown)} applied but not in ${displayPath(dir)}, so there is no rollback script for ` +
          `${unknown.length === 1 ? 'it' : 'them'}. Bring the missing files (and their rollback/ scripts) into the migrations directory, ` +
          `or roll back to a version newer than ${unknown[0]?.version}. Nothing was rolled back.`,
      )
    }
    const steps = newer.map((h) => byVersion.get(h.version) as Migration)
    const missing = steps.filter((m) => !existsSync(m.rollbackPath))
    if (missing.length > 0) {
      throw new CliError(
        `no rollback script for ${missing.map((m) => `${m.version}_${m.name}`).join(', ')}: write ${missing.map((m) => displayPath(m.rollbackPath)).join(', ')}. Nothing was rolled back.`,
      )
    }
    if (steps.length === 0) {
      context.out(`nothing to roll back: no applied migration is newer than ${to}`)
      return 0
    }
    if (values['dry-run']) {
      context.out(`would roll back ${steps.length} migration${plural(steps.length)}, newest first (dry run, nothing changed):`)
      for (const m of steps) context.out(`  ${m.version}_${m.name}`)
      return 0
    }

    const started = Date.now()
    context.out(`rolling back ${steps.length} migration${plural(steps.length)}, newest first:`)
    let done = 0
    for (const m of steps) {
      const t = Date.now()
      try {
        await runSqlFile(client, m.rollbackPath, undefined, (c) => forgetApplied(c, [m.version]))
      } catch (error) {
        context.out(`  ✗ ${m.version}_${m.name} (${elapsed(t)})`)
        if (done > 0) context.err(`${done} migration${plural(done)} newer than it ${done === 1 ? 'was' : 'were'} rolled back (and removed from the history).`)
        throw error
      }
      done++
      context.out(`  ✓ rolled back ${m.version}_${m.name} (${elapsed(t)})`)
    }
    const left = history.length - done
    context.out(`rolled back ${done} migration${plural(done)} in ${elapsed(started)}; ${left} remain${left === 1 ? 's' : ''} applied`)
    return 0
  })
}

/** The base recreates what Supabase owns; on a real Supabase database it must never run. */
async function refuseBaseOnSupabase(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ role: string }>(
    `select rolname as role from pg_catalog.pg_roles where rolname in ('supabase_admin', 'supabase_auth_admin', 'supabase_storage_admin') order by 1 limit 1`,
  )
  if (rows.length > 0) {
    throw new CliError(
      `refusing --with-supabase-base: this database looks like a Supabase database (it has the role ${rows[0]?.role}), which already ` +
        `has the roles and the auth schema that the base recreates. Run migrate without --with-supabase-base. Nothing was changed.`,
    )
  }
}

function driftError(unknown: readonly AppliedMigration[], dir: string): CliError {
  return new CliError(
    `the database's migration history (${HISTORY_TABLE}) has ${describeVersions(unknown)} not in ${displayPath(dir)}. ` +
      `Something else applied ${unknown.length === 1 ? 'it' : 'them'} (another branch or checkout, the Supabase dashboard). ` +
      `Bring the missing files into the migrations directory (\`supabase migration fetch\` downloads them), mark them reverted if they ` +
      `were undone (\`supabase migration repair --status reverted VERSION\`), or pass --allow-unknown to migrate anyway. Nothing was changed.`,
  )
}

/** Things `supabase db push` would complain about, worth a line on stderr without stopping. */
function warnAboutHistory(context: CliContext, migrations: readonly Migration[], applied: ReadonlyMap<string, AppliedMigration>, pending: readonly Migration[]): void {
  for (const m of migrations) {
    const row = applied.get(m.version)
    if (row && row.name !== '' && row.name !== m.name) {
      context.err(`warning: ${m.version} is recorded as "${row.name}" but the file is named "${m.name}" (the Supabase CLI compares versions only)`)
    }
  }
  const latest = [...applied.keys()].sort().at(-1)
  const early = latest ? pending.filter((m) => m.version < latest) : []
  if (early.length > 0) {
    context.err(
      `warning: ${early.map((m) => m.version).join(', ')} ${early.length === 1 ? 'is' : 'are'} older than the latest applied migration ${latest}; ` +
        `applying ${early.length === 1 ? 'it' : 'them'} anyway (\`supabase db push\` would need --include-all)`,
    )
  }
}

function resolveMigrationsDir(flag: string | undefined): string {
  const dir = flag === undefined ? migrationsDir() : resolve(flag)
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`--migrations-dir ${flag}: no such directory`)
  }
  return dir
}

function describeVersions(rows: readonly AppliedMigration[]): string {
  const list = rows.map((r) => (r.name ? `${r.version}_${r.name}` : r.version)).join(', ')
  return rows.length === 1 ? `version ${list}` : `${rows.length} versions (${list})`
}

function displayPath(path: string): string {
  const rel = relative(packageRoot(), path)
  return rel.startsWith('..') ? path : rel || basename(path)
}

function plural(n: number): string {
  return n === 1 ? '' : 's'
}
