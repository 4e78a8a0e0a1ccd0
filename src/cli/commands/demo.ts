import { randomBytes, randomUUID } from 'node:crypto'
import type pg from 'pg'
import { apiRoles, loginRole } from '../../api-roles.js'
import { startDatabaseServer, withClient } from '../../tooling/embedded-server.js'
import { applyMigrations, applySupabaseBase, listMigrations } from '../../tooling/migrations.js'
import { databaseUrlOption, defineCommand, type CliContext } from '../command.js'
import { optionalDatabaseTarget, withConnection, type DatabaseTarget } from '../connect.js'
import { CliError } from '../errors.js'
import { scramVerifier } from '../scram-verifier.js'

const usage = `Usage: avolve-db demo [--database-url URL --allow-external]

The main job, end to end, in a database of its own: applies the Supabase base and the migrations;
two Supabase Auth users sign in with real JWTs, consent, and trade tokens under RLS through the
server SDK, which logs in as a login role of its own made for the run (NOINHERIT, a member of anon,
authenticated and service_role, as Supabase's authenticator; never a superuser); an overdraft and a
cross-user read are refused. By default it all happens on a throwaway embedded PostgreSQL 17 that
is removed afterwards.

Options:
  --database-url URL  run on this server instead (default: $DATABASE_URL). Refused unless
                      --allow-external is given too, and always refused for a Supabase project.
  --allow-external    agree to run on a server the demo did not start. It needs a superuser. It
                      creates a database and a login role named avolve_demo_<random>, and those of
                      anon, authenticated, service_role and authenticator the server lacks; it drops
                      them all afterwards, also when the run fails or is interrupted. It never
                      alters a role that exists already, and sends no password in SQL text.
  -h, --help          show this help`

/** `avolve-db demo` (and `npm run demo`): the README's main job, end to end. */
export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'the main job on an embedded PostgreSQL: consent, a transfer, a refused overdraft and cross-user read',
  usage,
  options: { ...databaseUrlOption, 'allow-external': { type: 'boolean', default: false } },
  async run({ values }, context) {
    const target = optionalDatabaseTarget(values['database-url'], context.env)
    await runDemo(context, { ...(target ? { target } : {}), allowExternal: values['allow-external'] })
    return 0
  },
})

/** Where the demo runs: its own embedded server unless `target` is given. */
export interface DemoOptions {
  /** A server the demo did not start (`--database-url`, `DATABASE_URL`). */
  target?: DatabaseTarget
  /** Consent to run on `target`; without it, the demo refuses. */
  allowExternal?: boolean
}

/** The API roles and the login role the Supabase base makes: shared by every database of a server. */
const BASE_ROLES = [...apiRoles, loginRole]

/**
 * The demo itself. The server SDK and jose are loaded here rather than at the top so that the
 * other commands start without them.
 *
 * @example
 * ```ts
 * await runDemo(processContext()) // on an embedded server of its own
 * ```
 */
export async function runDemo(context: CliContext, options: DemoOptions = {}): Promise<void> {
  const { target } = options
  if (target) {
    refuseSupabaseAddress(target)
    if (!options.allowExternal) throw refusedExternal(target)
  }
  const out = context.out
  const step = (m: string) => out(`\n▸ ${m}`)
  const cleanup = new Cleanup()
  const interrupted = target ? cleanUpOnSignal(cleanup, context) : () => {}
  let failure: unknown
  try {
    let adminUrl: string
    if (target) {
      await preflight(target, context)
      adminUrl = target.url
    } else {
      step('starting an embedded PostgreSQL 17')
      const server = await startDatabaseServer({ log: (m) => out(`  ${m}`) })
      cleanup.add('the embedded server', () => server.stop())
      // DATABASE_URL in this process's environment would have been used instead: never unchecked.
      if (!server.embedded) throw refusedExternal({ display: 'the server DATABASE_URL names' })
      adminUrl = server.url()
    }

    const name = `avolve_demo_${randomBytes(6).toString('hex')}`
    if (target) step(`on ${target.display}: making a database and a login role ${name}, both removed afterwards`)
    await withClient(adminUrl, async (admin) => {
      // Roles the base will make are the demo's to drop; roles there already are never touched.
      const existing = await existingRoles(admin)
      cleanup.add(`the roles ${BASE_ROLES.join(', ')} the demo made`, () => dropRolesMadeSince(adminUrl, existing))
      await admin.query(`create database ${admin.escapeIdentifier(name)}`)
      cleanup.add(`the database ${name}`, () => withClient(adminUrl, (c) => c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`)))
    })
    const url = databaseUrl(adminUrl, name)
    const migrations = listMigrations()
    step(`applying the Supabase base and ${migrations.length} migrations`)
    await withClient(url, async (c) => {
      await applySupabaseBase(c)
      await applyMigrations(c, migrations, (m) => out(`  ✓ ${m.version}_${m.name}`))
    })
    const password = randomBytes(24).toString('hex')
    await withClient(adminUrl, async (admin) => {
      const login = admin.escapeIdentifier(name)
      // The verifier, not the password, is what the statement carries (as psql's \password sends it).
      await admin.query(`create role ${login} login noinherit password '${scramVerifier(password)}'`)
      cleanup.add(`the login role ${name}`, () => withClient(adminUrl, (c) => c.query(`drop role if exists ${c.escapeIdentifier(name)}`)))
      await admin.query(`grant ${apiRoles.join(', ')} to ${login}`)
    })
    await mainJob(context, url, { user: name, password }, cleanup)
  } catch (error) {
    failure = error
  } finally {
    interrupted()
    step(target ? 'removing what the demo made' : 'stopping PostgreSQL')
    const left = await cleanup.run()
    if (left.length > 0) {
      const message = `could not remove ${left.map((l) => `${l.what} (${l.reason})`).join('; ')}: drop ${left.length > 1 ? 'them' : 'it'} by hand`
      if (failure === undefined) failure = new CliError(message)
      else context.err(`demo: ${message}`)
    }
  }
  if (failure !== undefined) throw failure
  out('\ndone.')
}

/** Consent, a transfer, a refused overdraft and a refused cross-user read, through the server SDK. */
async function mainJob(context: CliContext, url: string, login: { user: string; password: string }, cleanup: Cleanup): Promise<void> {
  const { SignJWT } = await import('jose')
  const { createAvolveDb, InsufficientBalanceError, NotFoundError } = await import('../../server.js')
  const out = context.out
  const step = (m: string) => out(`\n▸ ${m}`)

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
  apiUrl.username = login.user
  apiUrl.password = login.password
  const db = createAvolveDb({ connection: apiUrl.toString(), jwt: { secret: jwtSecret } })
  // Closed before anything is dropped, also when the run stops half-way.
  cleanup.add('the SDK’s connections', () => db.destroy())
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
}

function refusedExternal(target: Pick<DatabaseTarget, 'display'>): CliError {
  return new CliError(
    `refusing to run on ${target.display}, a server the demo did not start: it would create a database and roles there. ` +
      'Unset DATABASE_URL (and drop --database-url) to run on a throwaway embedded PostgreSQL, or pass --allow-external ' +
      'to run there anyway (it needs a superuser, never alters an existing role, and removes what it made).',
  )
}

function refusedSupabase(target: DatabaseTarget, evidence: string): CliError {
  return new CliError(
    `refusing to run on ${target.display}: it looks like a Supabase project (${evidence}). The demo installs a stand-in for ` +
      "Supabase's own roles and auth schema, which must never meet the real ones; run it without DATABASE_URL (an embedded " +
      'PostgreSQL) or on a plain PostgreSQL server with --allow-external. Apply the migrations to Supabase with `avolve-db migrate`.',
  )
}

/** A Supabase host or pooler user, known before connecting. */
function refuseSupabaseAddress(target: DatabaseTarget): void {
  const host = target.host.toLowerCase()
  if (/(^|\.)supabase\.(co|com)$/.test(host)) throw refusedSupabase(target, `host ${target.host}`)
  // Supavisor's users are postgres.<project ref> (20 lowercase letters).
  if (/^[a-z_][a-z0-9_]*\.[a-z]{20}$/.test(target.user)) throw refusedSupabase(target, `pooler user ${target.user}`)
}

/**
 * Checks, before anything is made, that the demo may run on `target`: a superuser, no Supabase
 * roles or schemas, no users in auth.users, and no existing role the Supabase base would change.
 */
async function preflight(target: DatabaseTarget, context: CliContext): Promise<void> {
  await withConnection(target, { env: context.env, applicationName: 'avolve-db demo' }, async (client) => {
    const { rows } = await client.query<{ superuser: boolean; roles: string[]; schemas: string[]; auth_users: boolean }>(`
      select
        (select rolsuper from pg_catalog.pg_roles where rolname = current_user) as superuser,
        array(select rolname::text from pg_catalog.pg_roles where rolname like 'supabase\\_%' order by 1) as roles,
        array(select nspname::text from pg_catalog.pg_namespace
              where nspname in ('graphql_public', 'supabase_functions', 'supabase_migrations', '_realtime', 'realtime', 'storage') order by 1) as schemas,
        pg_catalog.to_regclass('auth.users') is not null as auth_users`)
    const found = rows[0]!
    if (found.roles.length > 0) throw refusedSupabase(target, `roles ${found.roles.join(', ')}`)
    if (found.schemas.length > 0) throw refusedSupabase(target, `schemas ${found.schemas.join(', ')}`)
    if (found.auth_users) {
      const { rows: users } = await client.query<{ any: boolean }>('select exists (select from auth.users) as any')
      if (users[0]?.any) throw refusedSupabase(target, `auth.users has rows in ${target.database}`)
    }
    if (!found.superuser) {
      throw new CliError(`the demo needs a superuser on ${target.display}: it creates a database and roles (service_role has BYPASSRLS). Use a superuser's URL, or run it without DATABASE_URL.`)
    }
    // The base grants the API roles to authenticator where it is no member yet; on roles that were
    // there already, that grant would outlive the run.
    const { rows: missing } = await client.query<{ role: string }>(
      `select r.rolname::text as role
       from pg_catalog.pg_roles r
       where r.rolname = any($1::text[])
         and exists (select from pg_catalog.pg_roles a where a.rolname = 'authenticator')
         and not pg_catalog.pg_has_role('authenticator', r.oid, 'member')
       order by 1`,
      [apiRoles],
    )
    if (missing.length > 0) {
      const roles = missing.map((m) => m.role).join(', ')
      throw new CliError(
        `the role authenticator on ${target.display} is no member of ${roles}; the Supabase base would grant ${missing.length > 1 ? 'them' : 'it'}, ` +
          `and the demo never alters a role that exists already. Grant ${roles} to authenticator yourself, or use another server.`,
      )
    }
  })
}

async function existingRoles(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ rolname: string }>('select rolname::text from pg_catalog.pg_roles where rolname = any($1::text[])', [BASE_ROLES])
  return rows.map((r) => r.rolname)
}

/** Drops those of the base's roles that did not exist before the run (after its database is gone). */
async function dropRolesMadeSince(adminUrl: string, before: readonly string[]): Promise<void> {
  await withClient(adminUrl, async (c) => {
    const made = (await existingRoles(c)).filter((r) => !before.includes(r))
    // Drops what the role was granted elsewhere on the server too (nothing, normally), then the role.
    for (const role of made) await c.query(`drop owned by ${c.escapeIdentifier(role)}; drop role ${c.escapeIdentifier(role)}`)
  })
}

function databaseUrl(serverUrl: string, database: string): string {
  const u = new URL(serverUrl)
  u.pathname = `/${encodeURIComponent(database)}`
  return u.toString()
}

/** What the demo made, removed newest first, each once, whatever else failed. */
class Cleanup {
  private readonly steps: Array<{ what: string; undo: () => Promise<unknown> }> = []
  private running: Promise<Array<{ what: string; reason: string }>> | undefined

  add(what: string, undo: () => Promise<unknown>): void {
    this.steps.push({ what, undo })
  }

  /** Runs every step once; resolves to those that failed. A second call waits for the first. */
  run(): Promise<Array<{ what: string; reason: string }>> {
    return (this.running ??= (async () => {
      const failed: Array<{ what: string; reason: string }> = []
      for (const { what, undo } of [...this.steps].reverse()) {
        try {
          await undo()
        } catch (error) {
          failed.push({ what, reason: error instanceof Error ? error.message : String(error) })
        }
      }
      return failed
    })())
  }
}

/**
 * On SIGINT or SIGTERM during a run on a server the demo did not start, removes what it made, then
 * ends the process as the signal would have. Returns the function that stops listening.
 */
function cleanUpOnSignal(cleanup: Cleanup, context: CliContext): () => void {
  const signals = ['SIGINT', 'SIGTERM'] as const
  const onSignal = (signal: NodeJS.Signals) => {
    stop()
    context.err(`demo: ${signal}: removing what the demo made`)
    void cleanup.run().then((left) => {
      for (const l of left) context.err(`demo: could not remove ${l.what} (${l.reason}): drop it by hand`)
      process.kill(process.pid, signal)
    })
  }
  const stop = () => {
    for (const s of signals) process.off(s, onSignal)
  }
  for (const s of signals) process.on(s, onSignal)
  return stop
}
