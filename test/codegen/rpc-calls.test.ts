import { Kysely, PostgresDialect } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readCatalog } from '../../codegen/catalog/read-catalog.js'
import { rpcFunctionData } from '../../codegen/emit/rpc.js'
import { rpcCallsOf } from '../../src/adapters/pg/rpc-statements.js'
import { createTestDatabase, type TestDatabase } from '../support/test-database.js'

type Call = (db: Kysely<any>, args: Record<string, unknown>) => Promise<unknown>

/**
 * The adapter's calls, made from the data codegen writes for a function: each combination of given
 * defaulted arguments needs its own statement text, numbered in the order the values are bound; exact
 * results travel as text; a set of values comes back as an array.
 */
describe('calls from the generated function data', () => {
  let db: TestDatabase & { drop(): Promise<void> }
  let kysely: Kysely<any>
  let calls: Record<string, Call>

  beforeAll(async () => {
    db = await createTestDatabase()
    await db.admin.query(`create function public.codegen_probe(p_a text, p_b text default 'B', p_c integer default 3, p_d text default 'D') returns text
      language sql as $$ select concat_ws('|', p_a, p_b, p_c, p_d) $$`)
    await db.admin.query(`create function public.codegen_probe_set(p_n integer, p_step numeric default 0.5) returns setof numeric
      language sql as $$ select 100000000000000000.000000000000000001 + i * p_step from generate_series(1, p_n) i $$`)
    await db.admin.query('create function public.codegen_probe_void(p_a text) returns void language sql as $$ select $$')
    await db.admin.query(`create function public.codegen_probe_rows() returns setof public.token_types language sql as $$ select * from public.token_types $$`)
    const client = await db.admin.connect()
    try {
      const catalog = await readCatalog(client, [])
      const probes = catalog.functions.filter((f) => f.name.startsWith('codegen_probe') && f.name !== 'codegen_probe_rows')
      // JSON, as the generated module holds it: data only.
      const data = JSON.parse(JSON.stringify(Object.fromEntries(probes.map((f) => [f.name, rpcFunctionData(f)]))))
      calls = rpcCallsOf(data) as unknown as Record<string, Call>
      expect(() => rpcFunctionData(catalog.functions.find((f) => f.name === 'codegen_probe_rows')!)).toThrow(/returns a set of rows/)
    } finally {
      client.release()
    }
    kysely = new Kysely({ dialect: new PostgresDialect({ pool: db.admin }) })
  })

  afterAll(async () => {
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
      expect(await calls.codegen_probe!(kysely, args)).toBe(expected)
      expect(await calls.codegen_probe!(kysely, args)).toBe(expected)
    },
  )

  it('returns a set of values as an array, numbers exact as text', async () => {
    expect(await calls.codegen_probe_set!(kysely, { p_n: 2 })).toEqual(['100000000000000000.500000000000000001', '100000000000000001.000000000000000001'])
    expect(await calls.codegen_probe_set!(kysely, { p_n: 0, p_step: '1' })).toEqual([])
  })

  it('returns nothing from a void function', async () => {
    expect(await calls.codegen_probe_void!(kysely, { p_a: 'a' })).toBeUndefined()
  })
})
