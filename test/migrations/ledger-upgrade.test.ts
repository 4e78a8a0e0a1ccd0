import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyMigrations, applySupabaseBase, listMigrations, rollbackMigrations } from '../../src/tooling/migrations.js'
import { checkLedgerInvariants } from '../support/ledger-invariants.js'
import { createUsers, mint, queryAs, user } from '../support/requests.js'
import { createTestDatabase } from '../support/test-database.js'

/** The migration that adds running balances, and what came before it. */
const ENTRIES = '20261207110200'
const migrations = listMigrations()
const before = migrations.filter((m) => m.version < ENTRIES)
const from = migrations.filter((m) => m.version >= ENTRIES)

describe('upgrading a ledger with history to running balances', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>
  let client: pg.Client
  let users: string[]

  const balances = async () =>
    (
      await db.admin.query<{ user_id: string; token_type: string; balance: string }>(
        'select user_id, token_type, trim_scale(balance)::text as balance from public.token_balances order by user_id, token_type',
      )
    ).rows
  const ledger = async () => (await db.admin.query<{ id: string }>('select id from public.token_transactions order by id')).rows.map((r) => r.id)

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true })
    client = new pg.Client({ connectionString: db.adminUrl })
    await client.connect()
    await applySupabaseBase(client)
    await applyMigrations(client, before)
    // History made by the functions of before the upgrade: mints, transfers both ways, concurrent ones.
    users = await createUsers(db.admin, 4, 'upgrade')
    for (const u of users) await mint(db.api, u, 'GEN', '1000')
    await mint(db.api, users[0]!, 'SAP', '50.5')
    const send = (a: number, b: number, amount: string, token = 'GEN') =>
      queryAs(db.api, user(users[a]!), 'select public.transfer_tokens($1, $2, $3, $4::numeric, $5)', [users[a], users[b], token, amount, randomUUID()])
    await send(0, 1, '12.25', 'SAP')
    await Promise.all(Array.from({ length: 40 }, (_, i) => send(i % 4, (i + 1 + (i % 3)) % 4, `${(i % 7) + 1}.5`)))
  })
  afterAll(async () => {
    await client.end()
    await db.drop()
  })

  it("backfills every account's running balances from the ledger, losing nothing, and the chain holds", async () => {
    const balancesBefore = await balances()
    const ledgerBefore = await ledger()
    expect(ledgerBefore).toHaveLength(4 + 1 + 1 + 40)

    await applyMigrations(client, from)

    expect(await balances()).toEqual(balancesBefore)
    expect(await ledger()).toEqual(ledgerBefore)
    expect((await checkLedgerInvariants(db.admin)).violations).toEqual([])
    // One entry per side of each row: 5 mints and 41 transfers.
    const { rows } = await db.admin.query<{ n: number }>('select count(*)::int as n from public.token_entries')
    expect(rows[0]!.n).toBe(5 + 2 * 41)
    // Each account's version counts its movements; its balance now, from the entries alone, is its balance.
    const { rows: accounts } = await db.admin.query<{ ok: boolean }>(
      `select bool_and(b.version = (select count(*) from public.token_entries e where e.user_id = b.user_id and e.token_type = b.token_type)
                       and public.token_balance_at(b.token_type, now(), b.user_id) = b.balance) as ok
       from public.token_balances b`,
    )
    expect(accounts[0]!.ok).toBe(true)
  })

  it('chains the transfers made after the upgrade onto the backfilled history', async () => {
    const { rows } = await db.admin.query<{ version: string }>(`select version::text from public.token_balances where user_id = $1 and token_type = 'GEN'`, [users[2]])
    await queryAs(db.api, user(users[2]!), `select public.transfer_tokens($1, $2, 'GEN', 1, $3)`, [users[2], users[3], randomUUID()])
    const { rows: after } = await db.admin.query<{ version: string }>(`select version::text from public.token_balances where user_id = $1 and token_type = 'GEN'`, [users[2]])
    expect(BigInt(after[0]!.version)).toBe(BigInt(rows[0]!.version) + 1n)
    expect((await checkLedgerInvariants(db.admin)).violations).toEqual([])
  })

  it('rolls back to the ledger without entries and upgrades again, balances unchanged', async () => {
    const balancesBefore = await balances()
    const ledgerBefore = await ledger()
    await rollbackMigrations(client, from)
    expect(await balances()).toEqual(balancesBefore)
    expect(await ledger()).toEqual(ledgerBefore)
    await applyMigrations(client, from)
    expect(await balances()).toEqual(balancesBefore)
    expect((await checkLedgerInvariants(db.admin)).violations).toEqual([])
  })

  it('refuses to finish on a ledger whose balances do not match its rows', async () => {
    await rollbackMigrations(client, from)
    // A balance the ledger does not explain (written by hand, as no function could).
    await db.admin.query(`update public.token_balances set balance = balance + 1 where user_id = $1 and token_type = 'GEN'`, [users[1]])
    await expect(applyMigrations(client, from)).rejects.toThrow(/the ledger does not chain/)
    await db.admin.query(`update public.token_balances set balance = balance - 1 where user_id = $1 and token_type = 'GEN'`, [users[1]])
    await applyMigrations(client, from)
    expect((await checkLedgerInvariants(db.admin)).violations).toEqual([])
  })
})
