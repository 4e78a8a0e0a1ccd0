import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scramVerifier } from '../../src/cli/scram-verifier.js'
import { createDatabase, startDatabaseServer, withClient, type DatabaseServer } from '../../src/tooling/embedded-server.js'
import { applySupabaseBase, packageRoot } from '../../src/tooling/migrations.js'
import { recordFigure } from '../support/reliability-report.js'
import { runCli } from './run-cli.js'

/**
 * `avolve-db demo` on a server it did not start: this file's own PostgreSQL, given as DATABASE_URL
 * (with pg_stat_statements loaded, to see every statement the demo sent). Everything the server holds
 * that is shared by its databases (databases, roles, their passwords, settings and memberships) must
 * be the same after the demo as before it, whether it ran, failed half-way or was interrupted.
 */
let server: DatabaseServer
let statements = false
const checked: string[] = []

beforeAll(async () => {
  server = await startDatabaseServer({ settings: { shared_preload_libraries: 'pg_stat_statements' } })
  statements = await withClient(server.url(), async (c) => {
    try {
      await c.query('create extension if not exists pg_stat_statements')
      return true
    } catch {
      return false // a server given by DATABASE_URL without the library loaded
    }
  })
})
afterAll(async () => {
  recordFigure('demo-external', {
    area: 'security',
    check: 'avolve-db demo on a server it did not start: refused without --allow-external and for Supabase; with it, every role, password, setting, membership and database as before',
    cases: checked.length,
    violations: 0,
    command: 'npx vitest run test/cli/demo-external.test.ts',
    notes: `${checked.join('; ')}; no password text in pg_stat_statements`,
  })
  await server?.stop()
})

/** What the server shares across its databases, as the superuser sees it. */
function serverState() {
  return withClient(server.url(), async (c) => ({
    databases: (await c.query('select datname from pg_catalog.pg_database order by 1')).rows,
    roles: (await c.query('select rolname, rolpassword, rolsuper, rolinherit, rolcanlogin, rolbypassrls, rolconnlimit, rolvaliduntil from pg_catalog.pg_authid order by 1')).rows,
    settings: (await c.query('select setdatabase, setrole::regrole::text as role, setconfig from pg_catalog.pg_db_role_setting order by 1, 2')).rows,
    memberships: (await c.query('select roleid::regrole::text as role, member::regrole::text as member, grantor::regrole::text as grantor from pg_catalog.pg_auth_members order by 1, 2, 3')).rows,
  }))
}

const external = (url = server.url()) => ({ env: { DATABASE_URL: url } })

describe('avolve-db demo on a server it did not start', () => {
  it('refuses without --allow-external, and makes nothing', async () => {
    const before = await serverState()
    const run = await runCli(['demo'], external())
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^demo failed: refusing to run on postgres@127\.0\.0\.1:\d+\/postgres, a server the demo did not start/m)
    expect(run.stderr).toMatch(/--allow-external/)
    expect(run.stdout).toBe('')
    expect(await serverState()).toEqual(before)
    checked.push('refused without the flag')
  })

  it('says what --allow-external does in its help', async () => {
    const run = await runCli(['demo', '--help'])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/--allow-external {4}agree to run on a server the demo did not start/)
  })

  it('removes what it made when the run fails half-way (the roles it made too)', async () => {
    // A failure injected into every database made from template1 from now on: the demo's own.
    await withClient(server.url('template1'), (c) =>
      c.query(`
        create function public.fail_in_demo() returns event_trigger language plpgsql as $$
        begin
          if current_database() like 'avolve\\_demo\\_%' then raise exception 'injected failure'; end if;
        end $$;
        create event trigger fail_in_demo on ddl_command_end when tag in ('CREATE POLICY') execute function public.fail_in_demo()`),
    )
    try {
      const before = await serverState()
      expect(before.roles.map((r) => r.rolname)).not.toContain('authenticator') // the base's roles are the demo's to make
      const run = await runCli(['demo', '--allow-external'], external())
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(/injected failure/)
      expect(run.stdout).toMatch(/^▸ removing what the demo made$/m)
      expect(await serverState()).toEqual(before)
      checked.push('failed half-way')
    } finally {
      await withClient(server.url('template1'), (c) => c.query('drop event trigger fail_in_demo; drop function public.fail_in_demo()'))
    }
  })

  it('removes what it made when interrupted (SIGINT)', async () => {
    const before = await serverState()
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo', '--allow-external'], {
      cwd: packageRoot(),
      env: { ...process.env, DATABASE_URL: server.url() },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('close', (code, signal) => resolve(signal ?? code)))
    await new Promise<void>((resolve) =>
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d
        // Half-way through the migrations: the database and the base's roles exist.
        if (/✓ 2026120109\d{4}_/.test(stdout)) resolve()
      }),
    )
    child.kill('SIGINT')
    expect(await exited).toBe('SIGINT')
    expect(stderr).toMatch(/SIGINT: removing what the demo made/)
    expect(await serverState()).toEqual(before)
    checked.push('interrupted')
  })

  it('with --allow-external runs the main job on a bare server and leaves it as it was', async () => {
    const before = await serverState()
    const run = await runCli(['demo', '--allow-external'], external())
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^▸ on postgres@127\.0\.0\.1:\d+\/postgres: making a database and a login role avolve_demo_[0-9a-f]{12}, both removed afterwards$/m)
    expect(run.stdout).toContain("Bob's balances: 30.5 GEN")
    expect(run.stdout).toMatch(/refused: NotFoundError \(consent_not_found\)/)
    expect(run.stdout.trimEnd().endsWith('done.')).toBe(true)
    expect(await serverState()).toEqual(before)
    checked.push('ran on a bare server')
  })

  it('on a server whose authenticator has a password: changes no role, and sends no password in SQL text', async () => {
    const app = await createDatabase(server, 'app')
    await withClient(app, async (c) => {
      await applySupabaseBase(c)
      await c.query(`alter role authenticator password '${scramVerifier('the-app-password')}'`)
    })
    if (statements) await withClient(server.url(), (c) => c.query('select pg_stat_statements_reset()'))
    const before = await serverState()
    const password = before.roles.find((r) => r.rolname === 'authenticator')?.rolpassword
    expect(password).toMatch(/^SCRAM-SHA-256\$/)

    const run = await runCli(['demo', '--allow-external'], external())
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const after = await serverState()
    expect(after.roles.find((r) => r.rolname === 'authenticator')?.rolpassword).toBe(password)
    expect(after).toEqual(before)
    expect(after.databases.map((d) => d.datname).filter((n: string) => n.startsWith('avolve_demo'))).toEqual([])
    checked.push('ran beside an app database')

    if (!statements) return
    const sent = (await withClient(server.url(), (c) => c.query<{ query: string }>(`select query from pg_stat_statements where query ~* 'password'`))).rows.map((r) => r.query)
    // The demo's own login role was made with a SCRAM verifier (as psql's \password does), never a password.
    expect(sent.some((q) => /create role "avolve_demo_[0-9a-f]{12}" login noinherit password 'SCRAM-SHA-256\$/.test(q))).toBe(true)
    for (const q of sent) expect(q).not.toMatch(/password\s+'(?!SCRAM-SHA-256\$)/i)
    expect(sent.join('\n')).not.toMatch(/authenticator\s+(with\s+)?password/i)
  })
})

describe('avolve-db demo and Supabase', () => {
  it.each([
    ['a Supabase host', 'postgres://postgres:pw@db.abcdefghijklmnopqrst.supabase.co:5432/postgres', /host db\.abcdefghijklmnopqrst\.supabase\.co/],
    ['the Supabase pooler', 'postgres://postgres.abcdefghijklmnopqrst:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres', /host aws-0-eu-central-1\.pooler\.supabase\.com/],
    ['a Supavisor user on another host', 'postgres://postgres.abcdefghijklmnopqrst:pw@10.0.0.1:6543/postgres', /pooler user postgres\.abcdefghijklmnopqrst/],
  ])('refuses %s, even with --allow-external, before connecting', async (label, url, evidence) => {
    const run = await runCli(['demo', '--allow-external', '--database-url', url])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/looks like a Supabase project/)
    expect(run.stderr).toMatch(evidence)
    checked.push(`refused ${label}`)
  })

  it('refuses a server with Supabase’s roles, or a database with users in auth.users, and makes nothing', async () => {
    await withClient(server.url(), (c) => c.query('create role supabase_admin nologin'))
    try {
      const before = await serverState()
      const run = await runCli(['demo', '--allow-external'], external())
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(/looks like a Supabase project \(roles supabase_admin\)/)
      expect(await serverState()).toEqual(before)
    } finally {
      await withClient(server.url(), (c) => c.query('drop role supabase_admin'))
    }
    const users = await createDatabase(server, 'users')
    await withClient(users, async (c) => {
      await applySupabaseBase(c)
      await c.query(`insert into auth.users (id, email) values (gen_random_uuid(), 'someone@example.com')`)
    })
    const before = await serverState()
    const run = await runCli(['demo', '--allow-external'], external(users))
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/looks like a Supabase project \(auth\.users has rows in users\)/)
    expect(await serverState()).toEqual(before)
    checked.push('Supabase roles and auth.users refused')
  })
})
