import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { transform } from 'esbuild'
import { Kysely, PostgresDialect } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readCatalog } from '../../codegen/catalog/read-catalog.js'
import { emitRpcKysely } from '../../codegen/emit/rpc.js'
import { createTestDatabase, type TestDatabase } from '../support/test-database.js'

type Probe = (db: Kysely<any>, args: Record<string, unknown>) => Promise<string>

/**
 * The generated Kysely calls of a function with several defaulted arguments: each combination of
 * given arguments needs its own statement text, numbered in the order the values are bound.
 */
describe('generated Kysely calls', () => {
  let db: TestDatabase & { drop(): Promise<void> }
  let kysely: Kysely<any>
  let probe: Probe
  const dir = mkdtempSync(join(tmpdir(), 'avolve-rpc-calls-'))

  beforeAll(async () => {
    db = await createTestDatabase()
    await db.admin.query(`create function public.codegen_probe(p_a text, p_b text default 'B', p_c integer default 3, p_d text default 'D') returns text
      language sql as $$ select concat_ws('|', p_a, p_b, p_c, p_d) $$`)
    const client = await db.admin.connect()
    let source: string
    try {
      const catalog = await readCatalog(client, [])
      source = emitRpcKysely({ ...catalog, functions: catalog.functions.filter((f) => f.name === 'codegen_probe') })
    } finally {
      client.release()
    }
    // The generated module, compiled as the package's build would, importing this project's Kysely.
    const { code } = await transform(source.replace("from 'kysely'", `from ${JSON.stringify(import.meta.resolve('kysely'))}`), { loader: 'ts', format: 'esm' })
    const file = join(dir, 'rpc-kysely.mjs')
    writeFileSync(file, code)
    probe = ((await import(pathToFileURL(file).href)) as { kyselyRpc: { codegen_probe: Probe } }).kyselyRpc.codegen_probe
    kysely = new Kysely({ dialect: new PostgresDialect({ pool: db.admin }) })
  })

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true })
    await db?.drop()
  })

  const optional = { p_b: 'b', p_c: 7, p_d: 'd' } as const
  const combinations = Array.from({ length: 8 }, (_, mask) => Object.entries(optional).filter((_, i) => mask & (1 << i)))

  it.each(combinations.map((given) => [given.map(([k]) => k).join(', ') || 'none', given] as const))(
    'binds the defaulted arguments given (%s), leaving the others to their defaults',
    async (_, given) => {
      const args = Object.fromEntries([['p_a', 'a'], ...given])
      const expected = ['a', args.p_b ?? 'B', args.p_c ?? 3, args.p_d ?? 'D'].join('|')
      // Twice: the second call reuses the statement built by the first.
      expect(await probe(kysely, args)).toBe(expected)
      expect(await probe(kysely, args)).toBe(expected)
    },
  )
})
