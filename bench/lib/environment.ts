import { randomBytes, randomUUID } from 'node:crypto'
import pg from 'pg'
import { createDatabase, startDatabaseServer, throwawaySettings, withClient, type DatabaseServer } from '../../src/tooling/embedded-server.js'
import { applyMigrations, applySupabaseBase } from '../../src/tooling/migrations.js'

/**
 * Settings every benchmark runs with, printed in the report so a figure can be reproduced. Durable,
 * as a production database runs: every commit waits for its WAL to reach the disk, and a page's
 * first change after a checkpoint writes the whole page. A figure measured without them says so.
 */
export const benchSettings: Record<string, string | number> = {
  ...throwawaySettings,
  max_connections: 200,
  shared_buffers: '512MB',
  work_mem: '8MB',
  fsync: 'on',
  synchronous_commit: 'on',
  full_page_writes: 'on',
  // pg_stat_statements would change the figures; the benchmarks measure round trips themselves.
}

/** The same settings with durability off (a throwaway server's): for figures labelled as such, beside the durable ones. */
export const nonDurableSettings: Record<string, string | number> = {
  ...benchSettings,
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
}

/** `durable` when fsync, synchronous_commit and full_page_writes are all on; otherwise what is off. */
export function durability(settings: Record<string, string | number>): string {
  const off = ['fsync', 'synchronous_commit', 'full_page_writes'].filter((k) => String(settings[k] ?? 'on') !== 'on')
  return off.length ? `${off.join(', ')} off` : 'durable'
}

export interface BenchDatabase {
  server: DatabaseServer
  database: string
  /** Superuser connection string (set-up and pgbench). */
  adminUrl: string
  /** The `authenticator` login role: what the SDK and the raw-pg baseline use. */
  apiUrl: string
  admin: pg.Pool
  stop(): Promise<void>
}

/** A throwaway embedded PostgreSQL with the base and the migrations, for one benchmark run. */
export async function startBenchDatabase(log: (m: string) => void, settings: Record<string, string | number> = benchSettings): Promise<BenchDatabase> {
  const server = await startDatabaseServer({ settings, log })
  const database = 'bench'
  const adminUrl = await createDatabase(server, database)
  const password = randomBytes(10).toString('hex')
  await withClient(adminUrl, async (c) => {
    await applySupabaseBase(c)
    await applyMigrations(c)
    await c.query(`alter role authenticator password '${password}'`)
    // The benchmarks run long statements on purpose; Supabase's 8 s limit for the login role is not theirs.
    await c.query('alter role authenticator reset statement_timeout')
  })
  const api = new URL(adminUrl)
  api.username = 'authenticator'
  api.password = password
  const admin = new pg.Pool({ connectionString: adminUrl, max: 4 })
  // The server's own shutdown ends idle connections; that is not an error worth crashing over.
  admin.on('error', () => {})
  return {
    server,
    database,
    adminUrl,
    apiUrl: api.toString(),
    admin,
    async stop() {
      await admin.end()
      await server.stop()
    },
  }
}

/** `count` users (auth rows and profiles) in one statement; returns their ids. */
export async function createBenchUsers(admin: pg.Pool, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID())
  await admin.query(`insert into auth.users (id, email) select id, id::text || '@bench.test' from unnest($1::uuid[]) id`, [ids])
  return ids
}

/** Mints `amount` of `token` to every user, as the service role would. */
export async function fund(admin: pg.Pool, users: string[], token: string, amount: string): Promise<void> {
  const c = await admin.connect()
  try {
    await c.query('begin')
    await c.query(`select set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role":"service_role"}', true)`)
    for (const u of users) await c.query('select public.mint_tokens($1, $2, $3::numeric, gen_random_uuid())', [u, token, amount])
    await c.query('commit')
  } finally {
    c.release()
  }
}
