/**
 * `npm run demo`: the main job on a throwaway embedded PostgreSQL. The server SDK connects as the
 * `authenticator` login role (as PostgREST does, never as a superuser); two users sign in with real
 * JWTs, consent, and trade tokens under RLS; the SDK refuses an overdraft and a cross-user read.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import { createAvolveDb, InsufficientBalanceError, NotFoundError } from '../src/server.js'
import { createDatabase, startDatabaseServer, withClient } from '../src/tooling/embedded-server.js'
import { applyMigrations, applySupabaseBase, listMigrations } from '../src/tooling/migrations.js'

const step = (m: string) => console.log(`\n▸ ${m}`)

async function main() {
  step('starting an embedded PostgreSQL 17')
  const server = await startDatabaseServer({ log: (m) => console.log(`  ${m}`) })
  try {
    const url = await createDatabase(server, 'avolve_demo')
    const migrations = listMigrations()
    const authenticatorPassword = randomBytes(12).toString('hex')
    step(`applying the Supabase base and ${migrations.length} migrations`)
    await withClient(url, async (c) => {
      await applySupabaseBase(c)
      await applyMigrations(c, migrations, (m) => console.log(`  ✓ ${m.version}_${m.name}`))
      await c.query(`alter role authenticator password '${authenticatorPassword}'`)
    })

    step('creating two Supabase Auth users (their profiles come from a trigger)')
    const alice = randomUUID()
    const bob = randomUUID()
    await withClient(url, (c) =>
      c.query(
        `insert into auth.users (id, email, raw_user_meta_data) values
           ($1, 'alice@example.com', '{"display_name":"Alice"}'), ($2, 'bob@example.com', '{"display_name":"Bob"}')`,
        [alice, bob],
      ),
    )

    const jwtSecret = randomBytes(32).toString('hex')
    const token = (sub: string) =>
      new SignJWT({ role: 'authenticated' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setAudience('authenticated').setExpirationTime('10m').sign(new TextEncoder().encode(jwtSecret))
    const apiUrl = new URL(url)
    apiUrl.username = 'authenticator'
    apiUrl.password = authenticatorPassword
    const db = createAvolveDb({ connection: apiUrl.toString(), jwt: { secret: jwtSecret } })
    try {
      const A = await db.asUser(await token(alice))
      const B = await db.asUser(await token(bob))

      step('each signs in with a JWT and records consent to the terms of service')
      for (const [name, scope] of [['Alice', A], ['Bob', B]] as const) {
        const r = await scope.consent.record('terms_of_service', ['tos-2026-12'])
        console.log(`  ${name}: ${r.status} consent ${r.id} at ${r.created_at}`)
      }

      step('the service role mints 100 GEN for Alice; Alice sends Bob 30.5 GEN')
      await db.asService().tokens.mint({ to: alice, tokenType: 'GEN', amount: '100', memo: 'welcome' })
      const tx = await A.tokens.transfer({ to: bob, tokenType: 'GEN', amount: '30.5', memo: 'for the workshop' })
      console.log(`  ledger row ${tx.id}: ${tx.amount} ${tx.token_type}, key ${tx.idempotency_key}`)
      for (const [name, scope] of [['Alice', A], ['Bob', B]] as const) {
        const balances = await scope.tokens.balances()
        console.log(`  ${name}'s balances: ${balances.map((b) => `${b.balance} ${b.token_type}`).join(', ')}`)
      }

      step('Alice tries to send Bob 1000 GEN')
      try {
        await A.tokens.transfer({ to: bob, tokenType: 'GEN', amount: '1000' })
        throw new Error('the overdraft was not refused')
      } catch (e) {
        if (!(e instanceof InsufficientBalanceError)) throw e
        console.log(`  refused: ${e.name} (${e.code}, SQLSTATE ${e.sqlstate}): ${e.message}`)
      }

      step("Alice tries to read Bob's consent record")
      const [bobsConsent] = (await B.consent.list()).items
      try {
        await A.consent.history(bobsConsent!.id)
        throw new Error('the cross-user read was not refused')
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e
        console.log(`  refused: ${e.name} (${e.code}): ${e.message}`)
      }
      const visible = (await A.consent.list()).items.filter((r) => r.user_id === bob).length
      console.log(`  Alice's list shows ${visible} of Bob's records; her ledger shows only rows she is party to`)
    } finally {
      await db.destroy()
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
