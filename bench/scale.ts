import pg from 'pg'
import type { UserScope } from '../src/server.js'
import { createDatabase } from '../src/tooling/embedded-server.js'
import { server } from './lib/sdk.js'
import { createBenchUsers, nonDurableSettings, startBenchDatabase, type BenchDatabase } from './lib/environment.js'
import { LEDGER_START, ledgerDiskUsage, loadLedger, type LedgerDiskUsage } from './lib/ledger-load.js'
import { roundOrder } from './lib/load.js'
import { percentile, round } from './lib/stats.js'

/**
 * The scale section's server: a throwaway of its own with durability off (fsync, synchronous_commit,
 * full_page_writes), so that loading 10 million ledger rows costs what inserting them costs and no
 * more; what it measures are reads, which those settings do not touch. No checkpoint in the middle of
 * a load; shared buffers that hold the idempotency-key index, which a load (as live traffic) touches
 * at random keys everywhere; and no autovacuum: a vacuum of a fresh 10M-row ledger would run for
 * minutes beside the reads it measures (the section analyzes each table itself after loading it).
 */
export const scaleSettings: Record<string, string | number> = {
  ...nonDurableSettings,
  max_wal_size: '16GB',
  checkpoint_timeout: '1h',
  autovacuum: 'off',
  shared_buffers: '2GB',
}

/** Accounts of the bulk-loaded ledgers: every one in 2% of the rows, as in bench/lib/ledger-load.ts. */
const ACCOUNTS = 100
/** Rows per history and statement page, as an app would show them. */
const PAGE = 20
/** Unmeasured calls of each read at each size first. */
const WARMUP = 20

interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  Plans?: PlanNode[]
}

type Scan = { type: string; relation?: string; index?: string }

function scans(node: PlanNode): Scan[] {
  const own =
    node['Relation Name'] || node['Index Name']
      ? [
          {
            type: node['Node Type'],
            relation: node['Relation Name'],
            index: node['Index Name'],
          },
        ]
      : []
  return [...own, ...(node.Plans ?? []).flatMap(scans)]
}

type Latency = { p50: number; p99: number }
const latency = (sorted: number[]): Latency => ({
  p50: round(percentile(sorted, 50), 3),
  p99: round(percentile(sorted, 99), 3),
})

/** 10k, 1M, 10M: how the README and the targets name a size. */
export const sizeLabel = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n))

/**
 * Bulk-loads consent records (one user owns 1% of them), as a superuser and with the history trigger
 * off: this is loading data, not measuring writes.
 */
async function growConsents(admin: pg.Pool, target: string, others: string[], consents: number): Promise<void> {
  const c = await admin.connect()
  try {
    const have = (await c.query<{ c: number }>('select count(*)::int as c from public.user_consent')).rows[0]!.c
    await c.query('alter table public.user_consent disable trigger user_consent_append_history')
    await c.query(
      `insert into public.user_consent (user_id, interaction_type, terms, status, created_at, updated_at)
       select case when g % 100 = 0 then $1::uuid else ($2::uuid[])[1 + g % cardinality($2::uuid[])] end,
              (array['governance_proposal','terms_of_service','privacy_policy','token_transfer','data_sharing'])[1 + (case when g % 100 = 0 then g / 100 else g end) % 5],
              array['bench-terms'], 'approved', t, t
       from generate_series($3::int, $4::int) g, lateral (select now() - (g % 525600) * interval '1 minute' as t) x`,
      [target, others, have + 1, consents],
    )
    await c.query('alter table public.user_consent enable trigger user_consent_append_history')
    await c.query('analyze public.user_consent')
  } finally {
    c.release()
  }
}

/** Records the statements the SDK sends, so their plans can be read with the same parameters. */
function capturingPool(url: string) {
  const pool = new pg.Pool({ connectionString: url, max: 1 })
  // As the admin pool: a connection the server ends while idle is not worth crashing the run over.
  pool.on('error', () => {})
  const seen: Array<{ text: string; values: unknown[] }> = []
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...a: unknown[]) => unknown
    ;(client as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
      if (typeof a[0] === 'string' && a[0].startsWith('select') && Array.isArray(a[1])) seen.push({ text: a[0], values: a[1] as unknown[] })
      return query(...a)
    }
  })
  /** The statements on `relation` that `call` sends. */
  const sentBy = async (relation: string, call: () => Promise<unknown>) => {
    seen.length = 0
    await call()
    return seen.filter((s) => s.text.includes(relation))
  }
  return { pool, sentBy }
}

async function planOf(admin: pg.Pool, user: string, statement: { text: string; values: unknown[] }): Promise<PlanNode> {
  const c = await admin.connect()
  try {
    await c.query('begin')
    await c.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: user, role: 'authenticated' })])
    const { rows } = await c.query(`explain (format json) ${statement.text}`, statement.values)
    return (rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan
  } finally {
    await c.query('rollback')
    c.release()
  }
}

const plansOf = async (admin: pg.Pool, user: string, statements: Array<{ text: string; values: unknown[] }>) => {
  if (!statements.length) throw new Error('the SDK sent no statement to plan')
  return Promise.all(statements.map(async (s) => scans(await planOf(admin, user, s))))
}

const signedIn = (sdk: ReturnType<typeof server.createAvolveDb>, sub: string): Promise<UserScope> =>
  sdk.asUser({
    sub,
    role: 'authenticated',
    exp: Math.floor(Date.now() / 1000) + 3600,
  })

export interface ConsentScalePoint {
  rows: number
  lookupMs: Latency
  plan: Scan[]
  /** Through user_consent_user_type_created_idx, no sequential scan. */
  throughIndex: boolean
}

export interface LedgerScalePoint {
  /** Rows of public.token_transactions. */
  rows: number
  /** Rows of public.token_entries: two per transfer, one per mint. */
  entries: number
  /** Loading the ledger and analyzing its tables. */
  loadSeconds: number
  /** The newest page of 20 of one account's ledger rows (`tokens.history`). */
  historyPageMs: Latency
  /** The balance at a random instant of the account's history (`tokens.balanceAt`). */
  balanceAtMs: Latency
  /** A statement with a full page of 20 from a random instant: opening balance, page, closing balance (`tokens.statement`). */
  statementPageMs: Latency
  plans: { history: Scan[][]; balanceAt: Scan[][]; statement: Scan[][] }
  /** History through both of its indexes; balanceAt and each of the statement's reads through the entries' (account, time) index; no sequential scan. */
  throughIndex: boolean
  disk: LedgerDiskUsage
}

export interface ScaleResults {
  seconds: number
  settings: Record<string, string | number>
  callsPerOperation: number
  consent: { points: ConsentScalePoint[]; growth: number }
  ledger: {
    accounts: number
    points: LedgerScalePoint[]
    /** p50 at the largest size over p50 at the smallest. */
    growth: { historyPage: number; balanceAt: number; statementPage: number }
  }
}

/** One table size: a database of its own, reads through the SDK as one user, and their latencies. */
interface Size<Op extends string> {
  admin: pg.Pool
  pool: pg.Pool
  sdk: ReturnType<typeof server.createAvolveDb>
  run: Record<Op, (i: number) => Promise<unknown>>
  samples: Record<Op, number[]>
}

/** A database of its own for one size: a copy of the migrated, still empty bench database. */
async function sizeDatabase(db: BenchDatabase, name: string) {
  await createDatabase(db.server, name, db.database)
  const admin = new pg.Pool({ connectionString: db.server.url(name), max: 2 })
  admin.on('error', () => {})
  const api = new URL(db.apiUrl)
  api.pathname = `/${name}`
  return { admin, ...capturingPool(api.toString()) }
}

/**
 * Every read of every size `calls` times, the sizes taking turns call by call (in a balanced order),
 * so whatever else the machine does falls on all of them alike; after unmeasured calls of each.
 */
async function takingTurns<Op extends string>(sizes: Array<Size<Op>>, operations: readonly Op[], calls: number): Promise<void> {
  for (let i = -WARMUP; i < calls; i++) {
    for (const k of roundOrder(sizes.length, i + WARMUP)) {
      const size = sizes[k]!
      for (const op of operations) {
        const t = performance.now()
        await size.run[op](i)
        if (i >= 0) size.samples[op].push(performance.now() - t)
      }
    }
  }
  for (const size of sizes) for (const op of operations) size.samples[op].sort((a, b) => a - b)
}

async function closeAll(sizes: Array<Size<string>>): Promise<void> {
  for (const s of sizes) {
    await s.sdk.destroy()
    await s.pool.end()
    await s.admin.end()
  }
}

/** The seed's common consent lookup (a user's consents of one interaction type since a time, newest first) on `rows` consent records. */
async function prepareConsentSize(db: BenchDatabase, rows: number): Promise<Size<'lookup'> & { point: Omit<ConsentScalePoint, 'lookupMs'> }> {
  const { admin, pool, sentBy } = await sizeDatabase(db, `consent_${rows}`)
  const sdk = server.createAvolveDb({ connection: pool })
  const [target, ...others] = await createBenchUsers(admin, 1000)
  await growConsents(admin, target!, others, rows)
  const me = await signedIn(sdk, target!)
  const since = new Date(Date.now() - 90 * 86_400_000).toISOString()
  const lookup = () => me.consent.list({ interactionType: 'data_sharing', since, limit: PAGE })
  const [plan] = await plansOf(admin, target!, await sentBy('user_consent', lookup))
  return {
    admin,
    pool,
    sdk,
    run: { lookup },
    samples: { lookup: [] },
    // A bitmap scan of the index is the planner's choice for a small table; from 100k rows on it is
    // an ordered index scan.
    point: { rows, plan: plan!, throughIndex: plan!.every((s) => s.type !== 'Seq Scan') && plan!.some((s) => s.index === 'user_consent_user_type_created_idx') },
  }
}

const OPERATIONS = ['history', 'balanceAt', 'statement'] as const
type Operation = (typeof OPERATIONS)[number]

const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

/** The indexes of token_entries that lead with the account and the time: what balanceAt and statements must read. */
async function accountTimeIndexes(admin: pg.Pool): Promise<string[]> {
  const { rows } = await admin.query<{ name: string }>(
    `select i.relname as name from pg_index x join pg_class i on i.oid = x.indexrelid
     where x.indrelid = 'public.token_entries'::regclass and pg_get_indexdef(x.indexrelid) like '%(user_id, token_type, created_at%'`,
  )
  return rows.map((r) => r.name)
}

/** A ledger of `rows` rows and one account's history page, balance at an instant and statement page on it. */
async function prepareLedgerSize(
  db: BenchDatabase,
  rows: number,
  calls: number,
  progress: (m: string) => void,
): Promise<Size<Operation> & { point: Omit<LedgerScalePoint, 'historyPageMs' | 'balanceAtMs' | 'statementPageMs'> }> {
  const { admin, pool, sentBy } = await sizeDatabase(db, `ledger_${rows}`)
  const sdk = server.createAvolveDb({ connection: pool })
  const accounts = await createBenchUsers(admin, ACCOUNTS)
  const started = performance.now()
  await loadLedger(admin, accounts, rows, (m) => progress(`${sizeLabel(rows)}: ${m}`))
  await admin.query('analyze public.token_transactions, public.token_entries, public.token_balances')
  const loadSeconds = round((performance.now() - started) / 1000, 1)
  const target = accounts[1]!
  // Random instants of the account's history: the balance at each, and a statement from each to
  // the 41st movement after it (a full page of 20, and more). Instants too near the end are dropped.
  const { rows: instants } = await admin.query<{ at: string; until: string }>(
    `select ${iso('p.at')} as at, ${iso('u.created_at')} as until
     from public.token_balances b
     cross join lateral (select $3::timestamptz + random() * (b.updated_at - $3::timestamptz) as at from generate_series(1, $2::int) i) p
     cross join lateral (
       select e.created_at from public.token_entries e
       where e.user_id = b.user_id and e.token_type = b.token_type and e.created_at >= p.at
       order by e.created_at, e.version offset $4 limit 1
     ) u
     where b.user_id = $1 and b.token_type = 'GEN'`,
    [target, calls, LEDGER_START, 2 * PAGE],
  )
  const disk = await ledgerDiskUsage(admin, { transactions: rows, entries: 2 * rows - ACCOUNTS })
  const me = await signedIn(sdk, target)
  const instant = (i: number) => instants[Math.abs(i) % instants.length]!
  const run = {
    history: () => me.tokens.history({ limit: PAGE }),
    balanceAt: (i: number) => me.tokens.balanceAt('GEN', instant(i).at),
    statement: (i: number) => me.tokens.statement({ tokenType: 'GEN', from: instant(i).at, to: instant(i).until, limit: PAGE }),
  }
  const plans = {
    history: await plansOf(admin, target, await sentBy('token_transactions', () => run.history())),
    balanceAt: await plansOf(admin, target, await sentBy('token_entries', () => run.balanceAt(0))),
    statement: await plansOf(admin, target, await sentBy('token_entries', () => run.statement(0))),
  }
  const entriesIndexes = await accountTimeIndexes(admin)
  const throughEntriesIndex = (p: Scan[]) => p.some((s) => s.index !== undefined && entriesIndexes.includes(s.index))
  const throughIndex =
    [...plans.history, ...plans.balanceAt, ...plans.statement].flat().every((s) => s.type !== 'Seq Scan') &&
    ['token_transactions_from_created_idx', 'token_transactions_to_created_idx'].every((i) => plans.history.flat().some((s) => s.index === i)) &&
    plans.balanceAt.every(throughEntriesIndex) &&
    plans.statement.length === 3 &&
    plans.statement.every(throughEntriesIndex)
  return {
    admin,
    pool,
    sdk,
    run,
    samples: { history: [], balanceAt: [], statement: [] },
    point: { rows, entries: disk.entries.rows, loadSeconds, plans, throughIndex, disk },
  }
}

/**
 * Reads the entries (table and indexes) of each ledger into the OS cache, as a database that serves
 * them has them: otherwise the ledger loaded first would be read from the disk and the one loaded
 * last from memory, and the figures would compare the two rather than the sizes.
 */
async function prewarm(sizes: Array<{ admin: pg.Pool }>): Promise<void> {
  for (const { admin } of sizes) {
    await admin.query('create extension if not exists pg_prewarm')
    await admin.query(
      `select pg_prewarm(c.oid, 'read') from pg_class c
       where c.oid = 'public.token_entries'::regclass or c.oid in (select indexrelid from pg_index where indrelid = 'public.token_entries'::regclass)`,
    )
  }
}

/**
 * The seed's common consent lookup at growing table sizes, then a history page, `balanceAt` and a
 * statement page through the SDK on ledgers of growing size (loaded by set-based SQL); each size in
 * a database of its own, the sizes taking turns; with the plans each read gets and what the ledger
 * takes on disk. On a server of its own, stopped at the end: the next sections do not share it with
 * 30 million rows.
 */
export async function scale(options: { consentSizes: number[]; ledgerSizes: number[]; calls: number }, progress: (m: string) => void): Promise<ScaleResults> {
  const started = performance.now()
  progress('a server of its own for the scale section')
  const db = await startBenchDatabase(() => {}, scaleSettings)
  const consents: Array<Awaited<ReturnType<typeof prepareConsentSize>>> = []
  const ledgers: Array<Awaited<ReturnType<typeof prepareLedgerSize>>> = []
  try {
    for (const rows of options.consentSizes) {
      progress(`loading ${rows.toLocaleString('en')} consent records`)
      consents.push(await prepareConsentSize(db, rows))
    }
    progress(`consent lookups: ${options.calls} at each size`)
    await takingTurns(consents, ['lookup'], options.calls)
    const consentPoints: ConsentScalePoint[] = consents.map((s) => ({ ...s.point, lookupMs: latency(s.samples.lookup) }))
    await closeAll(consents.splice(0))

    for (const rows of options.ledgerSizes) {
      progress(`loading a ledger of ${rows.toLocaleString('en')} rows`)
      ledgers.push(await prepareLedgerSize(db, rows, options.calls, progress))
    }
    progress('reading the entries into memory')
    await prewarm(ledgers)
    progress(`ledger reads: ${options.calls} of each at each size`)
    await takingTurns(ledgers, OPERATIONS, options.calls)
    const points: LedgerScalePoint[] = ledgers.map((s) => ({
      ...s.point,
      historyPageMs: latency(s.samples.history),
      balanceAtMs: latency(s.samples.balanceAt),
      statementPageMs: latency(s.samples.statement),
    }))
    const first = points[0]!
    const last = points.at(-1)!
    const ratio = (k: 'historyPageMs' | 'balanceAtMs' | 'statementPageMs') => round(last[k].p50 / first[k].p50, 3)
    return {
      seconds: round((performance.now() - started) / 1000, 0),
      settings: scaleSettings,
      callsPerOperation: options.calls,
      consent: { points: consentPoints, growth: round(consentPoints.at(-1)!.lookupMs.p50 / consentPoints[0]!.lookupMs.p50, 3) },
      ledger: {
        accounts: ACCOUNTS,
        points,
        growth: { historyPage: ratio('historyPageMs'), balanceAt: ratio('balanceAtMs'), statementPage: ratio('statementPageMs') },
      },
    }
  } finally {
    await closeAll([...consents, ...ledgers])
    await db.stop()
  }
}
