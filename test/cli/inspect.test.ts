import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { INSPECT_REPORT_KEYS } from '../../src/cli/commands/inspect.js'
import { useTestDatabase } from '../support/test-database.js'
import { runCli } from './run-cli.js'

const SECTIONS = [
  '== Cache hit ratio',
  '== Index usage per table',
  '== Unused indexes',
  '== Table sizes',
  '== Index sizes',
  '== Bloat estimate',
  '== Connections',
  '== Long-running queries (over 300 s)',
  '== Blocking',
  '== Locks',
]

type Row = Record<string, unknown>

describe('avolve-db inspect', () => {
  const db = useTestDatabase()

  it('prints every report as an aligned table', async () => {
    await db().admin.query('analyze') // so the bloat estimate has statistics to work from
    const run = await runCli(['inspect', '--database-url', db().adminUrl])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    let at = -1
    for (const section of SECTIONS) {
      const next = run.stdout.indexOf(section)
      expect(next, section).toBeGreaterThan(at) // present, in order
      at = next
    }
    // A header, a rule of dashes under each column, the application's tables and not Supabase's.
    expect(run.stdout).toMatch(/^table +estimated_rows +table_size +index_size +total_size\n-+ +-+ +-+ +-+ +-+$/m)
    expect(run.stdout).toMatch(/^public\.token_transactions +\d+ +\d+ (bytes|kB) /m)
    expect(run.stdout).toMatch(/^name +ratio +hits +reads$/m)
    expect(run.stdout).not.toMatch(/^auth\.users /m)
    expect(run.stdout).not.toContain('_bytes') // the machine columns are for --json
  })

  it('--json is one document with every report as an array of rows', async () => {
    const run = await runCli(['inspect', '--json'], { env: { DATABASE_URL: db().adminUrl } }) // DATABASE_URL as the fallback
    expect(run.code).toBe(0)
    const doc = JSON.parse(run.stdout) as Record<string, unknown>
    expect(Object.keys(doc)).toEqual(['database', 'server_version', 'stats_reset', 'generated_at', 'long_running_seconds', ...INSPECT_REPORT_KEYS])
    expect(INSPECT_REPORT_KEYS).toEqual(['cache_hit', 'index_usage', 'unused_indexes', 'table_sizes', 'index_sizes', 'bloat', 'connections', 'long_running_queries', 'blocking', 'locks'])
    for (const key of INSPECT_REPORT_KEYS) expect(Array.isArray(doc[key]), key).toBe(true)
    expect(doc.database).toBe(`postgres@${new URL(db().adminUrl).host}/${db().name}`)
    expect(doc.long_running_seconds).toBe(300)

    const cache = doc.cache_hit as Row[]
    expect(cache.map((r) => r.name)).toEqual(['tables', 'indexes'])
    const [connections] = doc.connections as Row[]
    expect(connections).toMatchObject({ max_connections: 300, used: expect.any(Number), available: expect.any(Number) })
    expect(connections!.used as number).toBeGreaterThanOrEqual(1)
    const ledger = (doc.table_sizes as Row[]).find((r) => r.table === 'public.token_transactions')
    expect(ledger).toMatchObject({ table_bytes: expect.any(Number), index_bytes: expect.any(Number), total_size: expect.any(String) })
    expect((doc.index_sizes as Row[]).some((r) => r.index === 'token_transactions_pkey')).toBe(true)
    expect((doc.index_usage as Row[]).some((r) => r.table === 'public.token_balances')).toBe(true)
    // Nothing of PostgreSQL's or Supabase's own schemas in the per-table reports.
    expect((doc.table_sizes as Row[]).every((r) => /^(public|private|supabase_migrations)\./.test(String(r.table)))).toBe(true)
  })

  it('shows a long-running query, who blocks whom and the locks, and does not queue behind the lock itself', async () => {
    const holder = new pg.Client({ connectionString: db().adminUrl })
    const waiter = new pg.Client({ connectionString: db().adminUrl })
    await Promise.all([holder.connect(), waiter.connect()])
    try {
      const [holderPid, waiterPid] = await Promise.all([pid(holder), pid(waiter)])
      await holder.query('begin')
      await holder.query('lock table public.token_types in access exclusive mode')
      const blocked = waiter.query('select count(*) from public.token_types')
      await waitUntil(async () => (await db().admin.query(`select 1 from pg_stat_activity where pid = $1 and wait_event_type = 'Lock'`, [waiterPid])).rowCount === 1)
      await new Promise((r) => setTimeout(r, 1200))

      const run = await runCli(['inspect', '--json', '--long-running-seconds', '1', '--database-url', db().adminUrl])
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      const doc = JSON.parse(run.stdout) as Record<string, Row[]>
      expect(doc.long_running_seconds).toBe(1)

      expect(doc.blocking).toContainEqual(
        expect.objectContaining({
          blocked_pid: waiterPid,
          blocking_pid: holderPid,
          waiting_for: 'AccessShareLock on public.token_types',
          blocked_query: 'select count(*) from public.token_types',
          blocking_state: 'idle in transaction',
        }),
      )
      expect(doc.locks).toContainEqual(expect.objectContaining({ pid: holderPid, target: 'public.token_types', mode: 'AccessExclusiveLock', granted: true }))
      expect(doc.locks).toContainEqual(expect.objectContaining({ pid: waiterPid, target: 'public.token_types', mode: 'AccessShareLock', granted: false }))
      expect(doc.long_running_queries).toContainEqual(expect.objectContaining({ pid: waiterPid, state: 'active', query: 'select count(*) from public.token_types' }))
      // The locked table's sizes are skipped rather than waited for.
      expect(doc.table_sizes!.find((r) => r.table === 'public.token_types')).toMatchObject({ table_size: null, total_bytes: null })

      const text = await runCli(['inspect', '--long-running-seconds', '1', '--database-url', db().adminUrl])
      expect(text.code).toBe(0)
      expect(text.stdout).toContain('== Long-running queries (over 1 s)')
      expect(text.stdout).toMatch(new RegExp(`^ *${waiterPid} +postgres +${db().name} +active +[0-9:]+ +[0-9.]+ +select count\\(\\*\\) from public\\.token_types$`, 'm'))

      await holder.query('rollback')
      await blocked
    } finally {
      await Promise.all([holder.end(), waiter.end()])
    }
  })
})

async function pid(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid')
  return rows[0]!.pid
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition')
    await new Promise((r) => setTimeout(r, 50))
  }
}
