import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { appMigrationSet } from '../src/tooling/app-migrations.js'
import { createDatabase, dropDatabase, startDatabaseServer, withClient } from '../src/tooling/embedded-server.js'
import { applyMigrations, applySupabaseBase, listMigrations, packageRoot, supabaseBasePath } from '../src/tooling/migrations.js'
import { generateAppFiles, generateFiles, type GeneratedFile } from './generate.js'

export interface CodegenOptions {
  /** Compare instead of writing; the result lists what differs. */
  check?: boolean
  /** A PostgreSQL server to use instead of an embedded one (a scratch database is made on it). */
  databaseUrl?: string
  /** Where the generated files go; defaults to src/generated (the package) or supabase/types (an app). */
  outDir?: string
  /**
   * Generate an app's types instead of the package's: its migrations folder (`supabase/migrations`)
   * on top of the package's migrations, into `outDir` of the app, paths reported relative to `cwd`.
   */
  app?: { migrationsDir: string; cwd: string }
  log?: (message: string) => void
}

export interface CodegenResult {
  /** The generated files (relative to the package, or to the app's `cwd`). */
  files: string[]
  /** Files whose content differs, that are missing, or that should not be there (same paths). */
  changed: string[]
  /** The package's migrations an app's folder holds copies of some of but lacks (a package upgrade). */
  missingCopies: string[]
  milliseconds: number
}

/** The default folder an app's generated types go to, relative to the app. */
export const APP_OUT_DIR = join('supabase', 'types')

/**
 * Starts PostgreSQL (embedded, or the server of `databaseUrl`), applies the Supabase base and the
 * migrations to a scratch database, generates the types from its catalog and writes them or, with
 * `check`, reports what is stale. The scratch database and the server are gone afterwards. Nothing
 * is written unless every file was generated and parses: each is written to a temporary file and
 * renamed over the old one.
 */
export async function runCodegen(options: CodegenOptions = {}): Promise<CodegenResult> {
  const started = Date.now()
  const log = options.log ?? (() => {})
  const app = options.app
  const root = app ? resolve(app.cwd) : packageRoot()
  const outDir = resolve(root, options.outDir ?? (app ? APP_OUT_DIR : join('src', 'generated')))
  const ours = listMigrations()
  const set = app ? appMigrationSet(resolve(root, app.migrationsDir), ours) : undefined
  const migrations = set ? set.all : ours
  const base = { path: supabaseBasePath(), sql: readFileSync(supabaseBasePath(), 'utf8') }

  log(options.databaseUrl || process.env.DATABASE_URL ? 'connecting to DATABASE_URL' : 'starting embedded PostgreSQL')
  const server = await startDatabaseServer({ databaseUrl: options.databaseUrl })
  const scratch = `avolve_codegen_${randomBytes(4).toString('hex')}`
  let files: GeneratedFile[]
  try {
    const url = await createDatabase(server, scratch)
    try {
      log(
        set
          ? `applying the Supabase base, @avolve/db's ${set.package.length} migrations and ${set.app.length} of ${relative(root, resolve(root, app!.migrationsDir)) || '.'}/`
          : `applying the Supabase base and ${migrations.length} migrations`,
      )
      await withClient(url, async (client) => {
        await applySupabaseBase(client)
        await applyMigrations(client, migrations)
      })
      log('generating types from the catalog')
      files = set
        ? await generateAppFiles(url, { package: [base, ...set.package], app: [...set.app], appDir: relative(root, resolve(root, app!.migrationsDir)) || '.' })
        : await generateFiles(url, [base, ...ours])
    } finally {
      await dropDatabase(server, scratch).catch(() => {})
    }
  } finally {
    await server.stop()
  }

  const changed: string[] = []
  const expected = new Set(files.map((f) => f.name))
  for (const f of files) {
    const path = join(outDir, f.name)
    const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined
    if (current !== f.content) changed.push(relative(root, path))
  }
  // The package owns its whole folder; an app's folder may hold files of its own.
  const extra = !app && existsSync(outDir) ? readdirSync(outDir).filter((n) => !expected.has(n)) : []
  changed.push(...extra.map((n) => relative(root, join(outDir, n))))

  if (!options.check) {
    mkdirSync(outDir, { recursive: true })
    const temporary = files.map((f) => ({ file: f, temp: join(outDir, `.${f.name}.${process.pid}.tmp`) }))
    try {
      for (const { file, temp } of temporary) writeFileSync(temp, file.content)
      for (const { file, temp } of temporary) renameSync(temp, join(outDir, file.name))
    } finally {
      for (const { temp } of temporary) rmSync(temp, { force: true })
    }
    for (const n of extra) rmSync(join(outDir, n), { recursive: true, force: true })
    log(`wrote ${files.length} files to ${relative(process.cwd(), outDir) || '.'}/ (${changed.length} changed)`)
  }
  return {
    files: files.map((f) => relative(root, join(outDir, f.name))),
    changed,
    missingCopies: set ? [...set.missingCopies] : [],
    milliseconds: Date.now() - started,
  }
}
