import pg from 'pg'
import { databaseUrlOption, defineCommand, type CliContext } from '../command.js'
import { withDatabase } from '../connect.js'
import { UsageError } from '../errors.js'
import { formatTable } from '../format-table.js'
import {
  BLOAT_SQL,
  BLOCKING_SQL,
  CACHE_HIT_SQL,
  CONNECTIONS_SQL,
  IGNORED_SCHEMA_PATTERNS,
  INDEX_SIZES_SQL,
  INDEX_USAGE_SQL,
  LOCKS_SQL,
  LONG_RUNNING_QUERIES_SQL,
  TABLE_SIZES_SQL,
  UNUSED_INDEXES_SQL,
} from '../inspect-queries.js'

const DEFAULT_LONG_RUNNING_SECONDS = 300

const usage = `Usage: avolve-db inspect [--database-url URL] [--json] [--long-running-seconds N]

The database's health at a glance, like \`supabase inspect db\`: cache hit ratios (tables and
indexes), index usage and unused indexes, table and index sizes, estimated bloat, connections in
use against max_connections, long-running queries, and locks with who blocks whom. Read-only
(each report runs in a read-only transaction with a 30 s statement timeout); Supabase's own schemas
(auth, storage, …) and PostgreSQL's are left out of the per-table reports.
A report that fails (say, a lock timeout) is shown as failed, the others still print, and the
exit code is 1.

Options:
  --database-url URL         the database (default: $DATABASE_URL)
  --json                     one JSON document (each report an array of rows) instead of tables
  --long-running-seconds N   report queries running longer than N seconds (default: ${DEFAULT_LONG_RUNNING_SECONDS})
  -h, --help                 show this help`

interface Report {
  /** The report's key in the JSON document. */
  readonly key: string
  readonly title: string
  readonly sql: string
  readonly parameter: 'schemas' | 'seconds' | 'none'
}

/** The reports, in the order they print. */
const REPORTS: readonly Report[] = [
  {
    key: 'cache_hit',
    title: 'Cache hit ratio (share of block reads served from memory; healthy: 0.99 or more)',
    sql: CACHE_HIT_SQL,
    parameter: 'schemas',
  },
  {
    key: 'index_usage',
    title: 'Index usage per table (a large table read mostly by sequential scans may lack an index)',
    sql: INDEX_USAGE_SQL,
    parameter: 'schemas',
  },
  {
    key: 'unused_indexes',
    title: 'Unused indexes (not unique or a constraint, fewer than 50 scans: candidates to drop)',
    sql: UNUSED_INDEXES_SQL,
    parameter: 'schemas',
  },
  { key: 'table_sizes', title: 'Table sizes', sql: TABLE_SIZES_SQL, parameter: 'schemas' },
  { key: 'index_sizes', title: 'Index sizes', sql: INDEX_SIZES_SQL, parameter: 'schemas' },
  {
    key: 'bloat',
    title: 'Bloat estimate (from pg_stats after ANALYZE; 1.0 = none; rough for indexes)',
    sql: BLOAT_SQL,
    parameter: 'schemas',
  },
  { key: 'connections', title: 'Connections (client backends against max_connections)', sql: CONNECTIONS_SQL, parameter: 'none' },
  { key: 'long_running_queries', title: 'Long-running queries', sql: LONG_RUNNING_QUERIES_SQL, parameter: 'seconds' },
  { key: 'blocking', title: 'Blocking (who waits for whom)', sql: BLOCKING_SQL, parameter: 'none' },
  { key: 'locks', title: 'Locks (strong relation locks held, and every lock waited for)', sql: LOCKS_SQL, parameter: 'none' },
]

/** The report keys of the JSON document, in order. */
export const INSPECT_REPORT_KEYS: readonly string[] = REPORTS.map((r) => r.key)

// int8 as a JS number where that is exact (sizes, counts), so the JSON has numbers, not strings.
const int8AsNumber = (value: string): number | string => {
  const n = Number(value)
  return Number.isSafeInteger(n) ? n : value
}
const reportTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? int8AsNumber : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
}

/** `avolve-db inspect`: monitoring reports as tables, or one JSON document. */
export const inspectCommand = defineCommand({
  name: 'inspect',
  summary: 'cache hit, index usage, sizes, bloat, connections, long-running queries, locks and blocking',
  usage,
  options: {
    ...databaseUrlOption,
    json: { type: 'boolean', default: false },
    'long-running-seconds': { type: 'string' },
  },
  async run({ values }, context) {
    const seconds = parseSeconds(values['long-running-seconds'])
    return withDatabase(values['database-url'], context, { applicationName: 'avolve-db inspect', types: reportTypes }, async (client, target) => {
      const meta = await client.query<{ server_version: string; stats_reset: string | null }>(
        `select current_setting('server_version') as server_version,
                (select d.stats_reset::text from pg_catalog.pg_stat_database d where d.datname = current_database()) as stats_reset`,
      )
      const about = meta.rows[0]
      const results: Record<string, Record<string, unknown>[]> = {}
      const errors: Record<string, string> = {}
      for (const report of REPORTS) {
        try {
          results[report.key] = await runReport(client, report, seconds)
        } catch (error) {
          errors[report.key] = describeFailure(error)
        }
      }
      if (values.json) {
        const document = {
          database: target.display,
          server_version: about?.server_version ?? null,
          stats_reset: about?.stats_reset ?? null,
          generated_at: new Date().toISOString(),
          long_running_seconds: seconds,
          ...results,
          ...(Object.keys(errors).length > 0 ? { errors } : {}),
        }
        context.out(JSON.stringify(document, null, 2))
      } else {
        printTables(context, target.display, about, results, errors, seconds)
      }
      const failed = Object.keys(errors)
      if (failed.length > 0) {
        context.err(`inspect: ${failed.length} report${failed.length === 1 ? '' : 's'} failed (${failed.join(', ')}); see above.`)
        return 1
      }
      return 0
    })
  },
})

/** One report in its own read-only transaction, so a failing one cannot spoil the next. */
async function runReport(client: pg.Client, report: Report, seconds: number): Promise<Record<string, unknown>[]> {
  await client.query(`begin transaction read only; set local statement_timeout = '30s'; set local lock_timeout = '5s'`)
  try {
    const values = report.parameter === 'none' ? [] : [report.parameter === 'seconds' ? seconds : IGNORED_SCHEMA_PATTERNS]
    const { rows } = await client.query<Record<string, unknown>>(report.sql, values)
    await client.query('commit')
    return rows
  } catch (error) {
    await client.query('rollback').catch(() => {})
    throw error
  }
}

function printTables(
  context: CliContext,
  database: string,
  about: { server_version: string; stats_reset: string | null } | undefined,
  results: Record<string, Record<string, unknown>[]>,
  errors: Record<string, string>,
  seconds: number,
): void {
  context.out(`database: ${database} (PostgreSQL ${about?.server_version ?? '?'}); statistics since ${about?.stats_reset ?? 'the server started'}`)
  for (const report of REPORTS) {
    const title = report.key === 'long_running_queries' ? `${report.title} (over ${seconds} s)` : report.title
    context.out('')
    context.out(`== ${title}`)
    const rows = results[report.key]
    if (!rows) {
      context.out(`failed: ${errors[report.key]}`)
      continue
    }
    // The *_bytes columns are for machines (--json); the table shows the pretty sizes.
    const columns = rows[0] ? Object.keys(rows[0]).filter((c) => !c.endsWith('_bytes')) : []
    context.out(formatTable(rows, { columns }))
  }
}

function parseSeconds(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_LONG_RUNNING_SECONDS
  const seconds = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`--long-running-seconds must be a number of seconds (0 or more), not "${raw}"`)
  }
  return seconds
}

function describeFailure(error: unknown): string {
  const code = (error as { code?: string }).code
  const message = error instanceof Error ? error.message : String(error)
  if (code === '55P03') return `waited more than 5 s for a lock (${message}); run it again when the lock is released`
  if (code === '57014') return `took longer than 30 s (${message})`
  if (code === '42501') return `${message}: connect as a role that may read the statistics (e.g. pg_monitor, or postgres on Supabase)`
  return code ? `${message} (SQLSTATE ${code})` : message
}
