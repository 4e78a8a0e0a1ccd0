import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { anon, createUsers, expectSqlState, mint, queryAs, service, user } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()
let a: string
let b: string

beforeAll(async () => {
  ;[a, b] = (await createUsers(db().admin, 2)) as [string, string]
  for (const id of [a, b]) {
    await queryAs(db().api, user(id), `select public.record_consent($1, 'terms_of_service', '{v1}')`, [id])
    await mint(db().api, id, 'GEN', '100')
  }
  await queryAs(db().api, user(a), `select public.transfer_tokens($1, $2, 'GEN', 1, $3)`, [a, b, randomUUID()])
})

/** Each user-owned table with the column that says whose a row is. */
const owned = [
  ['users', 'id'],
  ['user_consent', 'user_id'],
  ['consent_history', 'user_id'],
  ['token_balances', 'user_id'],
] as const

describe('row level security', () => {
  it.each(owned)('a user reads only their own rows of %s', async (table, owner) => {
    const rows = await queryAs<{ owner: string }>(db().api, user(a), `select ${owner} as owner from public.${table}`)
    expect(rows.length).toBeGreaterThan(0)
    expect(new Set(rows.map((r) => r.owner))).toEqual(new Set([a]))
  })

  it('a user reads only ledger rows they sent or received', async () => {
    const [c] = await createUsers(db().admin, 1)
    await mint(db().api, c!, 'GEN', '1')
    const rows = await queryAs<{ from_user_id: string | null; to_user_id: string }>(db().api, user(b), 'select from_user_id, to_user_id from public.token_transactions')
    expect(rows.length).toBe(2) // b's mint and a's transfer to b
    for (const r of rows) expect([r.from_user_id, r.to_user_id]).toContain(b)
  })

  it.each(['users', 'user_consent', 'consent_history', 'token_balances', 'token_transactions', 'token_types', 'consent_interaction_types', 'consent_status_transitions'])(
    'anon reads nothing from %s (42501)',
    async (table) => {
      await expectSqlState(queryAs(db().api, anon, `select * from public.${table}`), '42501')
    },
  )

  it('anon cannot read the stats view; authenticated cannot either; service_role can', async () => {
    await expectSqlState(queryAs(db().api, anon, 'select * from private.user_stats'), '42501')
    await expectSqlState(queryAs(db().api, user(a), 'select * from private.user_stats'), '42501')
    await queryAs(db().api, service, 'select public.refresh_user_stats()')
    const rows = await queryAs(db().api, service, 'select total_consents::int, approved_consents::int from private.user_stats where user_id = $1', [a])
    expect(rows).toEqual([{ total_consents: 1, approved_consents: 1 }])
    await expectSqlState(queryAs(db().api, user(a), 'select public.refresh_user_stats()'), '42501')
  })

  it('a user cannot rename another user; renaming themselves works', async () => {
    const renamed = await queryAs(db().api, user(a), `update public.users set display_name = 'mallory' where id = $1 returning id`, [b])
    expect(renamed).toEqual([])
    await queryAs(db().api, user(a), `update public.users set display_name = 'alice' where id = $1`, [a])
    const { rows } = await db().admin.query('select id, display_name from public.users where id = any($1) order by display_name', [[a, b]])
    expect(rows.find((r) => r.id === a)?.display_name).toBe('alice')
    expect(rows.find((r) => r.id === b)?.display_name).not.toBe('mallory')
  })

  it('a user cannot change columns other than display_name of their own profile (42501)', async () => {
    await expectSqlState(queryAs(db().api, user(a), `update public.users set created_at = now() where id = $1`, [a]), '42501')
  })

  it.each([
    ['raise their own balance', `update public.token_balances set balance = balance + 1000 where user_id = $1`],
    ['insert a balance', `insert into public.token_balances (user_id, token_type, balance) values ($1, 'SAP', 1000)`],
    ['delete a balance', `delete from public.token_balances where user_id = $1`],
    ['write the ledger', `insert into public.token_transactions (kind, token_type, to_user_id, amount, idempotency_key) values ('mint', 'GEN', $1, 1000, gen_random_uuid())`],
    ['insert a consent', `insert into public.user_consent (user_id, interaction_type, terms) values ($1, 'terms_of_service', '{x}')`],
    ['approve a consent directly', `update public.user_consent set status = 'withdrawn' where user_id = $1`],
    ['delete a consent', `delete from public.user_consent where user_id = $1`],
    ['write the consent history', `insert into public.consent_history (consent_id, user_id, interaction_type, to_status, actor_role) values (gen_random_uuid(), $1, 'x', 'approved', 'authenticated')`],
    ['delete the consent history', `delete from public.consent_history where user_id = $1`],
    ['add a token type', `insert into public.token_types (code, name, tier, parent_code) values ('MINE', 'x', 9, 'SAP') returning $1::uuid`],
    ['delete their profile', `delete from public.users where id = $1`],
    ['call a private function body directly', `select private.mint_tokens($1, 'GEN', 1000, gen_random_uuid())`],
  ])('a user cannot %s (42501)', async (_label, statement) => {
    await expectSqlState(queryAs(db().api, user(a), statement, [a]), '42501')
  })

  it('leaves balances equal to the ledger after all those refusals', async () => {
    const { rows } = await db().admin.query<{ user_id: string; balance: string }>(
      `select user_id, trim_scale(balance)::text as balance from public.token_balances where user_id = any($1) order by token_balances.balance`,
      [[a, b]],
    )
    expect(rows).toEqual([
      { user_id: a, balance: '99' },
      { user_id: b, balance: '101' },
    ])
  })
})
