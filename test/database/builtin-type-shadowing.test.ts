import type pg from 'pg'
import { describe, expect, it } from 'vitest'
import { recordFigure } from '../support/reliability-report.js'
import { createUsers, mint } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()

/**
 * The built-in type names a caller can shadow in their temporary schema, which PostgreSQL searches
 * before pg_catalog for type names even under `search_path = ''`: each becomes a domain whose check
 * calls the caller's spy. `record` and the composite shadows cannot carry a check, so they are
 * composite types with a spied column instead.
 */
const shadowedAsDomains = ['text', 'uuid', 'jsonb', 'json', 'oid', 'name', 'int4', 'int8', 'bool', 'timestamptz', 'regclass', 'bytea', 'float8', 'varchar', 'bpchar', 'date']
const shadowedAsComposites = ['record', 'pg_roles', 'pg_trigger', 'pg_proc', 'pg_namespace']

/**
 * The spy: true for the caller's own roles, so that their own statements run; anywhere else (inside
 * a definer function, as its owner) it fails with the role it ran as.
 */
const setUp = [
  `create function pg_temp.spy(v pg_catalog.text) returns boolean language plpgsql as $$
     begin
       if current_user in ('authenticated', 'service_role', 'anon', 'authenticator') then return true; end if;
       raise exception 'spy ran as %', current_user;
     end $$`,
  'create domain pg_temp.spied as pg_catalog.text check (pg_temp.spy(value))',
  ...shadowedAsDomains.map((t) => `create domain pg_temp.${t} as pg_catalog.${t} check (pg_temp.spy(value::pg_catalog.text))`),
  ...shadowedAsComposites.map((t) => `create type pg_temp.${t} as (x pg_temp.spied)`),
]

/** SQL's type keywords: the grammar itself resolves them to pg_catalog, never through the search path. */
const typeKeywords = new Set(['int', 'integer', 'smallint', 'bigint', 'real', 'float', 'decimal', 'dec', 'numeric', 'boolean', 'char', 'character', 'varchar', 'time', 'timestamp', 'interval', 'bit'])

/** A body without its comments and string literals, where names are only text. */
const codeOf = (src: string) => src.replace(/--[^\n]*/g, '').replace(/'(?:[^']|'')*'/g, "''")

type Step = { as: { role: string; sub?: string }; sql: string; values?: unknown[] }

describe('built-in type names shadowed in the caller’s temporary schema', () => {
  it('never reach the definer functions: every function runs as it would without them', async () => {
    const [payer, payee] = await createUsers(db().admin, 2)
    await mint(db().api, payer!, 'GEN', '100')
    const a = { role: 'authenticated', sub: payer! }
    const b = { role: 'authenticated', sub: payee! }
    const service = { role: 'service_role' }
    const c = await db().api.connect()
    const failures: string[] = []
    let calls = 0
    try {
      for (const s of setUp) await c.query(s)
      const run = async ({ as, sql, values = [] }: Step) => {
        calls++
        await c.query('begin')
        await c.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [as.role, JSON.stringify(as)])
        try {
          const { rows } = await c.query(sql, values)
          await c.query('commit')
          return rows[0] as Record<string, unknown>
        } catch (e) {
          await c.query('rollback')
          failures.push(`${sql.slice(0, 60)}: ${(e as pg.DatabaseError).message}`)
          return undefined
        }
      }
      await run({ as: a, sql: `select public.transfer_tokens($1, $2, 'GEN', 1, gen_random_uuid())`, values: [payer, payee] })
      await run({ as: a, sql: `select public.transfer_tokens_batch($1::jsonb, gen_random_uuid())`, values: [JSON.stringify([{ to: payee, token_type: 'GEN', amount: '1', memo: 'm' }])] })
      const captured = await run({ as: a, sql: `select public.hold_tokens($1, $2, 'GEN', 3, 3600, gen_random_uuid()) as id`, values: [payer, payee] })
      await run({ as: b, sql: 'select public.capture_hold($1, 2)', values: [captured?.id] })
      const released = await run({ as: a, sql: `select public.hold_tokens($1, $2, 'GEN', 3, 3600, gen_random_uuid()) as id`, values: [payer, payee] })
      await run({ as: b, sql: 'select public.release_hold($1)', values: [released?.id] })
      await run({ as: a, sql: `select public.hold_tokens($1, $2, 'GEN', 1, 1, gen_random_uuid())`, values: [payer, payee] })
      await run({ as: service, sql: 'select public.release_expired_holds(10)' })
      await run({ as: service, sql: `select public.mint_tokens($1, 'GEN', 5, gen_random_uuid())`, values: [payee] })
      const consent = await run({ as: a, sql: `select public.record_consent($1, 'terms_of_service', '{tos-v1}') as id`, values: [payer] })
      await run({ as: a, sql: `select public.update_consent_status($1, 'withdrawn')`, values: [consent?.id] })
      await run({ as: a, sql: `select public.token_balance_at('GEN', now())` })
      await run({ as: service, sql: 'select public.refresh_user_stats()' })
    } finally {
      c.release(true)
    }
    expect(failures).toEqual([])
    const { rows } = await db().admin.query<{ n: number }>(`select count(*)::int as n from public.token_entries where user_id = $1`, [payee])
    expect(rows[0]!.n).toBeGreaterThanOrEqual(3)
    recordFigure('builtin-type-shadowing', {
      area: 'security',
      check: `every API function called by a session that shadows built-in type names in its temporary schema (${shadowedAsDomains.length} domains whose check calls the caller's function, ${shadowedAsComposites.length} composite types): none of that code runs as the functions' owner, and every call does what it does without them`,
      cases: calls,
      violations: failures.length,
      command: 'npx vitest run test/database/builtin-type-shadowing.test.ts',
    })
  })

  it('is a rule of every function: built-in types qualified, the caller read through private.request_user_id()', async () => {
    const { rows: functions } = await db().admin.query<{ name: string; src: string }>(
      `select n.nspname || '.' || p.proname as name, p.prosrc as src
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname in ('public', 'private') order by 1`,
    )
    const { rows: types } = await db().admin.query<{ typname: string }>(`select typname from pg_type where typnamespace = 'pg_catalog'::regnamespace`)
    const builtIn = new Set(types.map((t) => t.typname).filter((t) => !typeKeywords.has(t)))
    const problems: string[] = []
    for (const f of functions) {
      const code = codeOf(f.src)
      for (const m of code.matchAll(/::\s*([a-z_][a-z0-9_]*)\b(?!\s*\.)/g)) if (builtIn.has(m[1]!)) problems.push(`${f.name}: ::${m[1]}`)
      for (const d of code.matchAll(/^\s*declare\b([\s\S]*?)^\s*begin\b/gim)) {
        for (const m of d[1]!.matchAll(/^\s+[a-z_][a-z0-9_]*\s+([a-z_][a-z0-9_]*)\b(?!\s*\.)/gm)) if (builtIn.has(m[1]!)) problems.push(`${f.name}: declares ${m[1]}`)
      }
      // auth.uid() and its kin name built-in types unqualified in their own bodies (Supabase's).
      if (f.name.startsWith('private.') && /\bauth\.(uid|role|jwt)\s*\(/.test(code)) problems.push(`${f.name}: calls auth.*()`)
    }
    expect(problems).toEqual([])
  })
})
