import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { listMigrations, packageRoot } from '../../src/tooling/migrations.js'

const tsxLoader = pathToFileURL(join(packageRoot(), 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href

interface DevRun {
  child: ChildProcess
  out: string[]
  /** Resolves once it prints that it is ready (or rejects when it ends first). */
  ready: Promise<void>
  exit: Promise<number | null>
}

function startDev(cwd: string, args: string[]): DevRun {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.DATABASE_URL
  const child = spawn(process.execPath, ['--import', tsxLoader, join(packageRoot(), 'src', 'cli', 'main.ts'), 'dev', ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out: string[] = []
  child.stderr!.setEncoding('utf8').on('data', (d: string) => out.push(`stderr: ${d}`))
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve))
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      out.push(line)
      if (line.startsWith('Ctrl-C stops it')) resolve()
    })
    void exit.then((code) => reject(new Error(`avolve-db dev ended (${code}) before it was ready:\n${out.join('\n')}`)))
  })
  return { child, out, ready, exit }
}

async function stop(run: DevRun): Promise<number | null> {
  run.child.kill('SIGINT')
  return run.exit
}

const value = (run: DevRun, name: string) =>
  run.out
    .find((l) => l.trim().startsWith(`${name}=`))!
    .trim()
    .slice(name.length + 1)

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<R>(sql)).rows
  } finally {
    await client.end()
  }
}

async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as { port: number }).port
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

describe('avolve-db dev', () => {
  const app = mkdtempSync(join(tmpdir(), 'avolve-dev-app-'))
  chmodSync(app, 0o755)
  cpSync(join(packageRoot(), 'test', 'app', 'fixture', 'supabase'), join(app, 'supabase'), { recursive: true })
  afterAll(() => rmSync(app, { recursive: true, force: true }))

  it("runs a kept local database with our migrations and the app's applied, prints where and how to connect, stops on Ctrl-C", async () => {
    const port = await freePort()
    const first = startDev(app, ['--port', String(port)])
    await first.ready
    const ours = listMigrations().length
    expect(first.out).toContain('dev: applied the Supabase base (roles, auth.users, auth.uid())')
    expect(first.out).toContain(`dev: applied ${ours + 1} migrations (${ours} of @avolve/db, 1 of supabase/migrations/)`)
    const admin = value(first, 'ADMIN_DATABASE_URL')
    const appUrl = value(first, 'DATABASE_URL')
    const secret = value(first, 'SUPABASE_JWT_SECRET')
    expect(new URL(admin).port).toBe(String(port))
    expect(new URL(appUrl).username).toBe('authenticator')
    expect(secret.length).toBeGreaterThanOrEqual(32)
    // The app's server code logs in as authenticator and may switch to the API roles only.
    expect(await query(appUrl, `select current_user as u, pg_has_role('authenticated', 'member') as api`)).toEqual([{ u: 'authenticator', api: true }])
    expect(await query(admin, `select count(*)::int as n from supabase_migrations.schema_migrations`)).toEqual([{ n: ours + 1 }])
    await query(admin, `insert into auth.users (id, email) values ('00000000-0000-4000-8000-000000000001', 'kept@example.test')`)
    expect(readFileSync(join(app, '.avolve/dev/.gitignore'), 'utf8')).toBe('*\n')
    expect(await stop(first)).toBe(0)
    expect(first.out).toContain('dev: stopped')

    // Data and secrets kept; a new migration of the app is applied, alone.
    writeFileSync(join(app, 'supabase/migrations/20270102000000_app_notes.sql'), 'create table public.app_notes (id uuid primary key, body text not null);\n')
    const second = startDev(app, ['--port', String(port)])
    await second.ready
    try {
      expect(second.out).toContain(`dev: applied 1 migration (${ours} of @avolve/db, 2 of supabase/migrations/)`)
      expect(value(second, 'ADMIN_DATABASE_URL')).toBe(admin)
      expect(value(second, 'SUPABASE_JWT_SECRET')).toBe(secret)
      expect(await query(admin, `select display_name, id::text from public.users`)).toEqual([{ display_name: 'kept', id: '00000000-0000-4000-8000-000000000001' }])
      expect(await query(admin, `select to_regclass('public.app_notes') is not null as made`)).toEqual([{ made: true }])
    } finally {
      expect(await stop(second)).toBe(0)
    }

    // --reset: from the migrations again, nothing of the old data.
    const third = startDev(app, ['--port', String(port), '--reset'])
    await third.ready
    try {
      expect(third.out).toContain('dev: deleted .avolve/dev/ (--reset)')
      expect(await query(value(third, 'ADMIN_DATABASE_URL'), `select count(*)::int as n from public.users`)).toEqual([{ n: 0 }])
    } finally {
      expect(await stop(third)).toBe(0)
    }
    expect(existsSync(join(app, '.avolve/dev/data/PG_VERSION'))).toBe(true)
  })
})
