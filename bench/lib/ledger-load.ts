import { randomBytes } from 'node:crypto'
import type pg from 'pg'

/**
 * A large ledger written straight into its tables by set-based SQL, as a superuser: the rows the
 * ledger functions would have written, without calling them 10 million times. Plain inserts only,
 * which the append-only triggers allow, so nothing is disabled or dropped, and every index is kept
 * up row by row as in service (an index built after the load would be packed tighter than the
 * ledger's indexes ever are).
 *
 * The shape is closed-form, so every row and every entry is computed from its row number alone, in
 * integer arithmetic, and a load can grow an existing one in batches, in the order the functions
 * would have written it: each account gets a mint of `MINTED` first, then transfer g (1, 2, ...) runs
 * in round r = (g-1) div n from account s = (g-1) mod n to account (s+1) mod n, one second after
 * transfer g-1, moving 1 + r mod 97. In every round each account receives and sends the round's
 * amount once (account 0 sends first, the others receive first), so each account's versions run
 * 1, 2, 3 ... and its balance goes from MINTED to MINTED ± the amount and back: never negative, and
 * no window function or sort is needed to know it. Entries go in in time order, as the functions
 * write them, so one account's consecutive entries lie on different heap pages as they do in service.
 */
export const MINTED = 1000
/** The instant of the mints; transfer g is g seconds later. */
export const LEDGER_START = '2025-01-01T00:00:00Z'
const TOKEN = 'GEN'
/** Transfers per statement: enough to keep the per-statement overhead out, few enough to report progress. */
const BATCH = 1_000_000
/** Statements at once: the two cores of the machine the benchmarks run on. */
const CONNECTIONS = 2

/**
 * A time-ordered id in the shape of the functions' UUID version 7 (milliseconds first, so new rows
 * go to the right edge of the primary key), then a salt of this load ($5, so two ledgers loaded into
 * one database do not collide) and the row number (variant 8) or the account number (variant 9, mints).
 */
const idSql = (milliseconds: string, variant: '8' | '9', n: string) => `(lpad(to_hex(${milliseconds}), 12, '0') || '7000${variant}' || $5::text || lpad(to_hex(${n}), 10, '0'))::uuid`

/**
 * Grows the ledger of `accounts` (users that exist and have no GEN history yet, or history written
 * by this loader) to `rows` rows of public.token_transactions: their mints and transfers, with
 * every entry and the balances and versions of token_balances to match. Returns the rows it wrote.
 * Runs up to two statements at once, so `admin` needs room for two connections.
 */
export async function loadLedger(admin: pg.Pool, accounts: readonly string[], rows: number, progress: (m: string) => void = () => {}): Promise<number> {
  if (accounts.length < 2) throw new Error('a ledger of transfers needs at least two accounts')
  const n = accounts.length
  const have = Number(
    (await admin.query<{ c: string }>(`select count(*) as c from public.token_transactions where token_type = $1 and (from_user_id = any($2) or to_user_id = any($2))`, [TOKEN, accounts])).rows[0]!.c,
  )
  if (have === 0 && rows < n) throw new Error(`${rows} ledger rows cannot hold the mints of ${n} accounts`)
  if (have > rows) throw new Error(`the ledger already has ${have} rows, more than ${rows}`)
  const salt = randomBytes(3).toString('hex').slice(0, 5)
  const startMs = Date.parse(LEDGER_START)
  if (have === 0) {
    await admin.query(
      `insert into public.token_transactions (id, kind, token_type, from_user_id, to_user_id, amount, idempotency_key, created_at)
       select ${idSql(String(startMs), '9', 'i')}, 'mint', $2, null, a, $4::numeric, gen_random_uuid(), $3::timestamptz
       from unnest($1::uuid[]) with ordinality as m(a, i)`,
      [accounts, TOKEN, LEDGER_START, MINTED, salt],
    )
    await admin.query(
      `insert into public.token_entries (user_id, token_type, version, transaction_id, amount, balance_after, created_at)
       select a, $2, 1, ${idSql(String(startMs), '9', 'i')}, $4::numeric, $4::numeric, $3::timestamptz
       from unnest($1::uuid[]) with ordinality as m(a, i)`,
      [accounts, TOKEN, LEDGER_START, MINTED, salt],
    )
  }
  // $1 the accounts, $2 the start, $3 and $4 the first and last transfer of the batch, $5 the salt.
  const at = `$2::timestamptz + g * interval '1 second'`
  const id = idSql(`${startMs} + g * 1000`, '8', 'g')
  const transfers = `
    insert into public.token_transactions (id, kind, token_type, from_user_id, to_user_id, amount, idempotency_key, created_at)
    select ${id}, 'transfer', '${TOKEN}', ($1::uuid[])[1 + (g - 1) % ${n}], ($1::uuid[])[1 + g % ${n}], (1 + ((g - 1) / ${n}) % 97)::numeric, gen_random_uuid(), ${at}
    from generate_series($3::bigint, $4::bigint) g`
  // Entry k of the batch is transfer (k+1)/2's: odd k its sender's, even k its receiver's (account a).
  // A flat scan rather than a lateral pair per transfer: a third of the CPU.
  const entries = `
    insert into public.token_entries (user_id, token_type, version, transaction_id, amount, balance_after, created_at)
    select ($1::uuid[])[1 + a], '${TOKEN}', 2 + 2 * ((g - 1) / ${n}) + case when sender = (a = 0) then 0 else 1 end, ${id},
           (case when sender then -amount else amount end)::numeric,
           (${MINTED} + case when sender then case when a = 0 then -amount else 0 end else case when a = 0 then 0 else amount end end)::numeric,
           ${at}
    from (
      select g, sender, case when sender then (g - 1) % ${n} else g % ${n} end as a, 1 + ((g - 1) / ${n}) % 97 as amount
      from (select (k + 1) / 2 as g, k % 2 = 1 as sender from generate_series(2 * $3::bigint - 1, 2 * $4::bigint) k) e
    ) e`
  const first = Math.max(have, n) - n + 1
  const last = rows - n
  // The rows and the entries of each batch are independent statements (neither reads the other's
  // table), taken from one queue by two connections.
  const jobs: Array<() => Promise<unknown>> = []
  for (let lo = first; lo <= last; lo += BATCH) {
    const hi = Math.min(last, lo + BATCH - 1)
    const values = [accounts, LEDGER_START, lo, hi, salt]
    jobs.push(() => {
      progress(`ledger rows ${(lo + n).toLocaleString('en')} to ${(hi + n).toLocaleString('en')}`)
      return admin.query(transfers, values)
    })
    jobs.push(() => admin.query(entries, values))
  }
  let next = 0
  let failed = false
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (!failed && next < jobs.length) {
        await jobs[next++]!().catch((e: unknown) => {
          failed = true
          throw e
        })
      }
    }),
  )
  // Each account's balance row says what its last entry says: one probe of the primary key each.
  await admin.query(
    `insert into public.token_balances as b (user_id, token_type, balance, version, updated_at)
     select a, $2, l.balance_after, l.version, l.created_at
     from unnest($1::uuid[]) a
     cross join lateral (
       select e.balance_after, e.version, e.created_at from public.token_entries e
       where e.user_id = a and e.token_type = $2 order by e.created_at desc, e.version desc limit 1
     ) l
     on conflict (user_id, token_type) do update
       set balance = excluded.balance, version = excluded.version, updated_at = excluded.updated_at`,
    [accounts, TOKEN],
  )
  return Math.max(rows, n) - have
}

export interface TableDiskUsage {
  rows: number
  /** Heap, TOAST, free space and visibility maps. */
  tableBytes: number
  indexBytes: number
  /** pg_total_relation_size over the rows. */
  bytesPerRow: number
}

/**
 * What a ledger row and an entry take on disk: each table with its indexes, over its rows. The rows
 * are counted unless `counts` gives them (a count of 30 million rows is a minute of its own).
 */
export async function ledgerDiskUsage(admin: pg.Pool | pg.ClientBase, counts?: { transactions: number; entries: number }): Promise<{ transactions: TableDiskUsage; entries: TableDiskUsage }> {
  const of = async (table: string, known: number | undefined): Promise<TableDiskUsage> => {
    const { rows } = await admin.query<{ rows: string; table_bytes: string; index_bytes: string; total_bytes: string }>(
      `select ${known === undefined ? `(select count(*) from ${table})` : '$2::bigint'} as rows, pg_table_size($1::regclass) as table_bytes,
              pg_indexes_size($1::regclass) as index_bytes, pg_total_relation_size($1::regclass) as total_bytes`,
      known === undefined ? [table] : [table, known],
    )
    const r = rows[0]!
    const count = Number(r.rows)
    return { rows: count, tableBytes: Number(r.table_bytes), indexBytes: Number(r.index_bytes), bytesPerRow: Math.round(Number(r.total_bytes) / count) }
  }
  return { transactions: await of('public.token_transactions', counts?.transactions), entries: await of('public.token_entries', counts?.entries) }
}

export type LedgerDiskUsage = Awaited<ReturnType<typeof ledgerDiskUsage>>
