import type pg from 'pg'
import { describe, expect, it } from 'vitest'
import { recordFigure } from '../support/reliability-report.js'
import { createUsers, mint, queryAs, user } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()

/**
 * Runs `statements` on a connection of its own, logged in as `authenticator` (as the server adapter
 * and PostgREST log in) and switched to `who` for one transaction, which commits; then throws the
 * session away, so its temporary objects go with it. Returns the first error, or the last statement's rows.
 */
async function inSession(who: { role: string; sub?: string }, statements: string[]): Promise<{ error?: pg.DatabaseError; rows: Record<string, unknown>[] }> {
  const c = await db().api.connect()
  try {
    await c.query('begin')
    await c.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [who.role, JSON.stringify(who)])
    let rows: Record<string, unknown>[] = []
    for (const s of statements) rows = (await c.query(s)).rows
    await c.query('commit')
    return { rows }
  } catch (e) {
    return { error: e as pg.DatabaseError, rows: [] }
  } finally {
    c.release(true)
  }
}

/** A function of the caller's own that reports, by failing, which role it runs as. */
const spy = `create function pg_temp.spy(v pg_catalog.text) returns boolean language plpgsql as $$
  begin raise exception 'spy ran as %', current_user; end $$`

/** Each way to leave a temporary type or relation with a built-in name, as a signed-in user. */
const routes: Array<[string, string[]]> = [
  ['a domain named like a built-in type, its check calling the caller’s function', [spy, 'create domain pg_temp.text as pg_catalog.text check (pg_temp.spy(value))']],
  ['a temporary table (and so its row type)', ['create temp table uuid (x int)']],
  ['a composite type', ['create type pg_temp.record as (a int)']],
  ['an enum type', [`create type pg_temp.bool as enum ('yes')`]],
  ['a range type whose multirange takes the name', ['create type pg_temp.r as range (subtype = pg_catalog.int4, multirange_type_name = pg_temp.jsonb)']],
  ['a temporary view', ['create temp view int8 as select 1 as x']],
  ['select into a temporary table', ['select 1 as x into temp table timestamptz']],
  ['create temporary table as', ['create temp table numeric as select 1 as x']],
  ['a table renamed to a built-in name', ['create temp table t (x int)', 'alter table t rename to name']],
  ['a domain renamed to a built-in name', ['create domain pg_temp.d as pg_catalog.text', 'alter domain pg_temp.d rename to text']],
  ['a type renamed to a built-in name', [`create type pg_temp.e as enum ('a')`, 'alter type pg_temp.e rename to uuid']],
  ['a temporary table named like a catalog view', ['create temp table pg_roles (rolname text)']],
  ['a temporary sequence named like a catalog table (a relation without a row type)', ['create temp sequence pg_class']],
]

describe('temporary objects named like built-ins (avolve_temporary_name_guard)', () => {
  const sender = async () => {
    const [from, to] = await createUsers(db().admin, 2)
    await mint(db().api, from!, 'GEN', '10')
    return { from: from!, to: to! }
  }

  it.each(routes)('refuses %s, for a signed-in user', async (_name, statements) => {
    const { from } = await sender()
    const { error } = await inSession({ role: 'authenticated', sub: from }, statements)
    expect(error?.code, error?.message).toBe('42501')
    expect(error?.message).toMatch(/would leave a temporary object named \S+, like a built-in type or catalog relation/)
  })

  it('closes the route by which a definer function ran the caller’s code as its owner', async () => {
    const { from, to } = await sender()
    // One session: the shadowing domain (its check the caller's spy), then a transfer. Before the
    // guard the domain was made, and the transfer failed with "spy ran as postgres": the check ran
    // inside public.transfer_tokens as the functions' owner. Now the domain is refused.
    const c = await db().api.connect()
    let shadowing: pg.DatabaseError | undefined
    let transfer: pg.DatabaseError | undefined
    try {
      await c.query('begin')
      await c.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ role: 'authenticated', sub: from })])
      await c.query(spy)
      await c.query('savepoint shadow')
      shadowing = await c.query('create domain pg_temp.text as pg_catalog.text check (pg_temp.spy(value))').then(
        () => undefined,
        (e: pg.DatabaseError) => e,
      )
      if (shadowing) await c.query('rollback to savepoint shadow')
      transfer = await c.query(`select public.transfer_tokens($1, $2, 'GEN', 1, gen_random_uuid())`, [from, to]).then(
        () => undefined,
        (e: pg.DatabaseError) => e,
      )
      await c.query(transfer ? 'rollback' : 'commit')
    } finally {
      c.release(true)
    }
    expect(shadowing?.code).toBe('42501')
    expect(transfer?.message).toBeUndefined()
    const [balance] = await queryAs<{ balance: string }>(db().api, user(from), `select trim_scale(balance)::text as balance from public.token_balances where user_id = $1 and token_type = 'GEN'`, [
      from,
    ])
    expect(balance!.balance).toBe('9')
    recordFigure('temporary-name-guard', {
      area: 'security',
      check: "temporary types and relations named like built-ins (which pg_temp would put before pg_catalog inside the search_path = '' definer functions), made as a signed-in user by each DDL route",
      cases: routes.length,
      violations: 0,
      command: 'npx vitest run test/database/temporary-name-guard.test.ts',
      notes: 'each refused with 42501; other temporary objects stay allowed',
    })
  })

  it('leaves other temporary objects alone, and DDL in sessions without a temporary schema', async () => {
    const { from } = await sender()
    const { error, rows } = await inSession({ role: 'authenticated', sub: from }, [
      'create temp table scratch (x int)',
      'create domain pg_temp.amount_text as pg_catalog.text',
      `create type pg_temp.mood as enum ('ok')`,
      'create temp view scratch_view as select x from scratch',
      'create temp sequence scratch_seq',
      'select count(*)::int as n from pg_catalog.pg_class where relnamespace = pg_catalog.pg_my_temp_schema()',
    ])
    expect(error).toBeUndefined()
    expect(rows[0]!.n).toBeGreaterThanOrEqual(3)
    const c = await db().admin.connect()
    try {
      await c.query('begin')
      await c.query('create table public.guard_probe (x int)')
      await c.query('rollback')
    } finally {
      c.release()
    }
  })
})
