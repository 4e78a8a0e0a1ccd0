import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CompiledQuery } from 'kysely'
import { RoleSettings } from '../../src/adapters/pg/role-settings.js'
import { createAvolveDb, TransientError, type AvolveDb } from '../../src/server.js'
import { expectAvolveError } from '../support/expect-error.js'
import { recordFigure } from '../support/reliability-report.js'
import { createUsers } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'
import { inAnHour } from '../support/tokens.js'

/**
 * PostgREST applies the impersonated role's own settings to each request (Supabase gives
 * `authenticated` an 8 s statement_timeout and `anon` 3 s). The SDK does the same in its set-up
 * statement, whatever role it logs in as: here `authenticated` gets a statement_timeout and
 * `service_role` a lock_timeout in this file's database only, and calls wait on rows a superuser
 * holds locked. Without the role's setting a call would wait for the lock and then succeed.
 */
const db = useTestDatabase()
const opened: AvolveDb[] = []

beforeAll(async () => {
  await db().admin.query(`alter role authenticated in database ${db().name} set statement_timeout = '200ms'`)
  // A setting authenticator may not make (superuser context): left out, or every call would fail.
  await db().admin.query(`alter role authenticated in database ${db().name} set log_min_duration_statement = '5s'`)
  await db().admin.query(`alter role service_role in database ${db().name} set lock_timeout = '200ms'`)
})
let fired = 0
afterAll(async () => {
  recordFigure('role-settings', {
    area: 'faults',
    check:
      "the impersonated role's own settings per transaction: authenticated's statement_timeout and service_role's lock_timeout (200 ms) firing on locked rows, logged in as authenticator and as a superuser",
    cases: 4,
    faults: fired,
    violations: 4 - fired,
    command: 'npx vitest run test/sdk/role-settings.test.ts',
    notes: "each call failed whole with a typed TransientError (statement_timeout or lock_timeout), nothing applied; a timeout the connection string gives wins over the role's",
  })
  await Promise.all(opened.map((sdk) => sdk.destroy()))
  await db().admin.query(`alter role authenticated in database ${db().name} reset all; alter role service_role in database ${db().name} reset all`)
})

function sdkOn(url: string, options?: string): AvolveDb {
  const u = new URL(url)
  if (options) u.searchParams.set('options', options)
  const sdk = createAvolveDb({ connection: u.toString(), pool: { max: 2 }, retry: false })
  opened.push(sdk)
  return sdk
}

/** Holds `users`' balance rows locked from a superuser connection for `ms`, then lets go. */
async function lockFor(users: string[], ms: number): Promise<{ released: Promise<void> }> {
  const c = new pg.Client({ connectionString: db().adminUrl })
  await c.connect()
  await c.query('begin')
  await c.query('select 1 from public.token_balances where user_id = any($1) for update', [users])
  const released = new Promise<void>((r) => setTimeout(r, ms)).then(async () => {
    await c.query('commit')
    await c.end()
  })
  return { released }
}

async function fundedPair(sdk: AvolveDb): Promise<[string, string]> {
  const [a, b] = await createUsers(db().admin, 2)
  await sdk.asService().tokens.mint({ to: a!, tokenType: 'GEN', amount: '10' })
  await sdk.asService().tokens.mint({ to: b!, tokenType: 'GEN', amount: '10' })
  return [a!, b!]
}

describe.each([
  ['as authenticator (as PostgREST logs in)', () => db().authenticatorUrl],
  ['as a superuser (a login role with no timeout of its own)', () => db().adminUrl],
])('the impersonated role’s settings, logged in %s', (_label, url) => {
  it('a user call runs under authenticated’s statement_timeout: typed, retryable, nothing applied', async () => {
    const sdk = sdkOn(url())
    const [a, b] = await fundedPair(sdk)
    const me = await sdk.asUser({ sub: a, role: 'authenticated', exp: inAnHour() })
    const { released } = await lockFor([a, b], 1500)
    const started = Date.now()
    const error = await expectAvolveError(me.tokens.transfer({ to: b, tokenType: 'GEN', amount: '1' }), TransientError, 'statement_timeout')
    expect(Date.now() - started).toBeLessThan(1200)
    expect(error.sqlstate).toBe('57014')
    expect(error.retryable).toBe(true)
    await released
    expect(await me.tokens.balance('GEN')).toBe('10')
    fired++
  })

  it('a service call runs under service_role’s settings, not authenticated’s', async () => {
    const sdk = sdkOn(url())
    const [a, b] = await fundedPair(sdk)
    const { released } = await lockFor([a, b], 1500)
    // service_role's lock_timeout fires; authenticated's statement_timeout would have been 57014.
    await expectAvolveError(sdk.asService().tokens.transfer({ from: a, to: b, tokenType: 'GEN', amount: '1' }), TransientError, 'lock_timeout')
    await released
    expect(await sdk.asService().tokens.forUser(a).balance('GEN')).toBe('10')
    fired++
  })
})

describe('a setting the connection string gives', () => {
  it('wins over the role’s, as it does at a login', async () => {
    const sdk = sdkOn(db().authenticatorUrl, '-c statement_timeout=5000')
    const [a, b] = await fundedPair(sdk)
    const me = await sdk.asUser({ sub: a, role: 'authenticated', exp: inAnHour() })
    const { released } = await lockFor([a, b], 600)
    // Waits out the lock (600 ms, more than the role's 200 ms) and goes through.
    const row = await me.tokens.transfer({ to: b, tokenType: 'GEN', amount: '1' })
    await released
    expect(row).toMatchObject({ from_user_id: a, to_user_id: b, amount: '1' })
  })
})

describe('a session whose DateStyle is not ISO', () => {
  it.each([
    ['the connection string', 'SQL, DMY', false],
    ["the role's own setting", 'German', true],
  ])('set by %s (%s): writes and reads still come back as canonical timestamps', async (_by, style, onRole) => {
    if (onRole) await db().admin.query(`alter role authenticated in database ${db().name} set datestyle = '${style}'`)
    try {
      const sdk = sdkOn(db().authenticatorUrl, onRole ? undefined : `-c datestyle=${style.replace(' ', '')}`)
      const [a, b] = await fundedPair(sdk)
      const me = await sdk.asUser({ sub: a, role: 'authenticated', exp: inAnHour() })
      const row = await me.tokens.transfer({ to: b, tokenType: 'GEN', amount: '1' })
      expect(row.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
      const { items } = await me.tokens.history()
      expect(items.map((t) => t.created_at)).toContain(row.created_at)
      expect(await me.tokens.balanceAt('GEN', new Date())).toBe('9')
      expect((await me.tokens.statement({ tokenType: 'GEN' })).closingBalance).toBe('9')
    } finally {
      if (onRole) await db().admin.query(`alter role authenticated in database ${db().name} reset datestyle`)
    }
  })
})

describe('role settings whose names have capitals', () => {
  it('are read too (TimeZone is stored as TimeZone, not timezone)', async () => {
    await db().admin.query(`alter role service_role in database ${db().name} set timezone = 'Asia/Tokyo'`)
    const c = new pg.Client({ connectionString: db().authenticatorUrl })
    await c.connect()
    try {
      const runner = { executeQuery: (q: CompiledQuery) => c.query(q.sql, q.parameters as unknown[]).then((r) => ({ rows: r.rows })) }
      expect(await new RoleSettings().of('service_role', runner as never)).toContainEqual(['timezone', 'Asia/Tokyo'])
    } finally {
      await c.end()
      await db().admin.query(`alter role service_role in database ${db().name} reset timezone`)
    }
  })
})
