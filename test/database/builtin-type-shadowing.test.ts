import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { recordFigure } from '../support/reliability-report.js'
import { asRequester, createUsers, mint, type Requester, service, user } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()

/**
 * The spy: true for the caller's own roles, so that their own statements run; anywhere else (inside
 * a definer function, as its owner) it fails with the role it ran as.
 */
const spy = `create function pg_temp.spy(v pg_catalog.text) returns boolean language plpgsql as $$
  begin
    if current_user in ('authenticated', 'service_role', 'anon', 'authenticator') then return true; end if;
    raise exception 'spy ran as % (%)', current_user, v;
  end $$`

/**
 * Shadows, in the session's temporary schema (which PostgreSQL searches before pg_catalog for type
 * and relation names even under `search_path = ''`), every relation of pg_catalog with a view that
 * calls the spy, and every other type of pg_catalog with a domain whose check calls it (a composite
 * type with a spied column where no domain can be made: `record` and the other pseudo-types).
 * Returns how many names there are, and how many it shadowed.
 */
async function shadowEverything(c: pg.PoolClient): Promise<{ names: number; shadowed: number }> {
  await c.query(spy)
  await c.query('create domain pg_temp.spied as pg_catalog.text check (pg_temp.spy(value))')
  const { rows } = await c.query<{ name: string; relation: boolean }>(
    `select t.typname as name, t.typrelid <> 0 as relation from pg_catalog.pg_type t
     where t.typnamespace = 'pg_catalog'::pg_catalog.regnamespace and t.typname !~ '^_' order by 1`,
  )
  let shadowed = 0
  for (const { name, relation } of rows) {
    const id = `pg_temp."${name}"`
    const tries = relation
      ? [`create view ${id} with (security_invoker) as select pg_temp.spy('relation ${name}') as x`]
      : [`create domain ${id} as pg_catalog."${name}" check (pg_temp.spy('type ${name}'))`, `create type ${id} as (x pg_temp.spied)`]
    for (const sql of tries) {
      await c.query('savepoint shadow')
      const made = await c.query(sql).then(
        () => true,
        () => false,
      )
      await c.query(made ? 'release savepoint shadow' : 'rollback to savepoint shadow')
      if (made) {
        shadowed++
        break
      }
    }
  }
  return { names: rows.length, shadowed }
}

/** SQL's type keywords: the grammar itself resolves them to pg_catalog, never through the search path. */
const typeKeywords = new Set(['int', 'integer', 'smallint', 'bigint', 'real', 'float', 'decimal', 'dec', 'numeric', 'boolean', 'char', 'character', 'varchar', 'time', 'timestamp', 'interval', 'bit'])

/** A body without its comments and string literals, where names are only text. */
const codeOf = (src: string) => src.replace(/--[^\n]*/g, '').replace(/'(?:[^']|'')*'/g, "''")

/**
 * Where a function body (`src`) names a built-in type unqualified: in a cast, `cast(... as t)`, a
 * column definition list, a typed literal or a declaration; or (in schema private) calls auth.*().
 */
function unqualifiedTypes(name: string, src: string, builtIn: Set<string>): string[] {
  const problems: string[] = []
  const code = codeOf(src)
  const flag = (what: string, type: string | undefined) => {
    if (type !== undefined && builtIn.has(type)) problems.push(`${name}: ${what} ${type}`)
  }
  const word = '([a-z_][a-z0-9_]*)\\b(?!\\s*\\.)'
  for (const m of code.matchAll(new RegExp(`::\\s*${word}`, 'g'))) flag('::', m[1])
  // cast(x as t), and a column definition list: ... as f(a t, b u)
  for (const m of code.matchAll(new RegExp(`\\bas\\s+${word}\\s*[)\\[]`, 'gi'))) flag('as', m[1])
  for (const list of code.matchAll(/\bas\s+[a-z_][a-z0-9_]*\s*\(([^()]*)\)/gi)) {
    for (const m of list[1]!.matchAll(new RegExp(`(?:^|,)\\s*[a-z_][a-z0-9_]*\\s+${word}`, 'g'))) flag('column list', m[1])
  }
  // A typed literal: t 'x' (the literal is '' here).
  for (const m of code.matchAll(/\b([a-z_][a-z0-9_]*)\s*''/g)) flag('literal of', m[1])
  // Declarations, one or more a line: name [constant] type.
  for (const d of code.matchAll(/^\s*declare\b([\s\S]*?)^\s*begin\b/gim)) {
    for (const piece of d[1]!.split(';')) flag('declares', new RegExp(`^\\s*[a-z_][a-z0-9_]*\\s+(?:constant\\s+)?${word}`).exec(piece)?.[1])
  }
  // auth.uid() and its kin name built-in types unqualified in their own bodies (Supabase's).
  if (name.startsWith('private.') && /\bauth\.(uid|role|jwt)\s*\(/.test(code)) problems.push(`${name}: calls auth.*()`)
  return problems
}

describe('built-in type names shadowed in the caller’s temporary schema', () => {
  it('never reach the definer functions: every function runs as it would without them', async () => {
    const [payer, payee] = await createUsers(db().admin, 2)
    await mint(db().api, payer!, 'GEN', '100')
    const a = user(payer!)
    const b = user(payee!)
    // One connection, logged in as authenticator, so that every call runs in the session of the shadows.
    const session = new pg.Pool({ connectionString: db().authenticatorUrl, max: 1, idleTimeoutMillis: 0 })
    const failures: string[] = []
    let calls = 0
    let shadowed = 0
    try {
      const c = await session.connect()
      try {
        await c.query('begin')
        const made = await shadowEverything(c)
        expect(made.shadowed).toBe(made.names)
        shadowed = made.shadowed
        await c.query('commit')
        // Plans made before the shadows existed (the event triggers' statements, for one) are dropped,
        // so that every statement below is planned with them in place.
        await c.query('discard plans')
      } finally {
        c.release()
      }
      const run = async (who: Requester, sql: string, values: unknown[] = []) => {
        calls++
        try {
          return (await asRequester(session, who, (c) => c.query(sql, values))).rows[0] as Record<string, unknown>
        } catch (e) {
          failures.push(`${sql.slice(0, 60)}: ${(e as pg.DatabaseError).message}`)
          return undefined
        }
      }
      await run(a, `select public.transfer_tokens($1, $2, 'GEN', 1, gen_random_uuid())`, [payer, payee])
      await run(a, `select public.transfer_tokens_batch($1::jsonb, gen_random_uuid())`, [JSON.stringify([{ to: payee, token_type: 'GEN', amount: '1', memo: 'm' }])])
      const captured = await run(a, `select public.hold_tokens($1, $2, 'GEN', 3, 3600, gen_random_uuid()) as id`, [payer, payee])
      await run(b, 'select public.capture_hold($1, 2)', [captured?.id])
      const released = await run(a, `select public.hold_tokens($1, $2, 'GEN', 3, 3600, gen_random_uuid()) as id`, [payer, payee])
      await run(b, 'select public.release_hold($1)', [released?.id])
      await run(a, `select public.hold_tokens($1, $2, 'GEN', 1, 1, gen_random_uuid())`, [payer, payee])
      await run(service, 'select public.release_expired_holds(10)')
      await run(service, `select public.mint_tokens($1, 'GEN', 5, gen_random_uuid())`, [payee])
      const consent = await run(a, `select public.record_consent($1, 'terms_of_service', '{tos-v1}') as id`, [payer])
      await run(a, `select public.update_consent_status($1, 'withdrawn')`, [consent?.id])
      await run(a, `select public.token_balance_at('GEN', now())`)
      await run(service, 'select public.refresh_user_stats()')
    } finally {
      await session.end()
    }
    expect(failures).toEqual([])
    const { rows } = await db().admin.query<{ n: number }>(`select count(*)::int as n from public.token_entries where user_id = $1`, [payee])
    expect(rows[0]!.n).toBeGreaterThanOrEqual(3)
    recordFigure('builtin-type-shadowing', {
      area: 'security',
      check: `every API function called by a session that shadows ${shadowed} of pg_catalog's type and relation names in its temporary schema with domains, types and views that call the caller's function: none of that code runs as the functions' owner, and every call does what it does without them`,
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
    // The rule catches each form it names (so that it can fail).
    const samples = ['select x::text', 'select cast(x as uuid)', "select jsonb '{}'", 'select * from f() as t(a integer, b text)', 'declare\n  a integer; b jsonb;\nbegin\nend', 'select auth.uid()']
    expect(samples.map((src) => unqualifiedTypes('private.sample', src, builtIn).length)).toEqual(samples.map(() => 1))
    const problems = functions.flatMap((f) => unqualifiedTypes(f.name, f.src, builtIn))
    expect(problems).toEqual([])
  })
})
