/**
 * `npm run demo`: the main job on a throwaway embedded PostgreSQL. Two users consent and trade
 * tokens through the SQL API exactly as PostgREST would call it (role and JWT claims set per
 * transaction), and the database refuses an overdraft and a cross-user read.
 */
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { createDatabase, startDatabaseServer, withClient } from '../src/tooling/embedded-server.js'
import { applyMigrations, applySupabaseBase, listMigrations } from '../src/tooling/migrations.js'

type Who = { role: 'authenticated'; sub: string } | { role: 'service_role' }

async function as<T>(pool: pg.Pool, who: Who, text: string, values: unknown[] = []): Promise<T[]> {
  const client = await pool.connect()
  try {
    await client.query('begin')
    const claims = who.role === 'authenticated' ? { sub: who.sub, role: who.role } : { role: who.role }
    await client.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [who.role, JSON.stringify(claims)])
    const { rows } = await client.query(text, values)
    await client.query('commit')
    return rows as T[]
  } catch (error) {
    await client.query('rollback')
    throw error
  } finally {
    client.release()
  }
}

async function main() {
  const step = (m: string) => console.log(`\n▸ ${m}`)
  step('starting an embedded PostgreSQL 17')
  const server = await startDatabaseServer({ log: (m) => console.log(`  ${m}`) })
  try {
    const url = await createDatabase(server, 'avolve_demo')
    const migrations = listMigrations()
    step(`applying the Supabase base and ${migrations.length} migrations`)
    await withClient(url, async (c) => {
      await applySupabaseBase(c)
      await applyMigrations(c, migrations, (m) => console.log(`  ✓ ${m.version}_${m.name}`))
    })
    const pool = new pg.Pool({ connectionString: url, max: 4 })
    try {
      step('creating two users (Supabase Auth rows; their profiles come from a trigger)')
      const alice = randomUUID()
      const bob = randomUUID()
      await pool.query(
        `insert into auth.users (id, email, raw_user_meta_data) values ($1, 'alice@example.com', '{"display_name":"Alice"}'), ($2, 'bob@example.com', '{"display_name":"Bob"}')`,
        [alice, bob],
      )
      const A: Who = { role: 'authenticated', sub: alice }
      const B: Who = { role: 'authenticated', sub: bob }

      step('each records consent to the terms of service')
      for (const [name, who, id] of [['Alice', A, alice], ['Bob', B, bob]] as const) {
        const [r] = await as<{ id: string }>(pool, who, `select public.record_consent($1, 'terms_of_service', array['tos-2026-12']) as id`, [id])
        console.log(`  ${name}: consent ${r!.id}`)
      }

      step('the service role mints 100 GEN for Alice; Alice sends Bob 30.5')
      await as(pool, { role: 'service_role' }, `select public.mint_tokens($1, 'GEN', 100, $2)`, [alice, randomUUID()])
      await as(pool, A, `select public.transfer_tokens($1, $2, 'GEN', 30.5, $3, 'for the workshop')`, [alice, bob, randomUUID()])
      for (const [name, who] of [['Alice', A], ['Bob', B]] as const) {
        const rows = await as<{ token_type: string; balance: string }>(pool, who, `select token_type, trim_scale(balance)::text as balance from public.token_balances`)
        console.log(`  ${name} sees: ${rows.map((r) => `${r.balance} ${r.token_type}`).join(', ')}`)
      }

      step('Alice tries to send Bob 1000 GEN')
      try {
        await as(pool, A, `select public.transfer_tokens($1, $2, 'GEN', 1000, $3)`, [alice, bob, randomUUID()])
        throw new Error('the overdraft was not refused')
      } catch (e) {
        const err = e as pg.DatabaseError
        if (err.code !== 'VT006') throw e
        console.log(`  refused: ${err.code} ${err.message} (${err.detail})`)
      }

      step("Alice tries to read Bob's consent records and balances")
      const consents = await as(pool, A, 'select * from public.user_consent where user_id = $1', [bob])
      const balances = await as(pool, A, 'select * from public.token_balances where user_id = $1', [bob])
      console.log(`  row level security returns ${consents.length} consent rows and ${balances.length} balance rows of Bob's`)
      if (consents.length + balances.length !== 0) throw new Error('a cross-user read was not refused')
    } finally {
      await pool.end()
    }
  } finally {
    step('stopping PostgreSQL')
    await server.stop()
  }
  console.log('\ndone.')
}

main().catch((e: unknown) => {
  console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
})
