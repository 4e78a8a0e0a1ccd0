import { readFileSync } from 'node:fs'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listMigrations } from '../../src/tooling/migrations.js'
import { splitStatementsWithOffsets } from '../../src/tooling/split-statements.js'
import { recordFigure } from '../support/reliability-report.js'
import { createUsers, mint, queryAs, user } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()

/**
 * The append-only tables, each with its listed error and its two guarded triggers. Everything below
 * runs as the superuser that applied the migrations and owns the tables: the strongest owner there is
 * short of switching the guard off (on Supabase, the postgres role is weaker: no superuser).
 */
const tables = [
  { table: 'public.consent_history', code: 'VC007', rows: 'consent_history_refuse_change', truncate: 'consent_history_refuse_truncate', at: 'occurred_at' },
  { table: 'public.token_transactions', code: 'VT009', rows: 'token_transactions_refuse_change', truncate: 'token_transactions_refuse_truncate', at: 'created_at' },
  { table: 'public.token_entries', code: 'VT009', rows: 'token_entries_refuse_change', truncate: 'token_entries_refuse_truncate', at: 'created_at' },
  { table: 'public.token_batches', code: 'VT009', rows: 'token_batches_refuse_change', truncate: 'token_batches_refuse_truncate', at: 'created_at' },
] as const

type Table = (typeof tables)[number]

/** Routes around the append-only triggers that the tables' owner had before the guard, one statement list each. */
const attacks: Array<[string, (t: Table) => string[]]> = [
  ['disable trigger, then delete', (t) => [`alter table ${t.table} disable trigger ${t.rows}`, `delete from ${t.table}`]],
  ['disable trigger all, then truncate', (t) => [`alter table ${t.table} disable trigger all`, `truncate ${t.table} cascade`]],
  ['disable trigger user, then update', (t) => [`alter table ${t.table} disable trigger user`, `update ${t.table} set ${t.at} = now()`]],
  ['enable replica trigger, then delete', (t) => [`alter table ${t.table} enable replica trigger ${t.rows}`, `delete from ${t.table}`]],
  ['drop trigger, then delete', (t) => [`drop trigger ${t.rows} on ${t.table}`, `delete from ${t.table}`]],
  ['drop the truncate trigger, then truncate', (t) => [`drop trigger ${t.truncate} on ${t.table}`, `truncate ${t.table} cascade`]],
  [
    'create or replace the trigger so that it never fires, then delete',
    (t) => [`create or replace trigger ${t.rows} before update or delete on ${t.table} for each row when (false) execute function private.refuse_mutation('x')`, `delete from ${t.table}`],
  ],
  ['rename the trigger', (t) => [`alter trigger ${t.rows} on ${t.table} rename to renamed`]],
  ['rename the table', (t) => [`alter table ${t.table} rename to renamed`]],
  ['move the table to another schema', (t) => [`alter table ${t.table} set schema private`]],
  ['drop the table', (t) => [`drop table ${t.table} cascade`]],
  ['session_replication_role = replica, then delete', (t) => [`set local session_replication_role = replica`, `delete from ${t.table}`]],
  ['session_replication_role = replica, then truncate', (t) => [`set local session_replication_role = replica`, `truncate ${t.table} cascade`]],
  ['session_replication_role = replica, then disable trigger', (t) => [`set local session_replication_role = replica`, `alter table ${t.table} disable trigger ${t.rows}`]],
  // DDL that changes stored values without firing a row trigger (20261208100100_guard_append_only_rewrites.sql).
  ['rewrite every row: alter column type using another value', (t) => [`alter table ${t.table} alter column ${t.at} type timestamptz using ${t.at} + interval '1 day'`]],
  ['rewrite every row: set unlogged', (t) => [`alter table ${t.table} set unlogged`]],
  ['drop a column and its values', (t) => [`alter table ${t.table} drop column ${t.at} cascade`]],
]

/** Runs `statements` in one transaction on one connection as the superuser; always rolls back. */
async function inTransaction(statements: string[], check?: (c: pg.PoolClient) => Promise<void>): Promise<unknown> {
  const client = await db().admin.connect()
  try {
    await client.query('begin')
    try {
      for (const s of statements) await client.query(s)
      await check?.(client)
      return undefined
    } catch (error) {
      return error
    }
  } finally {
    await client.query('rollback').catch(() => {})
    client.release()
  }
}

/** What each attack did: refused with the table's listed code and no row changed, or not. */
const outcomes: boolean[] = []

const count = async (table: string) => (await db().admin.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n

describe('the append-only tables, against their owner', () => {
  beforeAll(async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await queryAs(db().api, user(a!), `select public.record_consent($1, 'terms_of_service', '{tos-v1}')`, [a])
    await mint(db().api, a!, 'GEN', '10')
    await mint(db().api, b!, 'GEN', '10')
    await queryAs(db().api, user(a!), `select public.transfer_tokens_batch($1::jsonb, gen_random_uuid())`, [JSON.stringify([{ to: b, token_type: 'GEN', amount: '1' }])])
  })
  afterAll(() => {
    if (outcomes.length === 0) return
    recordFigure('append-only-guard', {
      area: 'security',
      check:
        'append-only ledger, its running balances, the batch record and consent history against their owner (a superuser): every route around the refusing triggers (disable, replica mode, drop, redefine, rename, move, drop the table) and DDL that changes stored values without them (a rewrite, a dropped column) × 4 tables',
      cases: outcomes.length,
      violations: outcomes.filter((refused) => !refused).length,
      command: 'npx vitest run test/database/append-only-guard.test.ts',
      notes: "each refused with VT009 or VC007 and no row changed; documented boundary, also tested: the event trigger's owner (postgres on Supabase) can drop it first",
    })
  })

  describe.each(tables)('$table', (t) => {
    it.each(attacks)(`refuses: %s (${t.code})`, async (_, statements) => {
      const before = await count(t.table)
      expect(before).toBeGreaterThan(0)
      const error = (await inTransaction(statements(t))) as pg.DatabaseError | undefined
      const after = await count(t.table)
      outcomes.push(error?.code === t.code && after === before)
      expect(error?.code, error?.message ?? 'every statement succeeded').toBe(t.code)
      expect(after).toBe(before)
    })

    it('keeps its guarded triggers as created, enabled always', async () => {
      const { rows } = await db().admin.query(`select tgname, tgenabled from pg_trigger where tgrelid = $1::regclass and not tgisinternal order by 1`, [t.table])
      expect(rows).toEqual([
        { tgname: t.rows, tgenabled: 'A' },
        { tgname: t.truncate, tgenabled: 'A' },
      ])
    })
  })

  it("refuses renaming the function both tables' triggers run (VC007, the first it finds broken)", async () => {
    const error = (await inTransaction(['alter function private.refuse_mutation() rename to renamed'])) as pg.DatabaseError | undefined
    outcomes.push(error?.code === 'VC007')
    expect(error?.code, error?.message).toBe('VC007')
    expect(error?.detail).toBe('ALTER FUNCTION would leave public.consent_history without its trigger consent_history_refuse_change, as created and enabled always')
  })

  it('still lets the owner change the tables in ways that keep them append-only', async () => {
    const error = await inTransaction([
      'alter table public.consent_history add column probe text',
      'alter table public.token_transactions alter column memo set statistics 200',
      'create index consent_history_probe_idx on public.consent_history (actor_role)',
      `comment on table public.token_transactions is 'probe'`,
      'alter table public.token_transactions rename column memo to note',
      'alter table public.consent_history owner to postgres',
    ])
    expect(error).toBeUndefined()
  })

  it('lets a role with no access to schema private rewrite its own tables and drop their columns', async () => {
    // The rewrite and column-drop guards run as whoever issues the DDL, for every table.
    const error = await inTransaction([
      'create role avolve_probe_owner',
      'grant create on schema public to avolve_probe_owner',
      'set local role avolve_probe_owner',
      'create table public.probe_owned (x int, y int)',
      'alter table public.probe_owned alter column x type bigint using x * 2',
      'alter table public.probe_owned drop column y',
      'create temporary table probe_temp (x int)',
      'alter table probe_temp alter column x type bigint',
    ])
    expect(error).toBeUndefined()
  })

  it('works in a session with standard_conforming_strings off: other tables rewrite, the ledger still refuses', async () => {
    // The guards run in the DDL's own session, with its settings; a backslash literal there must not
    // depend on them (the statistics refresh runs them too, for its concurrent refresh).
    const ours = await inTransaction([
      'set local standard_conforming_strings = off',
      'create table public.probe_legacy (x int, y int)',
      'alter table public.probe_legacy alter column x type bigint using x * 2',
      'alter table public.probe_legacy drop column y',
      'select public.refresh_user_stats()',
    ])
    expect(ours).toBeUndefined()
    for (const ddl of ['alter table public.token_transactions set unlogged', 'alter table public.token_transactions drop column memo']) {
      const refused = await inTransaction(['set local standard_conforming_strings = off', ddl])
      expect((refused as { code?: string }).code, ddl).toBe('VT009')
    }
  })

  it('lets a session in replica mode insert, as a data-only restore does', async () => {
    const error = await inTransaction([
      'set local session_replication_role = replica',
      `insert into public.consent_history (consent_id, user_id, interaction_type, to_status, actor_role)
       values (gen_random_uuid(), gen_random_uuid(), 'terms_of_service', 'approved', 'restore')`,
    ])
    expect(error).toBeUndefined()
  })

  it.each([
    ['append_only_guard', ['avolve_append_only_guard'], 'avolve_append_only_guard not created'],
    ['guard_append_only_rewrites', ['avolve_append_only_rewrite_guard', 'avolve_append_only_drop_guard'], 'avolve_append_only_rewrite_guard and avolve_append_only_drop_guard not created'],
  ])('%s: its event triggers are left out with a warning, not a failure, where the migrating role may not create them', async (name, triggers, warning) => {
    const migration = listMigrations().find((m) => m.name === name)!
    const [block] = splitStatementsWithOffsets(readFileSync(migration.path, 'utf8')).filter((s) => s.text.includes('do $guard$'))
    expect(block).toBeDefined()
    const warnings: string[] = []
    let guards = -1
    const error = await inTransaction([...triggers.map((e) => `drop event trigger ${e}`), 'create role avolve_probe_migrator', 'set local role avolve_probe_migrator'], async (c) => {
      c.on('notice', (n) => warnings.push(`${n.severity}: ${n.message}`))
      await c.query(block!.text)
      await c.query('reset role')
      guards = (await c.query<{ n: number }>(`select count(*)::int as n from pg_event_trigger where evtname = any($1)`, [triggers])).rows[0]!.n
    })
    expect(error).toBeUndefined()
    expect(guards).toBe(0)
    expect(warnings).toEqual([`WARNING: ${warning}: this role may not create event triggers`])
  })

  // The documented boundary: the guard is only as strong as its owner's restraint. Whoever owns the
  // event trigger (the superuser here, postgres on Supabase) can drop it and then the triggers; no
  // single statement on the table does it.
  it('yields to its own owner, who must first drop the event trigger', async () => {
    let deleted = -1
    const error = await inTransaction(
      ['drop event trigger avolve_append_only_guard', 'alter table public.consent_history disable trigger consent_history_refuse_change', 'delete from public.consent_history'],
      async (c) => {
        deleted = (await c.query<{ n: number }>('select count(*)::int as n from public.consent_history')).rows[0]!.n
      },
    )
    expect(error).toBeUndefined()
    expect(deleted).toBe(0)
    expect(await count('public.consent_history')).toBeGreaterThan(0)
  })
})
