import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { readCatalog } from './catalog/read-catalog.js'
import { extraKyselyRelations } from './config.js'
import { emitColumns } from './emit/columns.js'
import { emitDatabaseType } from './emit/database-type.js'
import { emitErrorCodes } from './emit/error-codes.js'
import { header, type Source } from './emit/header.js'
import { emitIndex } from './emit/index-file.js'
import { emitKyselyTypes } from './emit/kysely-types.js'
import { emitPgSchemas, emitRpc, emitRpcKysely } from './emit/rpc.js'
import { emitVocabularies } from './emit/vocabularies.js'

export interface GeneratedFile {
  /** Path relative to the output directory. */
  name: string
  content: string
}

/** Generates every file of src/generated/ from the migrated database at `url`. */
export async function generateFiles(url: string, sources: Source[]): Promise<GeneratedFile[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }) })
  try {
    const catalog = await readCatalog(client, extraKyselyRelations)
    const files: GeneratedFile[] = [
      { name: 'kysely.ts', content: await emitKyselyTypes(db, catalog) },
      { name: 'database.ts', content: emitDatabaseType(catalog) },
      { name: 'vocabularies.ts', content: emitVocabularies(catalog) },
      { name: 'error-codes.ts', content: emitErrorCodes(catalog) },
      { name: 'columns.ts', content: emitColumns(catalog) },
      { name: 'pg-schemas.ts', content: emitPgSchemas() },
      { name: 'rpc.ts', content: emitRpc(catalog) },
      { name: 'rpc-kysely.ts', content: emitRpcKysely(catalog) },
      { name: 'index.ts', content: emitIndex() },
    ]
    const top = header(sources)
    return files.map((f) => ({ name: f.name, content: `${top}\n${f.content.trimEnd()}\n` }))
  } finally {
    await client.end()
    await db.destroy()
  }
}
