import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAINTAINED_TABLES } from '../../src/cli/commands/maintain.js'
import { createTestDatabase, useTestDatabase } from '../support/test-database.js'
import { runCli } from './run-cli.js'

describe('avolve-db maintain', () => {
  const db = useTestDatabase()

  it('refreshes private.user_stats and vacuums the ledger and consent tables, with timings', async () => {
    const user = randomUUID()
    await db().admin.query(`insert into auth.users (id, email) values ($1, 'stats@example.test')`, [user])
    const stats = () => db().admin.query(`select total_consents from private.user_stats where user_id = $1`, [user])
    expect((await stats()).rowCount).toBe(0) // the view is as of its last refresh
    // An expired hold for the sweep.
    const [payer, payee] = [randomUUID(), randomUUID()]
    await db().admin.query(`insert into auth.users (id, email) values ($1, 'payer@example.test'), ($2, 'payee@example.test')`, [payer, payee])
    await db().admin.query(`select public.mint_tokens($1, 'GEN', 5, gen_random_uuid())`, [payer])
    const { rows: held } = await db().admin.query<{ id: string }>(`select public.hold_tokens($1, $2, 'GEN', 5, 60, gen_random_uuid()) as id`, [payer, payee])
    await db().admin.query(`update public.token_holds set expires_at = now() - interval '1 second' where id = $1`, [held[0]!.id])

    const run = await runCli(['maintain', '--database-url', db().adminUrl])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/✓ refreshed private\.user_stats concurrently \(\d+ ms; \d+ rows\)/)
    for (const table of MAINTAINED_TABLES) {
      expect(run.stdout).toMatch(new RegExp(`✓ vacuum \\(analyze\\) ${table.replace('.', '\\.')} \\(\\d+(\\.\\d)? m?s; dead rows \\d+ → \\d+\\)`))
    }
    expect(run.stdout).toMatch(/✓ released 1 expired holds \(\d+ ms\)/)
    expect(run.stdout).toMatch(/maintenance done in \d+/)
    expect((await db().admin.query(`select status::text from public.token_holds where id = $1`, [held[0]!.id])).rows).toEqual([{ status: 'expired' }])

    expect((await stats()).rows).toEqual([{ total_consents: '0' }])
    const { rows } = await db().admin.query<{ name: string; vacuumed: boolean; analyzed: boolean }>(
      `select format('%I.%I', schemaname, relname) as name, last_vacuum is not null as vacuumed, last_analyze is not null as analyzed
       from pg_stat_user_tables where format('%I.%I', schemaname, relname) = any($1) order by 1`,
      [MAINTAINED_TABLES],
    )
    expect(rows).toEqual([...MAINTAINED_TABLES].sort().map((name) => ({ name, vacuumed: true, analyzed: true })))
  })
})

describe('avolve-db maintain on a database without the migrations', () => {
  let empty: Awaited<ReturnType<typeof createTestDatabase>>
  beforeAll(async () => {
    empty = await createTestDatabase({ empty: true })
  })
  afterAll(async () => {
    await empty?.drop()
  })

  it('says to run migrate first, exit 1', async () => {
    const run = await runCli(['maintain', '--database-url', empty.adminUrl])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('maintain failed: refresh private.user_stats failed')
    expect(run.stderr).toContain('run `avolve-db migrate` first')
  })
})
