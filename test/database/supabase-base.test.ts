import { describe, expect, it } from 'vitest'
import { anon, createUsers, queryAs, service, user } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()

describe('the Supabase base on plain PostgreSQL', () => {
  it('auth.uid(), auth.role() and auth.jwt() read the request.jwt.claims setting', async () => {
    const [id] = await createUsers(db().admin, 1)
    const [row] = await queryAs(db().api, user(id!), `select auth.uid() as uid, auth.role() as role, auth.jwt() ->> 'aud' as aud`)
    expect(row).toEqual({ uid: id, role: 'authenticated', aud: 'authenticated' })
  })

  it('auth.uid() is null for anon and after a transaction on a reused connection', async () => {
    const [row] = await queryAs(db().api, anon, `select auth.uid() as uid, auth.role() as role`)
    expect(row).toEqual({ uid: null, role: 'anon' })
    const client = await db().admin.connect()
    try {
      await client.query('begin')
      await client.query(`select set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-000000000001"}', true)`)
      await client.query('commit')
      // The setting now reads as '' (not null): auth.uid() must still be null.
      const after = await client.query(`select current_setting('request.jwt.claims', true) as raw, auth.uid() as uid`)
      expect(after.rows[0]).toEqual({ raw: '', uid: null })
    } finally {
      client.release()
    }
  })

  it('service_role bypasses RLS, authenticated does not', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    const asService = await queryAs(db().api, service, `select id from public.users where id = any($1::uuid[])`, [[a, b]])
    expect(asService).toHaveLength(2)
    const asA = await queryAs(db().api, user(a!), `select id from public.users where id = any($1::uuid[])`, [[a, b]])
    expect(asA).toEqual([{ id: a }])
  })

  it('authenticator cannot act as a role it was not granted', async () => {
    await expect(queryAs(db().api, { role: 'postgres' } as never, 'select 1')).rejects.toMatchObject({ code: '42501' })
  })

  it('gives new public tables to the API roles by default, as Supabase did, which migrations must revoke', async () => {
    await db().admin.query('create table public.scratch_default_privileges (id int)')
    try {
      const { rows } = await db().admin.query(`select has_table_privilege('anon', 'public.scratch_default_privileges', 'select') as anon_select`)
      expect(rows[0]).toEqual({ anon_select: true })
    } finally {
      await db().admin.query('drop table public.scratch_default_privileges')
    }
  })
})
