import { randomBytes, randomUUID } from 'node:crypto'
import { createDatabase, startDatabaseServer, withClient } from '../../tooling/embedded-server.js'
import { applyMigrations, applySupabaseBase, listMigrations } from '../../tooling/migrations.js'
import { parseCommandArgs, type CliContext, type Command } from '../command.js'

const usage = `Usage: avolve-db demo

The main job on a throwaway embedded PostgreSQL 17 (or on the server DATABASE_URL names, in a
database avolve_demo): applies the Supabase base and the migrations; two Supabase Auth users sign
in with real JWTs, consent, and trade tokens under RLS through the server SDK, which connects as the
authenticator login role (as PostgREST does, never as a superuser); an overdraft and a cross-user
read are refused. The embedded server is removed afterwards.

Options:
  -h, --help   show this help`

/** `avolve-db demo` (and `npm run demo`): the README's main job, end to end. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'the main job on an embedded PostgreSQL: consent, a transfer, a refused overdraft and cross-user read',
  usage,
  async run(argv, context) {
    const { values } = parseCommandArgs(argv, { help: { type: 'boolean', short: 'h', default: false } }, usage)
    if (values.help) {
      context.out(usage)
      return 0
    }
    await runDemo(context)
    return 0
  },
}

/**
 * The demo itself. The server SDK and jose are loaded here rather than at the top so that the
 * other commands start without them.
 */
export async function runDemo(context: CliContext): Promise<void> {
  const { SignJWT } = await import('jose')
  const { createAvolveDb, InsufficientBalanceError, NotFoundError } = await import('../../server.js')
  const out = context.out
  const step = (m: string) => out(`\n▸ ${m}`)

  step('starting an embedded PostgreSQL 17')
  const server = await startDatabaseServer({ log: (m) => out(`  ${m}`) })
  try {
    const url = await createDatabase(server, 'avolve_demo')
    const migrations = listMigrations()
    const authenticatorPassword = randomBytes(12).toString('hex')
    step(`applying the Supabase base and ${migrations.length} migrations`)
    await withClient(url, async (c) => {
      await applySupabaseBase(c)
      await applyMigrations(c, migrations, (m) => out(`  ✓ ${m.version}_${m.name}`))
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
      new SignJWT({ role: 'authenticated' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(sub)
        .setAudience('authenticated')
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode(jwtSecret))
    const apiUrl = new URL(url)
    apiUrl.username = 'authenticator'
    apiUrl.password = authenticatorPassword
    const db = createAvolveDb({ connection: apiUrl.toString(), jwt: { secret: jwtSecret } })
    try {
      const A = await db.asUser(await token(alice))
      const B = await db.asUser(await token(bob))

      step('each signs in with a JWT and records consent to the terms of service')
      for (const [name, scope] of [
        ['Alice', A],
        ['Bob', B],
      ] as const) {
        const r = await scope.consent.record('terms_of_service', ['tos-2026-12'])
        out(`  ${name}: ${r.status} consent ${r.id} at ${r.created_at}`)
      }

      step('the service role mints 100 GEN for Alice; Alice sends Bob 30.5 GEN')
      await db.asService().tokens.mint({ to: alice, tokenType: 'GEN', amount: '100', memo: 'welcome' })
      const tx = await A.tokens.transfer({ to: bob, tokenType: 'GEN', amount: '30.5', memo: 'for the workshop' })
      out(`  ledger row ${tx.id}: ${tx.amount} ${tx.token_type}, key ${tx.idempotency_key}`)
      for (const [name, scope] of [
        ['Alice', A],
        ['Bob', B],
      ] as const) {
        const balances = await scope.tokens.balances()
        out(`  ${name}'s balances: ${balances.map((b) => `${b.balance} ${b.token_type}`).join(', ')}`)
      }

      step('Alice tries to send Bob 1000 GEN')
      try {
        await A.tokens.transfer({ to: bob, tokenType: 'GEN', amount: '1000' })
        throw new Error('the overdraft was not refused')
      } catch (e) {
        if (!(e instanceof InsufficientBalanceError)) throw e
        out(`  refused: ${e.name} (${e.code}, SQLSTATE ${e.sqlstate}): ${e.message}`)
      }

      step("Alice tries to read Bob's consent record")
      const [bobsConsent] = (await B.consent.list()).items
      try {
        await A.consent.history(bobsConsent!.id)
        throw new Error('the cross-user read was not refused')
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e
        out(`  refused: ${e.name} (${e.code}): ${e.message}`)
      }
      const visible = (await A.consent.list()).items.filter((r) => r.user_id === bob).length
      out(`  Alice's list shows ${visible} of Bob's records; her ledger shows only rows she is party to`)
    } finally {
      await db.destroy()
    }
  } finally {
    step('stopping PostgreSQL')
    await server.stop()
  }
  out('\ndone.')
}
