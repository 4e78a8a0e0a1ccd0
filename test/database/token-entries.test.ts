import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { checkLedgerInvariants } from '../support/ledger-invariants.js'
import { createUsers, expectSqlState, mint, queryAs, service, user, type Requester } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()

const transfer = (who: Requester, from: string, to: string, amount: string, key: string = randomUUID(), token = 'GEN') =>
  queryAs<{ id: string }>(db().api, who, 'select public.transfer_tokens($1, $2, $3, $4::numeric, $5) as id', [from, to, token, amount, key]).then((r) => r[0]!.id)

interface Entry {
  version: string
  transaction_id: string
  amount: string
  balance_after: string
}

async function entries(userId: string, token = 'GEN'): Promise<Entry[]> {
  const { rows } = await db().admin.query<Entry>(
    `select version::text, transaction_id, trim_scale(amount)::text as amount, trim_scale(balance_after)::text as balance_after
     from public.token_entries where user_id = $1 and token_type = $2 order by token_entries.version`,
    [userId, token],
  )
  return rows
}

/** The database's clock now: an instant strictly after everything committed so far. */
const instant = async () => (await db().admin.query<{ at: string }>('select clock_timestamp()::text as at')).rows[0]!.at

const balanceAt = (who: Requester, token: string | null, at: string | null, userId?: string | null) =>
  queryAs<{ b: string | null }>(
    db().api,
    who,
    userId === undefined ? 'select trim_scale(public.token_balance_at($1, $2))::text as b' : 'select trim_scale(public.token_balance_at($1, $2, $3))::text as b',
    userId === undefined ? [token, at] : [token, at, userId],
  ).then((r) => r[0]!.b)

describe("running balances: an entry per movement, with the account's version and the balance after it", () => {
  it('records every movement of each account, in the same transaction as the ledger row', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    const minted = await mint(db().api, a!, 'GEN', '100')
    const first = await transfer(user(a!), a!, b!, '30')
    const back = await transfer(user(b!), b!, a!, '5.5')
    expect(await entries(a!)).toEqual([
      { version: '1', transaction_id: minted, amount: '100', balance_after: '100' },
      { version: '2', transaction_id: first, amount: '-30', balance_after: '70' },
      { version: '3', transaction_id: back, amount: '5.5', balance_after: '75.5' },
    ])
    expect(await entries(b!)).toEqual([
      { version: '1', transaction_id: first, amount: '30', balance_after: '30' },
      { version: '2', transaction_id: back, amount: '-5.5', balance_after: '24.5' },
    ])
    const { rows } = await db().admin.query(`select user_id, version::text, trim_scale(balance)::text as balance from public.token_balances where user_id = any($1) order by version`, [[a, b]])
    expect(rows).toEqual([
      { user_id: b, version: '2', balance: '24.5' },
      { user_id: a, version: '3', balance: '75.5' },
    ])
    expect((await checkLedgerInvariants(db().admin)).violations).toEqual([])
  })

  it('writes nothing for a refused or replayed request: no entry, no version', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '10')
    const key = randomUUID()
    const id = await transfer(user(a!), a!, b!, '4', key)
    expect(await transfer(user(a!), a!, b!, '4', key)).toBe(id)
    await expectSqlState(transfer(user(a!), a!, b!, '7'), 'VT006')
    await expectSqlState(transfer(user(a!), a!, b!, '5', key), 'VT007')
    await expectSqlState(transfer(user(a!), a!, randomUUID(), '1'), 'VA002')
    expect((await entries(a!)).map((e) => e.version)).toEqual(['1', '2'])
    expect((await entries(b!)).map((e) => e.version)).toEqual(['1'])
    expect((await checkLedgerInvariants(db().admin)).violations).toEqual([])
  })

  it("keeps each account's entries in time order, so a later entry is never dated before an earlier one", async () => {
    const [a, b, c] = await createUsers(db().admin, 3)
    await mint(db().api, a!, 'GEN', '1000')
    await Promise.all(Array.from({ length: 24 }, (_, i) => transfer(user(a!), a!, i % 2 ? b! : c!, '1')))
    const { rows } = await db().admin.query<{ ordered: boolean }>(
      `select bool_and(created_at >= previous) as ordered from (
         select created_at, lag(created_at) over (partition by user_id order by version) as previous
         from public.token_entries where user_id = any($1)) e where previous is not null`,
      [[a, b, c]],
    )
    expect(rows[0]!.ordered).toBe(true)
    expect((await entries(a!)).map((e) => e.balance_after).at(-1)).toBe('976')
  })
})

describe('public.token_balance_at', () => {
  it('gives the balance at any past instant: after every movement at or before it, 0 before the first', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    const before = await instant()
    await mint(db().api, a!, 'GEN', '100')
    const afterMint = await instant()
    await transfer(user(a!), a!, b!, '40')
    const afterTransfer = await instant()
    await transfer(user(b!), b!, a!, '15')
    const now = await instant()
    expect(await balanceAt(user(a!), 'GEN', before)).toBe('0')
    expect(await balanceAt(user(a!), 'GEN', afterMint)).toBe('100')
    expect(await balanceAt(user(a!), 'GEN', afterTransfer)).toBe('60')
    expect(await balanceAt(user(a!), 'GEN', now)).toBe('75')
    expect(await balanceAt(user(b!), 'GEN', afterTransfer)).toBe('40')
    expect(await balanceAt(user(b!), 'GEN', now)).toBe('25')
    expect(await balanceAt(user(a!), 'SAP', now)).toBe('0')
  })

  it('answers for the caller only; the service role names the user; a missing argument gives null', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '8')
    const now = await instant()
    expect(await balanceAt(service, 'GEN', now, a!)).toBe('8')
    expect(await balanceAt(user(a!), 'GEN', now, a!)).toBe('8')
    // Another user's balance is not theirs to see: row level security leaves them nothing to sum.
    expect(await balanceAt(user(b!), 'GEN', now, a!)).toBe('0')
    expect(await balanceAt(service, 'GEN', now)).toBeNull()
    expect(await balanceAt(user(a!), null, now)).toBeNull()
    expect(await balanceAt(user(a!), 'GEN', null)).toBeNull()
  })

  it('is refused to anon (42501)', async () => {
    await expectSqlState(queryAs(db().api, { role: 'anon' }, `select public.token_balance_at('GEN', now())`), '42501')
  })
})

describe('public.token_entries', () => {
  it("shows a user their own entries only: the other party of a transfer sees nothing of the sender's side", async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '50')
    const id = await transfer(user(a!), a!, b!, '20')
    const seenBy = (who: string) =>
      queryAs<{ user_id: string; balance_after: string }>(db().api, user(who), `select user_id, trim_scale(balance_after)::text as balance_after from public.token_entries where transaction_id = $1`, [
        id,
      ])
    expect(await seenBy(a!)).toEqual([{ user_id: a, balance_after: '30' }])
    expect(await seenBy(b!)).toEqual([{ user_id: b, balance_after: '20' }])
  })

  it('is append-only, for its owner too (VT009)', async () => {
    const [a] = await createUsers(db().admin, 1)
    await mint(db().api, a!, 'GEN', '1')
    await expectSqlState(db().admin.query('update public.token_entries set amount = 2 where user_id = $1', [a]), 'VT009')
    await expectSqlState(db().admin.query('delete from public.token_entries where user_id = $1', [a]), 'VT009')
    await expectSqlState(db().admin.query('truncate public.token_entries'), 'VT009')
  })

  it('keeps the account of every entry: deleting, truncating or re-keying an account with history is refused (VT012)', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '1')
    await expectSqlState(db().admin.query('delete from auth.users where id = $1', [a]), 'VT012')
    await expectSqlState(db().admin.query('delete from public.token_balances where user_id = $1', [a]), 'VT012')
    await expectSqlState(db().admin.query('update public.token_balances set user_id = $2 where user_id = $1', [a, b]), 'VT012')
    await expectSqlState(db().admin.query(`update public.token_balances set token_type = 'SAP' where user_id = $1`, [a]), 'VT012')
    await expectSqlState(db().admin.query('truncate public.token_balances cascade'), 'VT012')
    // A user who never moved tokens can still be deleted.
    await db().admin.query('delete from auth.users where id = $1', [b])
  })
})

describe('the reads of running balances use the account index', () => {
  it('balance at an instant is one probe, and a statement page one range, at 40,000 entries', async () => {
    const [a] = await createUsers(db().admin, 1)
    // Many accounts' history written straight in (as an import would), so the planner sees real sizes.
    await db().admin.query(`
      insert into public.token_entries (user_id, token_type, version, transaction_id, amount, balance_after, created_at)
      select u, 'GEN', v, gen_random_uuid(), 1, v, now() - interval '1 day' + v * interval '1 second'
      from (select gen_random_uuid() as u from generate_series(1, 200)) users, generate_series(1, 200) v`)
    await mint(db().api, a!, 'GEN', '5')
    await db().admin.query('analyze public.token_entries')
    const plan = async (sql: string, values: unknown[]) => (await queryAs<{ 'QUERY PLAN': string }>(db().api, user(a!), `explain ${sql}`, values)).map((r) => r['QUERY PLAN']).join('\n')
    const at = await plan(
      `select e.balance_after from public.token_entries e where e.user_id = $1 and e.token_type = $2 and e.created_at <= $3
       order by e.created_at desc, e.version desc limit 1`,
      [a, 'GEN', new Date().toISOString()],
    )
    expect(at).toMatch(/Index Scan Backward using token_entries_pkey/)
    expect(at).not.toMatch(/Sort|Seq Scan/)
    const page = await plan(
      `select * from public.token_entries e where e.user_id = $1 and e.token_type = $2 and (e.created_at, e.version) > ($3, $4) and e.created_at <= $5
       order by e.created_at, e.version limit 50`,
      [a, 'GEN', new Date(0).toISOString(), 0, new Date().toISOString()],
    )
    expect(page).toMatch(/Index Scan using token_entries_pkey/)
    expect(page).not.toMatch(/Sort|Seq Scan/)
  })
})
