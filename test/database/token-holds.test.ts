import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { checkLedgerInvariants } from '../support/ledger-invariants.js'
import { anon, asRequester, createUsers, expectSqlState, mint, queryAs, service, user, type Requester } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()

const hold = (who: Requester, from: unknown, to: unknown, amount: unknown, seconds: unknown = 3600, key: unknown = randomUUID(), token = 'GEN') =>
  queryAs<{ id: string }>(db().api, who, 'select public.hold_tokens($1, $2, $3, $4::numeric, $5, $6) as id', [from, to, token, amount, seconds, key]).then((r) => r[0]!.id)
const capture = (who: Requester, id: unknown, amount?: string) =>
  queryAs<{ id: string }>(
    db().api,
    who,
    amount === undefined ? 'select public.capture_hold($1) as id' : 'select public.capture_hold($1, $2::numeric) as id',
    amount === undefined ? [id] : [id, amount],
  ).then((r) => r[0]!.id)
const release = (who: Requester, id: unknown) => queryAs<{ id: string }>(db().api, who, 'select public.release_hold($1) as id', [id]).then((r) => r[0]!.id)
const transfer = (who: Requester, from: string, to: string, amount: string) => queryAs(db().api, who, `select public.transfer_tokens($1, $2, 'GEN', $3::numeric, $4)`, [from, to, amount, randomUUID()])

async function account(userId: string): Promise<{ balance: string; held: string; available: string }> {
  const { rows } = await db().admin.query(
    `select trim_scale(balance)::text as balance, trim_scale(held)::text as held, trim_scale(available)::text as available from public.token_balances where user_id = $1 and token_type = 'GEN'`,
    [userId],
  )
  return rows[0] ?? { balance: '0', held: '0', available: '0' }
}

async function holdRow(id: string) {
  const { rows } = await db().admin.query(`select status::text, trim_scale(captured_amount)::text as captured from public.token_holds where id = $1`, [id])
  return rows[0]
}

/** Moves a hold's expiry into the past, as time passing would. */
const expire = (id: string) => db().admin.query(`update public.token_holds set expires_at = now() - interval '1 second' where id = $1`, [id])

describe('holds: two-phase transfers', () => {
  it('a hold reserves the amount: held and available move, the balance stays, and transfers spend only what is available', async () => {
    const [payer, payee, other] = await createUsers(db().admin, 3)
    await mint(db().api, payer!, 'GEN', '100')
    const id = await hold(user(payer!), payer, payee, '30')
    expect(await account(payer!)).toEqual({ balance: '100', held: '30', available: '70' })
    expect(await holdRow(id)).toEqual({ status: 'pending', captured: null })
    await expectSqlState(transfer(user(payer!), payer!, other!, '71'), 'VT006')
    await transfer(user(payer!), payer!, other!, '70')
    await expectSqlState(hold(user(payer!), payer, payee, '1'), 'VT006')
    expect(await account(payer!)).toEqual({ balance: '30', held: '30', available: '0' })
    expect((await checkLedgerInvariants(db().admin)).violations).toEqual([])
  })

  it('a capture posts all or part to the payee and releases the rest; a hold resolves once', async () => {
    const [payer, payee] = await createUsers(db().admin, 2)
    await mint(db().api, payer!, 'GEN', '100')
    const full = await hold(user(payer!), payer, payee, '30')
    const part = await hold(user(payer!), payer, payee, '20')
    expect(await capture(user(payee!), full)).toBe(full)
    expect(await capture(user(payee!), part, '5')).toBe(part)
    expect(await account(payer!)).toEqual({ balance: '65', held: '0', available: '65' })
    expect(await account(payee!)).toEqual({ balance: '35', held: '0', available: '35' })
    expect(await holdRow(part)).toEqual({ status: 'captured', captured: '5' })
    // The same capture again replays; any other resolution is refused.
    expect(await capture(user(payee!), part, '5')).toBe(part)
    await expectSqlState(capture(user(payee!), part, '6'), 'VT015')
    await expectSqlState(release(user(payee!), full), 'VT015')
    expect(await account(payee!)).toEqual({ balance: '35', held: '0', available: '35' })
    const kinds = await db().admin.query(`select kind::text, trim_scale(amount)::text as amount from public.token_transactions where hold_id = $1 order by created_at`, [part])
    expect(kinds.rows).toEqual([
      { kind: 'hold', amount: '20' },
      { kind: 'capture', amount: '5' },
    ])
    expect((await checkLedgerInvariants(db().admin)).violations).toEqual([])
  })

  it('who may: the payee or the service captures and releases; the payer releases only after expiry; others see nothing', async () => {
    const [payer, payee, stranger] = await createUsers(db().admin, 3)
    await mint(db().api, payer!, 'GEN', '100')
    const id = await hold(user(payer!), payer, payee, '10')
    await expectSqlState(capture(user(payer!), id), '42501')
    await expectSqlState(release(user(payer!), id), '42501')
    await expectSqlState(capture(user(stranger!), id), 'VT014')
    await expectSqlState(release(user(stranger!), id), 'VT014')
    await expectSqlState(capture(user(payee!), randomUUID()), 'VT014')
    await expectSqlState(capture(anon, id), '42501')
    const { length } = await queryAs(db().api, user(stranger!), 'select 1 from public.token_holds where id = $1', [id])
    expect(length).toBe(0)
    expect(await queryAs(db().api, user(payee!), 'select status::text from public.token_holds where id = $1', [id])).toEqual([{ status: 'pending' }])
    await expire(id)
    await expectSqlState(capture(user(payee!), id), 'VT016')
    await expectSqlState(capture(service, id), 'VT016')
    expect(await release(user(payer!), id)).toBe(id)
    expect(await release(user(payer!), id)).toBe(id) // a replay
    expect(await holdRow(id)).toEqual({ status: 'released', captured: null })
    expect(await account(payer!)).toEqual({ balance: '100', held: '0', available: '100' })
    // The service role may do both, on anyone's hold; and hold from anyone.
    const other = await hold(service, payer, payee, '7')
    expect(await capture(service, other, '7')).toBe(other)
    expect(await account(payee!)).toEqual({ balance: '7', held: '0', available: '7' })
    await expectSqlState(hold(user(payee!), payer, payee, '1'), '42501')
  })

  it('refuses bad holds with documented codes, and is idempotent per payer and key', async () => {
    const [payer, payee] = await createUsers(db().admin, 2)
    await mint(db().api, payer!, 'GEN', '100')
    await expectSqlState(hold(user(payer!), payer, payee, '1', 0), 'VT017')
    await expectSqlState(hold(user(payer!), payer, payee, '1', 2592001), 'VT017')
    await expectSqlState(hold(user(payer!), payer, payer, '1'), 'VT005')
    await expectSqlState(hold(user(payer!), payer, randomUUID(), '1'), 'VA002')
    // A signed-in payer without a profile row: their own id passes the caller check, not the payer check.
    const profileless = randomUUID()
    await expectSqlState(hold(user(profileless), profileless, payee, '1'), 'VA002')
    await expectSqlState(hold(user(payer!), payer, payee, '0'), 'VT003')
    await expectSqlState(hold(user(payer!), payer, payee, '1', 60, null), 'V0001')
    await expectSqlState(hold(user(payer!), payer, payee, '1', 60, randomUUID(), 'NOPE'), 'VT001')
    const key = randomUUID()
    const first = await hold(user(payer!), payer, payee, '10', 60, key)
    expect(await hold(user(payer!), payer, payee, '10.0', 60, key)).toBe(first)
    await expectSqlState(hold(user(payer!), payer, payee, '11', 60, key), 'VT007')
    // Another expiry is another request: refused, and the first hold keeps its own.
    await expectSqlState(hold(user(payer!), payer, payee, '10', 600, key), 'VT007')
    const { rows } = await db().admin.query(`select extract(epoch from expires_at - created_at)::int as seconds from public.token_holds where id = $1`, [first])
    expect(rows[0]).toEqual({ seconds: 60 })
    expect(await account(payer!)).toEqual({ balance: '100', held: '10', available: '90' })
    await expectSqlState(capture(user(payee!), first, '10.5'), 'VT003')
  })

  it('the sweep releases expired pending holds in bounded batches, and only the service role may run it', async () => {
    const [payer, payee] = await createUsers(db().admin, 2)
    await mint(db().api, payer!, 'GEN', '100')
    const ids = [await hold(user(payer!), payer, payee, '1'), await hold(user(payer!), payer, payee, '2'), await hold(user(payer!), payer, payee, '3')]
    const live = await hold(user(payer!), payer, payee, '4')
    for (const id of ids) await expire(id)
    await expectSqlState(queryAs(db().api, user(payer!), 'select public.release_expired_holds(10)'), '42501')
    const sweep = (limit: number) => queryAs<{ n: number }>(db().api, service, 'select public.release_expired_holds($1) as n', [limit]).then((r) => r[0]!.n)
    expect(await sweep(2)).toBe(2)
    expect(await sweep(10)).toBeGreaterThanOrEqual(1)
    for (const id of ids) expect(await holdRow(id)).toEqual({ status: 'expired', captured: null })
    expect(await holdRow(live)).toEqual({ status: 'pending', captured: null })
    expect(await account(payer!)).toEqual({ balance: '100', held: '4', available: '96' })
    expect((await checkLedgerInvariants(db().admin)).violations).toEqual([])
  })

  it('a hold and its resolution are ledger movements with their versions and running balances', async () => {
    const [payer, payee] = await createUsers(db().admin, 2)
    await mint(db().api, payer!, 'GEN', '50')
    const id = await hold(user(payer!), payer, payee, '20')
    await capture(user(payee!), id, '15')
    const { rows } = await db().admin.query(
      `select e.version::int, t.kind::text, trim_scale(e.amount)::text as amount, trim_scale(e.balance_after)::text as balance, trim_scale(e.held_after)::text as held
       from public.token_entries e join public.token_transactions t on t.id = e.transaction_id
       where e.user_id = $1 and e.token_type = 'GEN' order by e.version`,
      [payer],
    )
    expect(rows).toEqual([
      { version: 1, kind: 'mint', amount: '50', balance: '50', held: '0' },
      { version: 2, kind: 'hold', amount: '0', balance: '50', held: '20' },
      { version: 3, kind: 'capture', amount: '-15', balance: '35', held: '0' },
    ])
  })

  it('someone who is no party to a hold cannot lock it: its capture goes through while their transaction stays open', async () => {
    const [payer, payee, stranger] = await createUsers(db().admin, 3)
    await mint(db().api, payer!, 'GEN', '10')
    const id = await hold(user(payer!), payer, payee, '4')
    await asRequester(db().api, user(stranger!), async (c) => {
      // The stranger's attempt fails, and the transaction stays open: the hold was locked by the
      // lookup, but the error aborts the transaction at once, which releases its locks then.
      await expectSqlState(c.query('select public.release_hold($1)', [id]), 'VT014')
      // Meanwhile the payee captures; with the hold still locked this would wait out lock_timeout.
      const captured = await asRequester(db().api, user(payee!), async (p) => {
        await p.query(`set local lock_timeout = '2s'`)
        return (await p.query('select public.capture_hold($1) as id', [id])).rows[0].id
      })
      expect(captured).toBe(id)
    })
    expect(await holdRow(id)).toEqual({ status: 'captured', captured: '4' })
  })

  it('expiry is read from the clock, not from when the transaction began: a transaction opened before it cannot capture after it', async () => {
    const [payer, payee] = await createUsers(db().admin, 2)
    await mint(db().api, payer!, 'GEN', '10')
    const id = await hold(user(payer!), payer, payee, '4')
    const early = await hold(user(payer!), payer, payee, '3')
    // Runs `sql` as `who` in a transaction whose now() is fixed before `ids` expire, after they have.
    const afterExpiry = (who: Requester, ids: string[], sql: string, values: unknown[]) =>
      asRequester(db().api, who, async (c) => {
        await c.query('select now()')
        await db().admin.query(`update public.token_holds set expires_at = clock_timestamp() where id = any($1)`, [ids])
        return (await c.query(sql, values)).rows[0]
      })
    await expectSqlState(afterExpiry(user(payee!), [id, early], 'select public.capture_hold($1)', [id]), 'VT016')
    // Released by the payer once expired, and swept, by the same clock.
    expect(await afterExpiry(user(payer!), [id], 'select public.release_hold($1) as id', [id])).toEqual({ id })
    expect((await afterExpiry(service, [early], 'select public.release_expired_holds() as n', [])).n).toBeGreaterThanOrEqual(1)
    expect(await holdRow(id)).toEqual({ status: 'released', captured: null })
    expect(await holdRow(early)).toEqual({ status: 'expired', captured: null })
    const { rows } = await db().admin.query(`select bool_and(resolved_at >= expires_at) as after from public.token_holds where id = any($1)`, [[id, early]])
    expect(rows[0].after).toBe(true)
    expect(await account(payer!)).toEqual({ balance: '10', held: '0', available: '10' })
  })

  it('a capture that waited for the accounts past the expiry is refused, and moves nothing', async () => {
    const [payer, payee] = await createUsers(db().admin, 2)
    await mint(db().api, payer!, 'GEN', '10')
    const id = await hold(user(payer!), payer, payee, '4', 2)
    // The payer's account locked (as a transfer in flight would) until the hold has expired.
    const blocker = await db().admin.connect()
    try {
      await blocker.query('begin')
      await blocker.query(`select from public.token_balances where user_id = $1 for update`, [payer])
      const captured = capture(user(payee!), id).then(
        () => undefined,
        (e: { code?: string }) => e.code,
      )
      await new Promise((r) => setTimeout(r, 2500))
      await blocker.query('commit')
      expect(await captured).toBe('VT016')
    } finally {
      blocker.release()
    }
    expect(await holdRow(id)).toEqual({ status: 'pending', captured: null })
    expect(await account(payer!)).toEqual({ balance: '10', held: '4', available: '6' })
    // Released by its payer, so that no other test's sweep finds it.
    await release(user(payer!), id)
    expect(await account(payer!)).toEqual({ balance: '10', held: '0', available: '10' })
  })

  it('a payer cannot block a hold’s capture or release by taking its ledger keys first', async () => {
    const [payer, payee, friend] = await createUsers(db().admin, 3)
    await mint(db().api, payer!, 'GEN', '100')
    const id = await hold(user(payer!), payer, payee, '50')
    // Keys a payer could derive from the hold's id: nothing the hold's movements use.
    for (const kind of ['hold', 'capture', 'release']) await queryAs(db().api, user(payer!), `select public.transfer_tokens($1, $2, 'GEN', 1, md5($3 || ':' || $4)::uuid)`, [payer, friend, id, kind])
    expect(await capture(user(payee!), id, '10')).toBe(id)
    expect(await account(payee!)).toEqual({ balance: '10', held: '0', available: '10' })
  })

  it('the sweep takes its payers’ accounts in the global order: no deadlock beside transfers both ways', async () => {
    const users = await createUsers(db().admin, 6)
    for (const u of users) await mint(db().api, u, 'GEN', '1000')
    for (let round = 0; round < 3; round++) {
      const ids: string[] = []
      for (const [i, u] of users.entries()) ids.push(await hold(user(u), u, users[(i + 1) % users.length], '1'))
      for (const id of ids) await expire(id)
      const transfers = users.flatMap((u, i) => [transfer(user(u), u, users[(i + 1) % users.length]!, '1'), transfer(user(u), u, users[(i + 5) % users.length]!, '1')])
      const [swept] = await Promise.all([queryAs<{ n: number }>(db().api, service, 'select public.release_expired_holds(100) as n').then((r) => r[0]!.n), ...transfers])
      expect(swept).toBe(users.length)
    }
    expect((await checkLedgerInvariants(db().admin)).violations).toEqual([])
  })

  it('concurrent captures, releases and the sweep of one hold resolve it exactly once', async () => {
    for (let round = 0; round < 5; round++) {
      const [payer, payee] = await createUsers(db().admin, 2)
      await mint(db().api, payer!, 'GEN', '10')
      const id = await hold(user(payer!), payer, payee, '10', 1)
      const outcomes = await Promise.allSettled([capture(user(payee!), id), release(user(payee!), id), capture(service, id), queryAs(db().api, service, 'select public.release_expired_holds(100)')])
      const row = await holdRow(id)
      const paid = (await account(payee!)).balance
      expect(['captured', 'released', 'expired']).toContain(row!.status)
      expect(paid).toBe(row!.status === 'captured' ? '10' : '0')
      for (const o of outcomes) if (o.status === 'rejected') expect(['VT015', 'VT016']).toContain((o.reason as { code: string }).code)
    }
    expect((await checkLedgerInvariants(db().admin)).violations).toEqual([])
  })
})
