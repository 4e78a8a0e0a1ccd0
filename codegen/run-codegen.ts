import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { createDatabase, dropDatabase, startDatabaseServer, withClient } from '../src/tooling/embedded-server.js'
import { applyMigrations, applySupabaseBase, listMigrations, packageRoot, supabaseBasePath } from '../src/tooling/migrations.js'
import { generateFiles, type GeneratedFile } from './generate.js'

export interface CodegenOptions {
  /** Compare instead of writing; the result lists what differs. */
  check?: boolean
  /** A PostgreSQL server to use instead of an embedded one (a scratch database is made on it). */
  databaseUrl?: string
  /** Where the generated files go; defaults to src/generated. */
  outDir?: string
  log?: (message: string) => void
}

export interface CodegenResult {
  files: string[]
  /** Files whose content differs, that are missing, or that should not be there (paths relative to the package). */
  changed: string[]
  milliseconds: number
}

/**
 * Starts PostgreSQL (embedded, or the server of `databaseUrl`), applies the Supabase base and the
 * migrations to a scratch database, generates src/generated/ from its catalog and writes it or, with
 * `check`, reports what is stale. The scratch database and the server are gone afterwards.
 */
export async function runCodegen(options: CodegenOptions = {}): Promise<CodegenResult> {
  const started = Date.now()
  const log = options.log ?? (() => {})
  const root = packageRoot()
  const outDir = options.outDir ?? join(root, 'src', 'generated')
  const migrations = listMigrations()
  const sources = [{ path: supabaseBasePath(), sql: readFileSync(supabaseBasePath(), 'utf8') }, ...migrations]

  log(options.databaseUrl || process.env.DATABASE_URL ? 'connecting to DATABASE_URL' : 'starting embedded PostgreSQL')
  const server = await startDatabaseServer({ databaseUrl: options.databaseUrl })
  const scratch = `avolve_codegen_${randomBytes(4).toString('hex')}`
  let files: GeneratedFile[]
  try {
    const url = await createDatabase(server, scratch)
    try {
      log(`applying the Supabase base and ${migrations.length} migrations`)
      await withClient(url, async (client) => {
        await applySupabaseBase(client)
        await applyMigrations(client, migrations)
      })
      log('generating types from the catalog')
      files = await generateFiles(url, sources)
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
  const extra = existsSync(outDir) ? readdirSync(outDir).filter((n) => !expected.has(n)) : []
  changed.push(...extra.map((n) => relative(root, join(outDir, n))))

  if (!options.check) {
    mkdirSync(outDir, { recursive: true })
    for (const f of files) writeFileSync(join(outDir, f.name), f.content)
    for (const n of extra) rmSync(join(outDir, n), { recursive: true, force: true })
    log(`wrote ${files.length} files to ${relative(root, outDir)}/ (${changed.length} changed)`)
  }
  return { files: files.map((f) => relative(root, join(outDir, f.name))), changed, milliseconds: Date.now() - started }
}
