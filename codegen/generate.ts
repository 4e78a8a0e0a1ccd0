import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { readApiSchema, type ApiSchema } from './catalog/read-api-schema.js'
import { readCatalog } from './catalog/read-catalog.js'
import { extraKyselyRelations, schema } from './config.js'
import { emitColumns } from './emit/columns.js'
import { emitDatabaseType, type Narrowings } from './emit/database-type.js'
import { emitErrorCodes } from './emit/error-codes.js'
import { appHeader } from './emit/app-header.js'
import { header, type Source } from './emit/header.js'
import { emitIndex } from './emit/index-file.js'
import { emitKyselyTypes, type NarrowedColumn } from './emit/kysely-types.js'
import { appNarrowings } from './emit/narrowings.js'
import { emitRpc } from './emit/rpc.js'
import { emitSdkRows } from './emit/sdk-rows.js'
import { narrowedColumns } from './emit/type-mapping.js'
import { emitVocabularies } from './emit/vocabularies.js'
import { validateTypeScript } from './validate-output.js'

export interface GeneratedFile {
  /** Path relative to the output directory. */
  name: string
  content: string
}

/** The narrowed columns kysely-codegen must override, with what it needs to type them. */
function kyselyNarrowed(api: ApiSchema, narrowings: Narrowings): NarrowedColumn[] {
  return api.relations.flatMap((r) =>
    r.columns.flatMap((c) => {
      const typeName = narrowings.get(`${r.name}.${c.name}`)
      return typeName ? [{ key: `${r.name}.${c.name}`, typeName, array: c.type.name.startsWith('_'), hasDefault: c.hasDefault }] : []
    }),
  )
}

async function withConnections<T>(url: string, fn: (client: pg.Client, db: Kysely<any>) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  // pool.end() resolves before its clients' sockets are closed; a scratch database dropped right
  // after (with force) sends them a FATAL that would otherwise crash the process as an unhandled 'error'.
  client.on('error', () => {})
  await client.connect()
  const pool = new pg.Pool({ connectionString: url, max: 2 })
  pool.on('error', () => {})
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) })
  try {
    return await fn(client, db)
  } finally {
    await client.end()
    await db.destroy()
  }
}

/** Generates every file of src/generated/ from the migrated database at `url`. */
export async function generateFiles(url: string, sources: Source[]): Promise<GeneratedFile[]> {
  return withConnections(url, async (client, db) => {
    const catalog = await readCatalog(client, extraKyselyRelations)
    const api = await readApiSchema(client, schema)
    const narrowings = narrowedColumns(catalog.relations)
    const files: GeneratedFile[] = [
      {
        name: 'kysely.ts',
        content: await emitKyselyTypes(db, { include: [`${schema}.*`, ...extraKyselyRelations], narrowed: kyselyNarrowed(api, narrowings), vocabularyModule: './vocabularies.js', documented: true }),
      },
      { name: 'database.ts', content: emitDatabaseType(api, { narrowings, vocabularyModule: './vocabularies.js', extras: true }) },
      { name: 'sdk-rows.ts', content: emitSdkRows(api, narrowings) },
      { name: 'vocabularies.ts', content: emitVocabularies(catalog) },
      { name: 'error-codes.ts', content: emitErrorCodes(catalog) },
      { name: 'columns.ts', content: emitColumns(catalog) },
      { name: 'rpc.ts', content: emitRpc(catalog) },
      { name: 'index.ts', content: emitIndex() },
    ]
    const top = header(sources)
    return validated(files.map((f) => ({ name: f.name, content: `${top}\n${f.content.trimEnd()}\n` })))
  })
}

/**
 * Generates an app's types from its migrated database at `url` (the package's migrations and the
 * app's own): `database.ts`, one supabase-js `Database` covering the app's tables and the package's,
 * and `kysely.ts`, the Kysely `DB` interface. Vocabulary unions come from `@avolve/db`.
 */
export async function generateAppFiles(url: string, sources: { package: Source[]; app: Source[]; appDir: string }): Promise<GeneratedFile[]> {
  return withConnections(url, async (client, db) => {
    const api = await readApiSchema(client, schema)
    const narrowings = appNarrowings(api)
    const files: GeneratedFile[] = [
      { name: 'database.ts', content: emitDatabaseType(api, { narrowings, vocabularyModule: '@avolve/db' }) },
      {
        name: 'kysely.ts',
        content: await emitKyselyTypes(db, { include: [`${schema}.*`, ...extraKyselyRelations], narrowed: kyselyNarrowed(api, narrowings), vocabularyModule: '@avolve/db' }),
      },
    ]
    const top = appHeader(sources.package, sources.app, sources.appDir)
    return validated(files.map((f) => ({ name: f.name, content: `${top}\n${f.content.trimEnd()}\n` })))
  })
}

/** Refuses output that is not valid TypeScript, so a broken file is never written. */
function validated(files: GeneratedFile[]): GeneratedFile[] {
  validateTypeScript(files)
  return files
}
