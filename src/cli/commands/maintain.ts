import type pg from 'pg'
import { databaseUrlOption, defineCommand, elapsed } from '../command.js'
import { errorCode, withDatabase } from '../connect.js'
import { CliError } from '../errors.js'

/** The ledger and consent tables: append-heavy and updated in place, so they are worth vacuuming. */
export const MAINTAINED_TABLES = ['public.token_transactions', 'public.token_balances', 'public.token_holds', 'public.user_consent', 'public.consent_history'] as const

/** Holds released per transaction of the sweep: short transactions, however long the backlog. */
const SWEEP_BATCH = 1000

const usage = `Usage: avolve-db maintain [--database-url URL]

Routine upkeep, safe while the application runs:
  1. refreshes the materialized view private.user_stats concurrently (readers are never blocked),
     through public.refresh_user_stats();
  2. releases expired holds, ${SWEEP_BATCH} per transaction, through public.release_expired_holds(),
     until none is left;
  3. runs VACUUM (ANALYZE) on ${MAINTAINED_TABLES.join(', ')}
     (reclaims dead rows for reuse and refreshes the planner's statistics; no exclusive lock).
Connect as the owner of the tables (postgres on Supabase); each step prints its duration.

Options:
  --database-url URL   the database (default: $DATABASE_URL)
  -h, --help           show this help`

/** `avolve-db maintain`: refresh the stats view, release expired holds, vacuum and analyze the ledger and consent tables. */
export const maintainCommand = defineCommand({
  name: 'maintain',
  summary: 'refresh private.user_stats concurrently, release expired holds, VACUUM (ANALYZE) the ledger and consent tables',
  usage,
  options: databaseUrlOption,
  run: ({ values }, context) =>
    withDatabase(values['database-url'], context, { applicationName: 'avolve-db maintain' }, async (client, target) => {
      // VACUUM reports a table it may not touch as a WARNING and carries on; catch it as the failure it is.
      const notices: Array<{ code?: string; message?: string }> = []
      client.on('notice', (n) => notices.push(n))
      context.out(`database: ${target.display}`)
      const started = Date.now()

      let t = Date.now()
      try {
        await client.query('select public.refresh_user_stats()')
      } catch (error) {
        throw explainMaintenanceError(error, 'refresh private.user_stats')
      }
      const count = await client
        .query<{ n: string }>('select count(*) as n from private.user_stats')
        .then((r) => `; ${r.rows[0]?.n ?? '?'} rows`)
        .catch(() => '')
      context.out(`  ✓ refreshed private.user_stats concurrently (${elapsed(t)}${count})`)

      t = Date.now()
      let released = 0
      try {
        for (;;) {
          const { rows } = await client.query<{ n: number }>('select public.release_expired_holds($1) as n', [SWEEP_BATCH])
          released += rows[0]!.n
          if (rows[0]!.n < SWEEP_BATCH) break
        }
      } catch (error) {
        throw explainMaintenanceError(error, 'release expired holds')
      }
      context.out(`  ✓ released ${released} expired holds (${elapsed(t)})`)

      for (const table of MAINTAINED_TABLES) {
        const before = await deadRows(client, table)
        t = Date.now()
        notices.length = 0
        try {
          // One statement per query: VACUUM cannot run inside a transaction block, and several
          // statements in one query string form one.
          await client.query(`vacuum (analyze) ${table}`)
        } catch (error) {
          throw explainMaintenanceError(error, `vacuum ${table}`)
        }
        const refused = notices.find((n) => n.code === '42501' || /permission denied|skipping/i.test(n.message ?? ''))
        if (refused) {
          throw new CliError(`vacuum ${table} was skipped by the server: ${refused.message}. Connect as the table's owner (postgres on Supabase) or a role with the MAINTAIN privilege.`)
        }
        const after = await deadRows(client, table)
        context.out(`  ✓ vacuum (analyze) ${table} (${elapsed(t)}; dead rows ${before} → ${after})`)
      }
      context.out(`maintenance done in ${elapsed(started)}`)
      return 0
    }),
})

async function deadRows(client: pg.Client, table: string): Promise<string> {
  const { rows } = await client.query<{ n: string | null }>(`select n_dead_tup::text as n from pg_catalog.pg_stat_all_tables where relid = to_regclass($1)`, [table])
  return rows[0]?.n ?? '?'
}

function explainMaintenanceError(error: unknown, step: string): unknown {
  const code = errorCode(error)
  const message = error instanceof Error ? error.message : String(error)
  if (code === '42883' || code === '42P01' || code === '3F000') {
    return new CliError(`${step} failed: ${message}. The migrations are not applied here: run \`avolve-db migrate\` first.`, {
      cause: error,
    })
  }
  if (code === '42501') {
    return new CliError(`${step} failed: ${message}. Connect as the owner (postgres on Supabase) or as service_role.`, { cause: error })
  }
  if (code === '55000') {
    return new CliError(`${step} failed: ${message}. Refresh it once without CONCURRENTLY (as its owner), then run maintain again.`, {
      cause: error,
    })
  }
  return error
}
