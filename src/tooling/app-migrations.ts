import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { listMigrations, type Migration } from './migrations.js'

/** Supabase CLI's migration file names: a numeric version, an underscore, a name. */
const APP_MIGRATION_FILE = /^(\d+)_(.+)\.sql$/

/** The app's migrations on top of this package's, in the order one migration history applies them. */
export interface AppMigrationSet {
  /** Every migration to apply, the package's and the app's, ordered by version (as `supabase db push` orders them). */
  readonly all: readonly Migration[]
  /** This package's migrations. */
  readonly package: readonly Migration[]
  /** The app's own migrations (copies of the package's left out). */
  readonly app: readonly Migration[]
  /** The package's migrations the app's folder holds copies of. */
  readonly copied: readonly string[]
  /**
   * When the app's folder holds copies of some of the package's migrations but not of all (a
   * package upgrade brought new ones): the files to copy in, so that `supabase db push` applies them.
   */
  readonly missingCopies: readonly string[]
}

/** Thrown when the app's migrations cannot be combined with the package's (a clash of versions or contents). */
export class AppMigrationsError extends Error {
  override readonly name = 'AppMigrationsError'
}

/** The `.sql` files of an app's migrations folder (none when it does not exist), as the Supabase CLI reads them. */
export function listAppMigrations(dir: string): Migration[] {
  if (!existsSync(dir)) return []
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.sql'))
    .map((e) => e.name)
    .sort()
  return files.map((file) => {
    const match = APP_MIGRATION_FILE.exec(file)
    if (!match) throw new AppMigrationsError(`${join(dir, file)}: a migration file is named <version>_<name>.sql (the Supabase CLI skips other names).`)
    const path = resolve(dir, file)
    return { version: match[1]!, name: match[2]!, path, rollbackPath: join(dir, 'rollback', file), sql: readFileSync(path, 'utf8') }
  })
}

const fileName = (m: Migration) => `${m.version}_${m.name}.sql`

/**
 * Combines this package's migrations with an app's (`appDir`, usually `supabase/migrations`): the
 * app's copies of the package's files (as the README suggests, for `supabase db push`) count once;
 * a copy that differs from the package's file, or two files sharing a version, are refused.
 *
 * @example
 * ```ts
 * const { all } = appMigrationSet('supabase/migrations')
 * await applyMigrations(client, all)
 * ```
 */
export function appMigrationSet(appDir: string | undefined, packageMigrations: readonly Migration[] = listMigrations()): AppMigrationSet {
  const appFiles = appDir ? listAppMigrations(appDir) : []
  const ours = new Map(packageMigrations.map((m) => [fileName(m), m]))
  const oursByVersion = new Map(packageMigrations.map((m) => [m.version, m]))
  const app: Migration[] = []
  const copied: string[] = []
  for (const m of appFiles) {
    const name = fileName(m)
    const own = ours.get(name)
    if (own) {
      if (own.sql.replace(/\r\n/g, '\n') !== m.sql.replace(/\r\n/g, '\n')) {
        throw new AppMigrationsError(
          `${m.path} is @avolve/db's migration ${name} but its content differs from the package's: copy it again ` +
            `(cp node_modules/@avolve/db/migrations/${name} ${appDir}/). Migrations are never edited once applied.`,
        )
      }
      copied.push(name)
      continue
    }
    const clash = oursByVersion.get(m.version)
    if (clash) throw new AppMigrationsError(`${m.path} has the version ${m.version} of @avolve/db's migration ${fileName(clash)}; give it a new timestamp.`)
    app.push(m)
  }
  const seen = new Set<string>()
  for (const m of app) {
    if (seen.has(m.version)) throw new AppMigrationsError(`Two migrations in ${appDir} share the version ${m.version}; give one a new timestamp.`)
    seen.add(m.version)
  }
  // The Supabase CLI applies a folder's files in file-name order.
  const all = [...packageMigrations, ...app].sort((a, b) => (fileName(a) < fileName(b) ? -1 : fileName(a) > fileName(b) ? 1 : 0))
  const missingCopies = copied.length > 0 ? packageMigrations.map(fileName).filter((n) => !copied.includes(n)) : []
  return { all, package: packageMigrations, app, copied, missingCopies }
}
