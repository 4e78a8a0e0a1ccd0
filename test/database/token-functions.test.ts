import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { anon, createUsers, expectSqlState, mint, noSub, queryAs, service, user, type Requester } from '../support/requests.js'
import { recordFigure } from '../support/reliability-report.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()

const transfer = (who: Requester, from: unknown, to: unknown, token: unknown, amount: unknown, key: unknown = randomUUID(), memo?: unknown) =>
  queryAs<{ id: string }>(
    db().api,
    who,
    memo === undefined ? 'select public.transfer_tokens($1, $2, $3, $4::numeric, $5) as id' : 'select public.transfer_tokens($1, $2, $3, $4::numeric, $5, $6) as id',
    memo === undefined ? [from, to, token, amount, key] : [from, to, token, amount, key, memo],
  ).then((r) => r[0]!.id)

const mintAs = (who: Requester, to: unknown, token: unknown, amount: unknown, key: unknown = randomUUID(), memo: unknown = null) =>
  queryAs<{ id: string }>(db().api, who, 'select public.mint_tokens($1, $2, $3::numeric, $4, $5) as id', [to, token, amount, key, memo]).then((r) => r[0]!.id)

async function balance(userId: string, token = 'GEN'): Promise<string> {
  const { rows } = await db().admin.query<{ b: string }>('select coalesce((select trim_scale(balance)::text from public.token_balances where user_id = $1 and token_type = $2), $3) as b', [
    userId,
    token,
    '0',
  ])
  return rows[0]!.b
}

beforeAll(async () => {
  // Token types the seed does not have, for the refusals that depend on them.
  await db().admin.query(`insert into public.token_types (code, name, tier, parent_code, decimals, transferable) values
    ('CENT', 'Two decimals', 9, 'SAP', 2, true),
    ('LOCKED', 'Not transferable', 9, 'SCQ', 18, false)`)
})

describe('public.mint_tokens', () => {
  it('credits the receiver and writes one ledger row, as service_role', async () => {
    const [a] = await createUsers(db().admin, 1)
    const id = await mintAs(service, a, 'GEN', '100.5', randomUUID(), 'welcome')
    expect(await balance(a!)).toBe('100.5')
    const { rows } = await db().admin.query('select kind, from_user_id, to_user_id, trim_scale(amount)::text as amount, memo from public.token_transactions where id = $1', [id])
    expect(rows).toEqual([{ kind: 'mint', from_user_id: null, to_user_id: a, amount: '100.5', memo: 'welcome' }])
  })

  it('is idempotent: the same key and arguments return the first id and mint nothing again', async () => {
    const [a] = await createUsers(db().admin, 1)
    const key = randomUUID()
    const first = await mintAs(service, a, 'GEN', '10', key)
    const again = await mintAs(service, a, 'GEN', '10.000', key)
    expect(again).toBe(first)
    expect(await balance(a!)).toBe('10')
  })

  it('refuses the same key with different arguments, naming the field (VT007)', async () => {
    const [a] = await createUsers(db().admin, 1)
    const key = randomUUID()
    await mintAs(service, a, 'GEN', '10', key)
    const error = await expectSqlState(mintAs(service, a, 'GEN', '11', key), 'VT007')
    expect(error.detail).toContain('p_amount')
    expect(await balance(a!)).toBe('10')
  })

  it('is refused to authenticated users and anon (42501), even for themselves', async () => {
    const [a] = await createUsers(db().admin, 1)
    await expectSqlState(mintAs(user(a!), a, 'GEN', '1'), '42501')
    await expectSqlState(mintAs(anon, a, 'GEN', '1'), '42501')
    expect(await balance(a!)).toBe('0')
  })

  it('refuses an unknown user (VA002), an unknown token (VT001), bad amounts (VT003/VT004), a long memo (VT008), null key (V0001)', async () => {
    const [a] = await createUsers(db().admin, 1)
    await expectSqlState(mintAs(service, randomUUID(), 'GEN', '1'), 'VA002')
    await expectSqlState(mintAs(service, a, 'NOPE', '1'), 'VT001')
    await expectSqlState(mintAs(service, a, 'GEN', '0'), 'VT003')
    await expectSqlState(mintAs(service, a, 'CENT', '0.001'), 'VT004')
    await expectSqlState(mintAs(service, a, 'GEN', '1', randomUUID(), 'm'.repeat(501)), 'VT008')
    await expectSqlState(mintAs(service, a, 'GEN', '1', null), 'V0001')
  })

  it('mints a token that cannot be transferred', async () => {
    const [a] = await createUsers(db().admin, 1)
    await mintAs(service, a, 'LOCKED', '5')
    expect(await balance(a!, 'LOCKED')).toBe('5')
  })
})

describe('public.transfer_tokens', () => {
  it('moves tokens from the caller and writes one ledger row', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '100')
    const id = await transfer(user(a!), a, b, 'GEN', '30.25', randomUUID(), 'thanks')
    expect([await balance(a!), await balance(b!)]).toEqual(['69.75', '30.25'])
    const rows = await queryAs(db().api, user(b!), 'select kind, from_user_id, to_user_id, memo from public.token_transactions where id = $1', [id])
    expect(rows).toEqual([{ kind: 'transfer', from_user_id: a, to_user_id: b, memo: 'thanks' }])
  })

  it('keeps amounts exact beyond what a double can hold', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '12345678901234567.123456789012345678')
    await transfer(user(a!), a, b, 'GEN', '0.000000000000000001')
    expect(await balance(a!)).toBe('12345678901234567.123456789012345677')
    expect(await balance(b!)).toBe('0.000000000000000001')
  })

  it("lets service_role move anyone's tokens", async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '5')
    await transfer(service, a, b, 'GEN', '5')
    expect([await balance(a!), await balance(b!)]).toEqual(['0', '5'])
  })

  it('refuses an overdraft and changes nothing (VT006)', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '10')
    const error = await expectSqlState(transfer(user(a!), a, b, 'GEN', '10.000000000000000001'), 'VT006')
    expect(error.detail).toBe('available 10, requested 10.000000000000000001')
    expect([await balance(a!), await balance(b!)]).toEqual(['10', '0'])
    const { rows } = await db().admin.query(`select count(*)::int as n from public.token_transactions where kind = 'transfer' and from_user_id = $1`, [a])
    expect(rows[0]).toEqual({ n: 0 })
  })

  it('refuses a sender without any balance row (VT006)', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await expectSqlState(transfer(user(a!), a, b, 'GEN', '1'), 'VT006')
  })

  it("refuses moving another user's tokens (42501) and anon (42501)", async () => {
    const [a, b, c] = await createUsers(db().admin, 3)
    await mint(db().api, a!, 'GEN', '10')
    await expectSqlState(transfer(user(c!), a, b, 'GEN', '1'), '42501')
    await expectSqlState(transfer(anon, a, b, 'GEN', '1'), '42501')
    expect(await balance(a!)).toBe('10')
  })

  it('refuses without a sub claim (VA001)', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await expectSqlState(transfer(noSub, a, b, 'GEN', '1'), 'VA001')
  })

  it('refuses a self-transfer (VT005), an unknown recipient (VA002), null recipient/key (V0001)', async () => {
    const [a] = await createUsers(db().admin, 1)
    await mint(db().api, a!, 'GEN', '10')
    await expectSqlState(transfer(user(a!), a, a, 'GEN', '1'), 'VT005')
    await expectSqlState(transfer(user(a!), a, randomUUID(), 'GEN', '1'), 'VA002')
    await expectSqlState(transfer(user(a!), a, null, 'GEN', '1'), 'V0001')
    await expectSqlState(transfer(user(a!), a, randomUUID(), 'GEN', '1', null), 'V0001')
  })

  it('refuses unknown (VT001) and non-transferable (VT002) tokens', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'LOCKED', '10')
    await expectSqlState(transfer(user(a!), a, b, 'NOPE', '1'), 'VT001')
    await expectSqlState(transfer(user(a!), a, b, 'LOCKED', '1'), 'VT002')
    await expectSqlState(transfer(user(a!), a, b, null, '1'), 'V0001')
  })

  it.each([['0'], ['-1'], ['NaN'], ['Infinity'], ['-Infinity'], ['1e20'], ['1e1000']])('refuses the amount %s (VT003)', async (amount) => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '10')
    await expectSqlState(transfer(user(a!), a, b, 'GEN', amount), 'VT003')
  })

  it('refuses a null amount (V0001) and more decimals than the token allows (VT004)', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'CENT', '10')
    await mint(db().api, a!, 'GEN', '10')
    await expectSqlState(transfer(user(a!), a, b, 'GEN', null), 'V0001')
    await expectSqlState(transfer(user(a!), a, b, 'CENT', '0.001'), 'VT004')
    await expectSqlState(transfer(user(a!), a, b, 'GEN', '0.0000000000000000001'), 'VT004')
    await transfer(user(a!), a, b, 'CENT', '0.010')
    expect(await balance(b!, 'CENT')).toBe('0.01')
  })

  it('refuses a memo over 500 characters (VT008)', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '10')
    await expectSqlState(transfer(user(a!), a, b, 'GEN', '1', randomUUID(), 'm'.repeat(501)), 'VT008')
  })

  it('replays the same key and arguments: same id, tokens moved once', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '10')
    const key = randomUUID()
    const first = await transfer(user(a!), a, b, 'GEN', '4', key, 'rent')
    const second = await transfer(user(a!), a, b, 'GEN', '4.0', key, 'rent')
    expect(second).toBe(first)
    expect([await balance(a!), await balance(b!)]).toEqual(['6', '4'])
  })

  it.each([
    ['p_amount', (a: string, b: string) => [a, b, 'GEN', '5', 'rent']],
    ['p_to_user_id', (a: string, _b: string, c: string) => [a, c, 'GEN', '4', 'rent']],
    ['p_token_type', (a: string, b: string) => [a, b, 'SAP', '4', 'rent']],
    ['p_memo', (a: string, b: string) => [a, b, 'GEN', '4', 'other']],
  ] as const)('refuses the same key with a different %s (VT007)', async (field, args) => {
    const [a, b, c] = await createUsers(db().admin, 3)
    await mint(db().api, a!, 'GEN', '10')
    await mint(db().api, a!, 'SAP', '10')
    const key = randomUUID()
    await transfer(user(a!), a, b, 'GEN', '4', key, 'rent')
    const [from, to, token, amount, memo] = args(a!, b!, c!)
    const error = await expectSqlState(transfer(user(a!), from, to, token, amount, key, memo), 'VT007')
    expect(error.detail).toBe(`differs from the first request in: ${field}`)
    expect(await balance(a!)).toBe('6')
  })

  it('a key is scoped to its sender: the same key from another user is a request of its own', async () => {
    const [a, b, c] = await createUsers(db().admin, 3)
    await mint(db().api, a!, 'GEN', '10')
    await mint(db().api, b!, 'GEN', '10')
    const key = randomUUID()
    const first = await transfer(user(b!), b, c, 'GEN', '3', key, 'rent')
    // a knows (or guesses) b's key and uses it with other arguments: no conflict, nothing about b's request.
    const own = await transfer(user(a!), a, c, 'GEN', '5', key, 'other')
    expect(own).not.toBe(first)
    expect([await balance(a!), await balance(b!), await balance(c!)]).toEqual(['5', '7', '8'])
    // Each sender's retry still replays its own request.
    expect(await transfer(user(a!), a, c, 'GEN', '5', key, 'other')).toBe(own)
    expect(await transfer(user(b!), b, c, 'GEN', '3', key, 'rent')).toBe(first)
    expect([await balance(a!), await balance(b!), await balance(c!)]).toEqual(['5', '7', '8'])
  })

  it("a conflict names only fields of the caller's own earlier request (VT007)", async () => {
    const [a, b, c] = await createUsers(db().admin, 3)
    await mint(db().api, a!, 'GEN', '10')
    await mint(db().api, b!, 'GEN', '10')
    const key = randomUUID()
    await transfer(user(b!), b, c, 'GEN', '3', key, 'secret memo')
    await transfer(user(a!), a, c, 'GEN', '3', key, 'rent')
    const error = await expectSqlState(transfer(user(a!), a, c, 'GEN', '4', key, 'rent'), 'VT007')
    // Compared with a's own request (amount 3, memo 'rent'), not with b's (memo 'secret memo').
    expect(error.detail).toBe('differs from the first request in: p_amount')
  })

  it("the service acting for a user shares that user's scope (same sender, same key)", async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '10')
    const key = randomUUID()
    const first = await transfer(user(a!), a, b, 'GEN', '2', key)
    expect(await transfer(service, a, b, 'GEN', '2', key)).toBe(first)
    await expectSqlState(transfer(service, a, b, 'GEN', '3', key), 'VT007')
    expect(await balance(a!)).toBe('8')
  })

  it("mints keep their own scope: a user's key never blocks or answers a mint", async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '10')
    const key = randomUUID()
    const sent = await transfer(user(a!), a, b, 'GEN', '4', key)
    const minted = await mintAs(service, b, 'GEN', '4', key)
    expect(minted).not.toBe(sent)
    expect(await mintAs(service, b, 'GEN', '4', key)).toBe(minted)
    const error = await expectSqlState(mintAs(service, a, 'GEN', '4', key), 'VT007')
    expect(error.detail).toBe('differs from the first request in: p_to_user_id')
    expect([await balance(a!), await balance(b!)]).toEqual(['6', '8'])
  })

  it("another sender's key can neither block, answer nor reveal a request (Stripe-style scopes)", async () => {
    const [a, b, c] = await createUsers(db().admin, 3)
    await mint(db().api, a!, 'GEN', '1000')
    await mint(db().api, b!, 'GEN', '1000')
    const violations: string[] = []
    const cases = 24
    for (let i = 0; i < cases; i++) {
      const key = randomUUID()
      // b's request, then a's with the same key and arguments that differ from b's in a varying set of fields.
      const theirs = { to: c!, token: 'GEN', amount: '2', memo: `b-${i}` }
      const mine = { to: i % 2 ? c! : b!, token: i % 3 ? 'GEN' : 'SAP', amount: i % 5 ? '3' : '2', memo: i % 4 ? `a-${i}` : `b-${i}` }
      if (mine.token === 'SAP') await mint(db().api, a!, 'SAP', '3')
      const first = await transfer(user(b!), b, theirs.to, theirs.token, theirs.amount, key, theirs.memo)
      const own = await transfer(user(a!), a, mine.to, mine.token, mine.amount, key, mine.memo).catch((e: Error) => e)
      if (own instanceof Error || own === first) {
        violations.push(`case ${i}: a's request was ${own instanceof Error ? `refused (${own.message})` : "answered with b's row"}`)
        continue
      }
      // a's own conflicting retry names what differs from a's request only: here the amount alone.
      const conflict = await transfer(user(a!), a, mine.to, mine.token, '7', key, mine.memo).then(
        () => 'accepted',
        (e: { code?: string; detail?: string }) => (e.code === 'VT007' ? (e.detail ?? '') : `${e.code}`),
      )
      if (conflict !== 'differs from the first request in: p_amount') violations.push(`case ${i}: conflict said ${conflict}`)
    }
    recordFigure('idempotency-scope', {
      area: 'security',
      check: "idempotency keys scoped per sender: another user's key (varying which fields differ) is an independent request, and a conflict names only fields of the caller's own request",
      cases,
      violations: violations.length,
      command: 'npx vitest run test/database/token-functions.test.ts',
      notes: "mints keep their own scope; a service transfer shares its sender's scope; the SDK reads its row back by sender and key",
    })
    expect(violations).toEqual([])
  })

  it('replays concurrent requests with one key: exactly one moves tokens', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '10')
    const key = randomUUID()
    const ids = await Promise.all(Array.from({ length: 8 }, () => transfer(user(a!), a, b, 'GEN', '3', key)))
    expect(new Set(ids).size).toBe(1)
    expect([await balance(a!), await balance(b!)]).toEqual(['7', '3'])
  })
})

describe('every failure a caller can cause has a documented code', () => {
  // The cap: a balance stays below 10^20 (numeric(38, 18) holds at most this).
  const MAX = '99999999999999999999.999999999999999999'
  const outcomes: Array<{ what: string; code: string | undefined; expected: string }> = []
  const refusedWith = async (what: string, call: Promise<unknown>, expected: string) => {
    const code = await call.then(
      () => undefined,
      (e: { code?: string }) => e.code,
    )
    outcomes.push({ what, code, expected })
    expect(code, what).toBe(expected)
  }

  afterAll(() => {
    recordFigure('ledger-documented-errors', {
      area: 'hostile input',
      check: 'ledger failures that used to come back raw: a credit past numeric(38, 18) (22003) and a sender without a profile row (23503) get documented codes',
      cases: outcomes.length,
      violations: outcomes.filter((o) => o.code !== o.expected).length,
      command: 'npx vitest run test/database/token-functions.test.ts',
      notes: 'balance_limit_exceeded (VT011; a balance stays below 10^20, refused before it changes) and unknown_user (VA002), for users and the service role',
    })
  })

  it('refuses a credit that would take a balance past the cap, for transfers and mints, moving nothing (VT011)', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mintAs(service, b, 'GEN', '99999999999999999999')
    await mintAs(service, b, 'GEN', '0.999999999999999999')
    expect(await balance(b!)).toBe(MAX)
    await mintAs(service, a, 'GEN', '10')
    const refused = await expectSqlState(transfer(user(a!), a, b, 'GEN', '0.000000000000000001'), 'VT011')
    // Nothing about the receiver's balance reaches the sender.
    expect(refused.detail ?? '').not.toMatch(/\d{5}/)
    await refusedWith('a transfer past the cap', transfer(user(a!), a, b, 'GEN', '0.000000000000000001'), 'VT011')
    await refusedWith('a service transfer past the cap', transfer(service, a, b, 'GEN', '1'), 'VT011')
    await refusedWith('a mint past the cap', mintAs(service, b, 'GEN', '1'), 'VT011')
    expect([await balance(a!), await balance(b!)]).toEqual(['10', MAX])
    const { rows } = await db().admin.query(`select count(*)::int as n from public.token_transactions where to_user_id = $1`, [b])
    expect(rows[0]).toEqual({ n: 2 })
    // The receiver can still be paid once they have spent some: the cap refused, it did not break the account.
    await transfer(user(b!), b, a, 'GEN', '5')
    await transfer(user(a!), a, b, 'GEN', '5')
    expect(await balance(b!)).toBe(MAX)
  })

  it('refuses a signed-in sender whose id has no profile row with unknown_user, not a raw foreign-key error (VA002)', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await db().admin.query('delete from public.users where id = $1', [a])
    const error = await expectSqlState(transfer(user(a!), a, b, 'GEN', '1'), 'VA002')
    expect(error.detail).toBe('p_from_user_id does not name an existing user')
    await refusedWith('a user without a profile sending', transfer(user(a!), a, b, 'GEN', '1'), 'VA002')
    await refusedWith('the service sending for a user without a profile', transfer(service, a, b, 'GEN', '1'), 'VA002')
    await refusedWith('a mint to a user without a profile', mintAs(service, a, 'GEN', '1'), 'VA002')
    await refusedWith('a transfer to a user without a profile', transfer(user(b!), b, a, 'GEN', '1'), 'VA002')
  })
})

describe('the ledger cannot be edited', () => {
  it('refuses update, delete and truncate even by the table owner (VT009)', async () => {
    const [a] = await createUsers(db().admin, 1)
    const id = await mint(db().api, a!, 'GEN', '1')
    await expectSqlState(db().admin.query(`update public.token_transactions set amount = 2 where id = $1`, [id]), 'VT009')
    await expectSqlState(db().admin.query(`delete from public.token_transactions where id = $1`, [id]), 'VT009')
    await expectSqlState(db().admin.query(`truncate public.token_transactions cascade`), 'VT009')
  })

  it('keeps balances non-negative by constraint even for the owner (23514)', async () => {
    const [a] = await createUsers(db().admin, 1)
    await mint(db().api, a!, 'GEN', '1')
    await expectSqlState(db().admin.query(`update public.token_balances set balance = -1 where user_id = $1`, [a]), '23514')
  })

  it('refuses to delete an account that has ledger history (VT012)', async () => {
    const [a] = await createUsers(db().admin, 1)
    await mint(db().api, a!, 'GEN', '1')
    await expectSqlState(db().admin.query('delete from auth.users where id = $1', [a]), 'VT012')
  })
})

describe('public.token_types', () => {
  it('holds the 3-6-9 catalog', async () => {
    const { rows } = await db().admin.query(`select code, tier, parent_code from public.token_types where code not in ('CENT', 'LOCKED') order by tier, code`)
    expect(rows).toEqual([
      { code: 'GEN', tier: 3, parent_code: null },
      { code: 'SAP', tier: 6, parent_code: 'GEN' },
      { code: 'SCQ', tier: 6, parent_code: 'GEN' },
      { code: 'BSP', tier: 9, parent_code: 'SAP' },
      { code: 'PSP', tier: 9, parent_code: 'SAP' },
      { code: 'SGB', tier: 9, parent_code: 'SCQ' },
      { code: 'SHE', tier: 9, parent_code: 'SCQ' },
      { code: 'SMS', tier: 9, parent_code: 'SAP' },
      { code: 'SPD', tier: 9, parent_code: 'SCQ' },
      { code: 'SSA', tier: 9, parent_code: 'SCQ' },
    ])
  })

  it("enforces that a child's tier is greater than its parent's (VT010) and that only tier 3 is a root (23514)", async () => {
    await expectSqlState(db().admin.query(`insert into public.token_types (code, name, tier, parent_code) values ('BAD', 'x', 6, 'SAP')`), 'VT010')
    await expectSqlState(db().admin.query(`update public.token_types set tier = 9 where code = 'SAP'`), 'VT010')
    await expectSqlState(db().admin.query(`insert into public.token_types (code, name, tier, parent_code) values ('ROOT2', 'x', 6, null)`), '23514')
    await expectSqlState(db().admin.query(`insert into public.token_types (code, name, tier, parent_code) values ('T4', 'x', 4, 'GEN')`), '23514')
    // Tiers rise strictly along parent links, so no cycle can form: a token cannot be its own parent.
    await expectSqlState(db().admin.query(`update public.token_types set parent_code = 'GEN' where code = 'GEN'`), 'VT010')
  })
})
