import pg from 'pg'
import type { UserScope } from '../src/server.js'
import { server } from './lib/sdk.js'
import { createBenchUsers, type BenchDatabase } from './lib/environment.js'
import { latencies } from './lib/load.js'
import { percentile } from './lib/stats.js'

interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  Plans?: PlanNode[]
}

function scans(node: PlanNode): Array<{ type: string; relation?: string; index?: string }> {
  const own = node['Relation Name'] || node['Index Name'] ? [{ type: node['Node Type'], relation: node['Relation Name'], index: node['Index Name'] }] : []
  return [...own, ...(node.Plans ?? []).flatMap(scans)]
}

/**
 * Bulk-loads consent records and ledger rows (one user owns 1% of each), as a superuser and with the
 * history trigger off: this is loading data, not measuring writes.
 */
export async function grow(db: BenchDatabase, target: string, others: string[], consents: number, ledger: number): Promise<void> {
  const c = await db.admin.connect()
  try {
    const have = (await c.query<{ c: number; l: number }>('select (select count(*) from public.user_consent)::int as c, (select count(*) from public.token_transactions)::int as l')).rows[0]!
    await c.query('alter table public.user_consent disable trigger user_consent_append_history')
    await c.query(
      `insert into public.user_consent (user_id, interaction_type, terms, status, created_at, updated_at)
       select case when g % 100 = 0 then $1::uuid else ($2::uuid[])[1 + g % cardinality($2::uuid[])] end,
              (array['governance_proposal','terms_of_service','privacy_policy','token_transfer','data_sharing'])[1 + (case when g % 100 = 0 then g / 100 else g end) % 5],
              array['bench-terms'], 'approved', t, t
       from generate_series($3::int, $4::int) g, lateral (select now() - (g % 525600) * interval '1 minute' as t) x`,
      [target, others, have.c + 1, consents],
    )
    await c.query('alter table public.user_consent enable trigger user_consent_append_history')
    await c.query(
      `insert into public.token_transactions (kind, token_type, from_user_id, to_user_id, amount, idempotency_key, created_at)
       select 'transfer', 'GEN',
              case when g % 200 = 0 then $1::uuid else ($2::uuid[])[1 + g % cardinality($2::uuid[])] end,
              case when g % 200 = 100 then $1::uuid else ($2::uuid[])[1 + (g + 7) % cardinality($2::uuid[])] end,
              1 + g % 97, gen_random_uuid(), now() - (g % 525600) * interval '1 minute'
       from generate_series($3::int, $4::int) g`,
      [target, others, have.l + 1, ledger],
    )
    await c.query('analyze public.user_consent; analyze public.token_transactions')
  } finally {
    c.release()
  }
}

/** Records the statements the SDK sends, so their plans can be read with the same parameters. */
function capturingPool(url: string) {
  const pool = new pg.Pool({ connectionString: url, max: 1 })
  const seen: Array<{ text: string; values: unknown[] }> = []
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...a: unknown[]) => unknown
    ;(client as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
      if (typeof a[0] === 'string' && a[0].startsWith('select') && Array.isArray(a[1])) seen.push({ text: a[0], values: a[1] as unknown[] })
      return query(...a)
    }
  })
  return { pool, seen }
}

async function planOf(db: BenchDatabase, user: string, statement: { text: string; values: unknown[] }): Promise<PlanNode> {
  const c = await db.admin.connect()
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

export interface ScalePoint {
  rows: number
  consentLookupMs: { p50: number; p99: number }
  historyPageMs: { p50: number; p99: number }
  consentPlan: ReturnType<typeof scans>
  historyPlan: ReturnType<typeof scans>
  /** Every scan goes through the lookup's own index; none is sequential. */
  indexOnly: boolean
}

/**
 * The seed's common lookup (a user's consents of one interaction type since a time, newest first) and
 * a page of a user's token history, through the SDK, at each table size; with the plans they get.
 */
export async function scale(db: BenchDatabase, sizes: number[], calls: number, progress: (m: string) => void): Promise<ScalePoint[]> {
  const [target, ...others] = await createBenchUsers(db.admin, 1000)
  const { pool, seen } = capturingPool(db.apiUrl)
  const sdk = server.createAvolveDb({ connection: pool })
  const points: ScalePoint[] = []
  try {
    const me: UserScope = await sdk.asUser({ sub: target!, role: 'authenticated', exp: Math.floor(Date.now() / 1000) + 3600 })
    const since = new Date(Date.now() - 90 * 86_400_000).toISOString()
    for (const size of sizes) {
      progress(`loading ${size.toLocaleString()} consent records and ledger rows`)
      await grow(db, target!, others, size, size)
      const consentLookup = () => me.consent.list({ interactionType: 'data_sharing', since, limit: 20 })
      const historyPage = () => me.tokens.history({ limit: 20 })
      const c = await latencies(calls, consentLookup)
      const h = await latencies(calls, historyPage)
      seen.length = 0
      await consentLookup()
      const consentStatement = seen.at(-1)!
      seen.length = 0
      await historyPage()
      const historyStatement = seen.at(-1)!
      const consentPlan = scans(await planOf(db, target!, consentStatement))
      const historyPlan = scans(await planOf(db, target!, historyStatement))
      // No sequential scan, and each lookup through its own index (a bitmap scan of it is the
      // planner's choice for a small table; from 100k rows on the scans are ordered index scans).
      const noSeqScan = [...consentPlan, ...historyPlan].every((s) => s.type !== 'Seq Scan')
      points.push({
        rows: size,
        consentLookupMs: { p50: percentile(c, 50), p99: percentile(c, 99) },
        historyPageMs: { p50: percentile(h, 50), p99: percentile(h, 99) },
        consentPlan,
        historyPlan,
        indexOnly:
          noSeqScan &&
          consentPlan.some((s) => s.index === 'user_consent_user_type_created_idx') &&
          ['token_transactions_from_created_idx', 'token_transactions_to_created_idx'].every((i) => historyPlan.some((s) => s.index === i)),
      })
    }
  } finally {
    await sdk.destroy()
    await pool.end()
  }
  return points
}
