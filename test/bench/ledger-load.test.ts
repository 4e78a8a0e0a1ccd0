import { describe, expect, it } from 'vitest'
import { LEDGER_START, MINTED, ledgerDiskUsage, loadLedger } from '../../bench/lib/ledger-load.js'
import { checkLedgerInvariants } from '../support/ledger-invariants.js'
import { createUsers, mint, queryAs, user } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()

async function counts(accounts: string[]) {
  const { rows } = await db().admin.query<{ rows: number; entries: number }>(
    `select (select count(*)::int from public.token_transactions where from_user_id = any($1) or to_user_id = any($1)) as rows,
            (select count(*)::int from public.token_entries where user_id = any($1)) as entries`,
    [accounts],
  )
  return rows[0]!
}

const balanceAt = async (account: string, at: string) => (await db().admin.query<{ b: string }>(`select trim_scale(public.token_balance_at('GEN', $1, $2))::text as b`, [at, account])).rows[0]!.b

const second = (s: number) => new Date(Date.parse(LEDGER_START) + s * 1000).toISOString()

describe("the scale benchmark's bulk-loaded ledger", () => {
  it('chains like one the ledger functions wrote, also when grown in steps that end mid-round', async () => {
    const accounts = await createUsers(db().admin, 7, 'scale')
    const admin = db().admin
    // 7 mints, then transfers: 3 rounds and 2 transfers of a fourth; then on to the middle of the 30th.
    expect(await loadLedger(admin, accounts, 30)).toBe(30)
    expect(await counts(accounts)).toEqual({ rows: 30, entries: 7 + 2 * 23 })
    expect((await checkLedgerInvariants(admin)).violations).toEqual([])
    expect(await loadLedger(admin, accounts, 212)).toBe(182)
    expect(await counts(accounts)).toEqual({ rows: 212, entries: 7 + 2 * 205 })
    expect((await checkLedgerInvariants(admin)).violations).toEqual([])
    // Transfer 1 (one second in) moves 1 from the first account to the second; transfer 8 opens the
    // second round, moving 2 from the first account again.
    expect(await balanceAt(accounts[0]!, second(0))).toBe(String(MINTED))
    expect(await balanceAt(accounts[0]!, second(1))).toBe(String(MINTED - 1))
    expect(await balanceAt(accounts[1]!, second(1))).toBe(String(MINTED + 1))
    expect(await balanceAt(accounts[0]!, second(7))).toBe(String(MINTED))
    expect(await balanceAt(accounts[0]!, second(8))).toBe(String(MINTED - 2))
  })

  it('leaves the accounts usable by the ledger functions: the next transfer continues each chain', async () => {
    const accounts = await createUsers(db().admin, 3, 'scale')
    await loadLedger(db().admin, accounts, 20)
    await mint(db().api, accounts[2]!, 'GEN', '5')
    await queryAs(db().api, user(accounts[0]!), `select public.transfer_tokens($1, $2, 'GEN', 10, gen_random_uuid())`, [accounts[0], accounts[1]])
    expect((await checkLedgerInvariants(db().admin)).violations).toEqual([])
    const { rows } = await db().admin.query<{ version: string }>(`select version::text from public.token_balances where user_id = $1 and token_type = 'GEN'`, [accounts[0]])
    // Its mint; of the 17 transfers, a send and a receive in each of 5 rounds of three and the send
    // opening the sixth; then the new transfer.
    expect(rows[0]!.version).toBe(String(1 + 11 + 1))
  })

  it('reports what a ledger row and an entry take on disk', async () => {
    const usage = await ledgerDiskUsage(db().admin)
    for (const t of [usage.transactions, usage.entries]) {
      expect(t.rows).toBeGreaterThan(0)
      // Both tables have indexes, and a row's share is the table's and its indexes' bytes over the rows.
      expect(t.tableBytes).toBeGreaterThan(0)
      expect(t.indexBytes).toBeGreaterThan(0)
      expect(t.bytesPerRow).toBe(Math.round((t.tableBytes + t.indexBytes) / t.rows))
    }
    // Counts the caller knows stand in for counting.
    expect(await ledgerDiskUsage(db().admin, { transactions: usage.transactions.rows, entries: usage.entries.rows })).toEqual(usage)
  })
})
