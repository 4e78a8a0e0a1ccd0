import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { checkLedgerInvariants } from '../support/ledger-invariants.js'
import { anon, createUsers, expectSqlState, mint, queryAs, service, user, type Requester } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()

interface Reply {
  applied: boolean
  replayed?: boolean
  transactions?: Array<{ id: string; from_user_id: string; to_user_id: string; amount: string; memo: string | null; kind: string; created_at: string }>
  failed_index?: number
  error?: { code: string; message: string; details: string | null; hint: string | null }
}

const batch = (who: Requester, transfers: unknown, key: unknown = randomUUID()) =>
  queryAs<{ r: Reply }>(db().api, who, 'select public.transfer_tokens_batch($1::jsonb, $2) as r', [JSON.stringify(transfers), key]).then((rows) => rows[0]!.r)

async function balances(users: string[], token = 'GEN'): Promise<string[]> {
  const { rows } = await db().admin.query<{ b: string }>(
    'select coalesce(trim_scale(b.balance)::text, $3) as b from unnest($1::uuid[]) with ordinality u (id, n) left join public.token_balances b on b.user_id = u.id and b.token_type = $2 order by u.n',
    [users, token, '0'],
  )
  return rows.map((r) => r.b)
}

async function ledgerRows(): Promise<number> {
  const { rows } = await db().admin.query<{ n: string }>('select count(*) as n from public.token_transactions')
  return Number(rows[0]!.n)
}

describe('public.transfer_tokens_batch', () => {
  it('applies every transfer of a user’s batch in one call, in order, each a ledger row with its entries', async () => {
    const [a, b, c] = await createUsers(db().admin, 3)
    await mint(db().api, a!, 'GEN', '100')
    const reply = await batch(user(a!), [
      { to: b, token_type: 'GEN', amount: '10', memo: 'one' },
      { to: c, token_type: 'GEN', amount: '2.5' },
      { to: b, token_type: 'GEN', amount: 1 },
    ])
    expect(reply).toMatchObject({ applied: true, replayed: false })
    // The reply carries the ledger rows, in order, exact amounts as text.
    expect(reply.transactions!.map((t) => [t.from_user_id, t.to_user_id, t.amount, t.memo, t.kind])).toEqual([
      [a, b, '10.000000000000000000', 'one', 'transfer'],
      [a, c, '2.500000000000000000', null, 'transfer'],
      [a, b, '1.000000000000000000', null, 'transfer'],
    ])
    const ids = reply.transactions!.map((t) => t.id)
    const { rows } = await db().admin.query('select id from public.token_transactions where id = any($1) order by array_position($1, id)', [ids])
    expect(rows.map((r) => r.id)).toEqual(ids)
    expect(await balances([a!, b!, c!])).toEqual(['86.5', '11', '2.5'])
    expect((await checkLedgerInvariants(db().admin)).violations).toEqual([])
  })

  it('applies nothing when one transfer fails: the reply names it with its documented error', async () => {
    const [a, b, c] = await createUsers(db().admin, 3)
    await mint(db().api, a!, 'GEN', '10')
    const before = await ledgerRows()
    const reply = await batch(user(a!), [
      { to: b, token_type: 'GEN', amount: '6' },
      { to: c, token_type: 'GEN', amount: '6' },
      { to: b, token_type: 'GEN', amount: '1' },
    ])
    expect(reply).toMatchObject({ applied: false, failed_index: 1, error: { code: 'VT006' } })
    expect(reply.error!.message).toContain('insufficient balance')
    expect(await balances([a!, b!, c!])).toEqual(['10', '0', '0'])
    expect(await ledgerRows()).toBe(before)
    // The receiver's account the lock pass created is undone with the rest.
    const { rows } = await db().admin.query('select 1 from public.token_balances where user_id = $1', [c])
    expect(rows).toEqual([])
  })

  it('attributes each kind of refusal to its item', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '10')
    const cases: Array<[unknown, string]> = [
      [{ to: randomUUID(), token_type: 'GEN', amount: '1' }, 'VA002'],
      [{ to: b, token_type: 'NOPE', amount: '1' }, 'VT001'],
      [{ to: b, token_type: 'GEN', amount: '0' }, 'VT003'],
      [{ to: a, token_type: 'GEN', amount: '1' }, 'VT005'],
      [{ from: b, to: a, token_type: 'GEN', amount: '1' }, '42501'],
      [{ to: b, token_type: 'GEN', amount: '1', memo: 'x'.repeat(501) }, 'VT008'],
      [{ token_type: 'GEN', amount: '1' }, 'V0001'],
    ]
    for (const [item, code] of cases) {
      const reply = await batch(user(a!), [{ to: b, token_type: 'GEN', amount: '1' }, item])
      expect(reply, code).toMatchObject({ applied: false, failed_index: 1, error: { code } })
    }
    expect(await balances([a!, b!])).toEqual(['10', '0'])
  })

  it('is idempotent as a whole: the same batch replays its ids, a different one under the key is refused', async () => {
    const [a, b, c] = await createUsers(db().admin, 3)
    await mint(db().api, a!, 'GEN', '100')
    const key = randomUUID()
    const transfers = [
      { to: b, token_type: 'GEN', amount: '1.50' },
      { to: c, token_type: 'GEN', amount: '2' },
    ]
    const first = await batch(user(a!), transfers, key)
    const again = await batch(user(a!), [{ ...transfers[0], amount: '1.5' }, transfers[1]], key)
    expect(again).toEqual({ ...first, replayed: true })
    expect(await balances([a!, b!, c!])).toEqual(['96.5', '1.5', '2'])
    const conflict = await expectSqlState(batch(user(a!), [transfers[0]], key), 'VT007')
    expect(conflict.detail).toContain('different batch')
    // Another user's key space is their own.
    await mint(db().api, b!, 'GEN', '5')
    expect(await batch(user(b!), [{ to: c, token_type: 'GEN', amount: '1' }], key)).toMatchObject({ applied: true, replayed: false })
  })

  it('lets a failed batch’s key be used again once it can apply', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    const key = randomUUID()
    const transfers = [{ to: b, token_type: 'GEN', amount: '3' }]
    expect(await batch(user(a!), transfers, key)).toMatchObject({ applied: false, failed_index: 0, error: { code: 'VT006' } })
    await mint(db().api, a!, 'GEN', '3')
    expect(await batch(user(a!), transfers, key)).toMatchObject({ applied: true })
    expect(await balances([a!, b!])).toEqual(['0', '3'])
  })

  it('lets the service role send from anyone, and no one without a user or the service role', async () => {
    const [a, b, c] = await createUsers(db().admin, 3)
    await mint(db().api, a!, 'GEN', '10')
    await mint(db().api, b!, 'SAP', '10')
    const reply = await batch(service, [
      { from: a, to: c, token_type: 'GEN', amount: '4' },
      { from: b, to: c, token_type: 'SAP', amount: '3' },
    ])
    expect(reply).toMatchObject({ applied: true })
    expect([...(await balances([a!, c!])), ...(await balances([b!, c!], 'SAP'))]).toEqual(['6', '4', '7', '3'])
    expect(await batch(service, [{ to: c, token_type: 'GEN', amount: '1' }])).toMatchObject({ applied: false, failed_index: 0, error: { code: 'V0001' } })
    await expectSqlState(batch(anon, [{ to: c, token_type: 'GEN', amount: '1' }]), '42501')
  })

  it('refuses a malformed batch as a whole (invalid_batch), before anything moves', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '1000')
    const one = { to: b, token_type: 'GEN', amount: '1' }
    for (const transfers of [[], Array.from({ length: 101 }, () => one), { to: b }, [one, 'x'], [{ ...one, extra: 1 }], [{ ...one, to: 'not-a-uuid' }], [{ ...one, amount: 'ten' }]]) {
      await expectSqlState(batch(user(a!), transfers), 'VT013')
    }
    await expectSqlState(batch(user(a!), [one], null), 'V0001')
    expect(
      await batch(
        user(a!),
        Array.from({ length: 100 }, () => one),
      ),
    ).toMatchObject({ applied: true })
    expect(await balances([a!, b!])).toEqual(['900', '100'])
  })

  it('checks each transfer as if the ones before had applied: a sender may spend what the batch paid it', async () => {
    const [a, b, c] = await createUsers(db().admin, 3)
    await mint(db().api, a!, 'GEN', '5')
    const chained = [
      { from: a, to: b, token_type: 'GEN', amount: '5' },
      { from: b, to: c, token_type: 'GEN', amount: '5' },
    ]
    expect(await batch(service, chained)).toMatchObject({ applied: true })
    expect(await balances([a!, b!, c!])).toEqual(['0', '0', '5'])
    // The first transfer that cannot apply is the one named, whatever is wrong with later ones.
    const reply = await batch(service, [
      { from: c, to: a, token_type: 'GEN', amount: '6' },
      { from: c, to: randomUUID(), token_type: 'GEN', amount: '1' },
    ])
    expect(reply).toMatchObject({ applied: false, failed_index: 0, error: { code: 'VT006', details: 'available 5, requested 6' } })
  })

  it('keeps each scope’s keys apart: a service batch and a user’s batch under one key are two batches', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '100')
    const key = randomUUID()
    const item = { to: b, token_type: 'GEN', amount: '5' }
    expect(await batch(user(a!), [item], key)).toMatchObject({ applied: true, replayed: false })
    expect(await batch(service, [{ ...item, from: a }], key)).toMatchObject({ applied: true, replayed: false })
    expect(await balances([a!, b!])).toEqual(['90', '10'])
    // A ledger key a caller could compute from the batch's key is not the one its transfers use.
    const { rows } = await db().admin.query('select count(*)::int as n from public.token_transactions where from_user_id = $1 and idempotency_key = md5($2 || $3)::uuid', [a, key, ':0'])
    expect(rows[0].n).toBe(0)
  })

  it('refuses values of the wrong JSON type in a transfer (invalid_batch)', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '10')
    const one = { to: b, token_type: 'GEN', amount: '1' }
    for (const item of [
      { ...one, memo: { x: 1 } },
      { ...one, memo: 5 },
      { ...one, to: 5 },
      { ...one, token_type: ['GEN'] },
      { ...one, amount: true },
    ]) {
      await expectSqlState(batch(user(a!), [item]), 'VT013')
    }
    expect(await batch(user(a!), [{ ...one, amount: 1, memo: null }])).toMatchObject({ applied: true })
  })

  it('locks a sender’s account it creates with the others: no deadlock with a batch that creates it', async () => {
    for (let round = 0; round < 10; round++) {
      const [v, x, y, w, y2] = await createUsers(db().admin, 5)
      await mint(db().api, v!, 'GEN', '10')
      await mint(db().api, w!, 'GEN', '10')
      // x has no account: one batch credits it, the other spends from it, both over y.
      const replies = await Promise.all([
        batch(service, [
          { from: w, to: y2, token_type: 'GEN', amount: '1' },
          { from: x, to: y, token_type: 'GEN', amount: '1' },
        ]),
        batch(service, [
          { from: v, to: x, token_type: 'GEN', amount: '1' },
          { from: v, to: y, token_type: 'GEN', amount: '1' },
        ]),
      ])
      expect(replies[1]).toMatchObject({ applied: true })
      // x spends only what the other batch paid it, when that one committed first.
      if (!replies[0].applied) expect(replies[0]).toMatchObject({ failed_index: 1, error: { code: 'VT006' } })
    }
    expect((await checkLedgerInvariants(db().admin)).violations).toEqual([])
  })

  it('never deadlocks: batches over the same accounts in opposite orders, beside single transfers, all apply', async () => {
    const users = await createUsers(db().admin, 6)
    for (const u of users) await mint(db().api, u, 'GEN', '1000')
    const pairs = users.flatMap((from, i) => users.filter((_, j) => j !== i).map((to) => ({ from, to })))
    const runs = Array.from({ length: 24 }, (_, r) => {
      const order = r % 2 === 0 ? pairs : [...pairs].reverse()
      const slice = order
        .slice((r * 5) % pairs.length)
        .concat(order)
        .slice(0, 8)
      return batch(
        service,
        slice.map((p) => ({ ...p, token_type: 'GEN', amount: '1' })),
      )
    })
    const singles = pairs.slice(0, 12).map((p) => queryAs(db().api, service, 'select public.transfer_tokens($1, $2, $3, 1, $4)', [p.from, p.to, 'GEN', randomUUID()]))
    const replies = await Promise.all(runs)
    await Promise.all(singles)
    expect(replies.every((r) => r.applied)).toBe(true)
    const total = (await balances(users)).reduce((sum, b) => sum + Number(b), 0)
    expect(total).toBe(6000)
    expect((await checkLedgerInvariants(db().admin)).violations).toEqual([])
  })
})
