import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { anon, createUsers, noSub, expectSqlState, queryAs, service, user } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()

const record = (who: Parameters<typeof queryAs>[1], userId: unknown, type: unknown, terms: unknown) =>
  queryAs<{ id: string }>(db().api, who, 'select public.record_consent($1, $2, $3) as id', [userId, type, terms]).then((r) => r[0]!.id)
const setStatus = (who: Parameters<typeof queryAs>[1], id: unknown, status: unknown) => queryAs(db().api, who, 'select public.update_consent_status($1, $2)', [id, status])

async function insertPending(userId: string): Promise<string> {
  const { rows } = await db().admin.query<{ id: string }>(`insert into public.user_consent (user_id, interaction_type, terms, status) values ($1, 'data_sharing', '{t}', 'pending') returning id`, [
    userId,
  ])
  return rows[0]!.id
}

describe('public.record_consent', () => {
  it('records an approved consent for the caller and its creation in the history', async () => {
    const [a] = await createUsers(db().admin, 1)
    const id = await record(user(a!), a, 'terms_of_service', ['tos-v1', 'privacy-v2'])
    const rows = await queryAs(db().api, user(a!), 'select user_id, interaction_type, terms, status from public.user_consent where id = $1', [id])
    expect(rows).toEqual([{ user_id: a, interaction_type: 'terms_of_service', terms: ['tos-v1', 'privacy-v2'], status: 'approved' }])
    const history = await queryAs(db().api, user(a!), 'select from_status, to_status, actor_id, actor_role from public.consent_history where consent_id = $1', [id])
    expect(history).toEqual([{ from_status: null, to_status: 'approved', actor_id: a, actor_role: 'authenticated' }])
  })

  it('lets service_role record for any existing user', async () => {
    const [a] = await createUsers(db().admin, 1)
    const id = await record(service, a, 'privacy_policy', ['p1'])
    const { rows } = await db().admin.query('select c.user_id, h.actor_role from public.user_consent c join public.consent_history h on h.consent_id = c.id where c.id = $1', [id])
    expect(rows).toEqual([{ user_id: a, actor_role: 'service_role' }])
  })

  it('refuses to record for another user (42501)', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await expectSqlState(record(user(a!), b, 'terms_of_service', ['x']), '42501')
  })

  it('refuses anon outright: no EXECUTE (42501)', async () => {
    const [a] = await createUsers(db().admin, 1)
    await expectSqlState(record(anon, a, 'terms_of_service', ['x']), '42501')
  })

  it('refuses an authenticated request without a sub claim (VA001)', async () => {
    const [a] = await createUsers(db().admin, 1)
    await expectSqlState(queryAs(db().api, noSub, 'select public.record_consent($1, $2, $3)', [a, 'terms_of_service', ['x']]), 'VA001')
  })

  it('refuses service_role recording for an unknown user (VA002)', async () => {
    await expectSqlState(record(service, randomUUID(), 'terms_of_service', ['x']), 'VA002')
  })

  it('refuses null arguments (V0001)', async () => {
    const [a] = await createUsers(db().admin, 1)
    await expectSqlState(record(user(a!), null, 'terms_of_service', ['x']), 'V0001')
    await expectSqlState(record(user(a!), a, null, ['x']), 'V0001')
    await expectSqlState(record(user(a!), a, 'terms_of_service', null), 'V0001')
  })

  it('refuses an unknown interaction type (VC001)', async () => {
    const [a] = await createUsers(db().admin, 1)
    await expectSqlState(record(user(a!), a, 'marketing_spam', ['x']), 'VC001')
  })

  it.each([
    ['empty', []],
    ['a null term', ['ok', null]],
    ['a blank term', ['  ']],
    ['too many terms', Array.from({ length: 101 }, (_, i) => `t${i}`)],
    ['a term over 10000 characters', ['x'.repeat(10_001)]],
  ])('refuses invalid terms: %s (VC002)', async (_label, terms) => {
    const [a] = await createUsers(db().admin, 1)
    await expectSqlState(record(user(a!), a, 'terms_of_service', terms), 'VC002')
  })

  it('refuses a multi-dimensional terms array (VC002)', async () => {
    const [a] = await createUsers(db().admin, 1)
    await expectSqlState(queryAs(db().api, user(a!), `select public.record_consent($1, 'terms_of_service', '{{a,b},{c,d}}'::text[])`, [a]), 'VC002')
  })
})

describe('public.update_consent_status', () => {
  it('moves the owner through pending -> approved -> withdrawn, each change in the history', async () => {
    const [a] = await createUsers(db().admin, 1)
    const id = await insertPending(a!)
    await setStatus(user(a!), id, 'approved')
    await setStatus(user(a!), id, 'withdrawn')
    const history = await queryAs(db().api, user(a!), 'select from_status, to_status from public.consent_history where consent_id = $1 order by id', [id])
    expect(history).toEqual([
      { from_status: null, to_status: 'pending' },
      { from_status: 'pending', to_status: 'approved' },
      { from_status: 'approved', to_status: 'withdrawn' },
    ])
  })

  it('allows pending -> rejected', async () => {
    const [a] = await createUsers(db().admin, 1)
    const id = await insertPending(a!)
    await setStatus(user(a!), id, 'rejected')
    const { rows } = await db().admin.query('select status from public.user_consent where id = $1', [id])
    expect(rows[0]).toEqual({ status: 'rejected' })
  })

  it.each([
    ['approved', 'approved'],
    ['approved', 'pending'],
    ['approved', 'rejected'],
    ['withdrawn', 'approved'],
    ['rejected', 'approved'],
    ['pending', 'withdrawn'],
  ])('refuses %s -> %s (VC004)', async (from, to) => {
    const [a] = await createUsers(db().admin, 1)
    const { rows } = await db().admin.query<{ id: string }>(`insert into public.user_consent (user_id, interaction_type, terms, status) values ($1, 'data_sharing', '{t}', $2) returning id`, [a, from])
    await expectSqlState(setStatus(user(a!), rows[0]!.id, to), 'VC004')
  })

  it("reports another user's record exactly like a missing one (VC003)", async () => {
    const [a, b] = await createUsers(db().admin, 2)
    const id = await insertPending(a!)
    const other = await expectSqlState(setStatus(user(b!), id, 'approved'), 'VC003')
    const missing = await expectSqlState(setStatus(user(b!), randomUUID(), 'approved'), 'VC003')
    expect(other.message).toBe(missing.message)
    const { rows } = await db().admin.query('select status from public.user_consent where id = $1', [id])
    expect(rows[0]).toEqual({ status: 'pending' })
  })

  it("lets service_role change anyone's record", async () => {
    const [a] = await createUsers(db().admin, 1)
    const id = await insertPending(a!)
    await setStatus(service, id, 'approved')
    const { rows } = await db().admin.query('select actor_role from public.consent_history where consent_id = $1 and to_status = $2', [id, 'approved'])
    expect(rows).toEqual([{ actor_role: 'service_role' }])
  })

  it('refuses an unknown status (VC005), null arguments (V0001), anon (42501), no sub (VA001)', async () => {
    const [a] = await createUsers(db().admin, 1)
    const id = await insertPending(a!)
    await expectSqlState(setStatus(user(a!), id, 'maybe'), 'VC005')
    await expectSqlState(setStatus(user(a!), null, 'approved'), 'V0001')
    await expectSqlState(setStatus(user(a!), id, null), 'V0001')
    await expectSqlState(setStatus(anon, id, 'approved'), '42501')
    await expectSqlState(queryAs(db().api, noSub, 'select public.update_consent_status($1, $2)', [id, 'approved']), 'VA001')
  })
})

describe('consent records and their history cannot be edited', () => {
  it('refuses edits of anything but the status, even by the table owner (VC006)', async () => {
    const [a] = await createUsers(db().admin, 1)
    const id = await record(user(a!), a, 'terms_of_service', ['v1'])
    await expectSqlState(db().admin.query(`update public.user_consent set terms = '{v2}' where id = $1`, [id]), 'VC006')
  })

  it('refuses a disallowed status change even by the table owner (VC004)', async () => {
    const [a] = await createUsers(db().admin, 1)
    const id = await record(user(a!), a, 'terms_of_service', ['v1'])
    await expectSqlState(db().admin.query(`update public.user_consent set status = 'pending' where id = $1`, [id]), 'VC004')
  })

  it('refuses updating, deleting or truncating the history, even by the table owner (VC007)', async () => {
    const [a] = await createUsers(db().admin, 1)
    const id = await record(user(a!), a, 'terms_of_service', ['v1'])
    await expectSqlState(db().admin.query(`update public.consent_history set to_status = 'rejected' where consent_id = $1`, [id]), 'VC007')
    await expectSqlState(db().admin.query(`delete from public.consent_history where consent_id = $1`, [id]), 'VC007')
    await expectSqlState(db().admin.query(`truncate public.consent_history`), 'VC007')
  })

  it('keeps the history when the account is deleted', async () => {
    const [a] = await createUsers(db().admin, 1)
    const id = await record(user(a!), a, 'terms_of_service', ['v1'])
    await db().admin.query('delete from auth.users where id = $1', [a])
    const { rows } = await db().admin.query('select count(*)::int as n from public.consent_history where consent_id = $1', [id])
    expect(rows[0]).toEqual({ n: 1 })
  })
})
