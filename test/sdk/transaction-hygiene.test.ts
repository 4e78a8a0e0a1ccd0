import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAvolveDb, type AvolveDb } from '../../src/server.js'
import { createUsers } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'
import { inAnHour, testJwtSecret } from '../support/tokens.js'

const db = useTestDatabase()
let pool: pg.Pool
let sdk: AvolveDb
const statements: string[] = []

beforeAll(() => {
  // One connection, so every call reuses it the way a transaction-mode pooler would hand it on.
  pool = new pg.Pool({ connectionString: db().authenticatorUrl, max: 1 })
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown
    ;(client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0]
      statements.push(typeof first === 'string' ? first : String((first as { text?: string }).text))
      return query(...args)
    }
  })
  sdk = createAvolveDb({ connection: pool, jwt: { secret: testJwtSecret } })
})
afterAll(async () => {
  await sdk.destroy()
  await pool.end()
})

async function connectionState() {
  const { rows } = await pool.query(`
    select current_user as user, current_setting('role') as role,
           coalesce(current_setting('request.jwt.claims', true), '') as claims,
           (select count(*)::int from pg_prepared_statements) as prepared,
           (select count(*)::int from pg_stat_activity where pid = pg_backend_pid() and state like 'idle in transaction%') as open`)
  return rows[0]
}

describe('what a call leaves on its connection', () => {
  it('nothing: no role, no claims, no prepared statement, no open transaction', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await sdk.asService().tokens.mint({ to: a!, tokenType: 'GEN', amount: '5' })
    const me = await sdk.asUser({ sub: a!, role: 'authenticated', exp: inAnHour() })
    await me.tokens.transfer({ to: b!, tokenType: 'GEN', amount: '1' })
    await me.consent.record('terms_of_service', ['v'])
    await me.tokens.transfer({ to: b!, tokenType: 'GEN', amount: '100' }).catch(() => {}) // a failure too
    await me
      .transaction(async (tx) => {
        await tx.consent.record('data_sharing', ['x'])
        throw new Error('abandon')
      })
      .catch(() => {})
    expect(await connectionState()).toEqual({ user: 'authenticator', role: 'none', claims: '', prepared: 0, open: 0 })
  })

  it('costs one round trip of set-up per transaction: begin, one set_config statement, the work, commit', async () => {
    const [a] = await createUsers(db().admin, 1)
    const me = await sdk.asUser({ sub: a!, role: 'authenticated', exp: inAnHour() })
    statements.length = 0
    await me.tokens.balance('GEN')
    expect(statements).toHaveLength(4)
    expect(statements[0]).toBe('begin')
    expect(statements[2]).toMatch(/^select .* from "public"\."token_balances" where/)
    expect(statements[3]).toBe('commit')
    // authenticated's own settings (its statement_timeout, as PostgREST applies it), ISO dates, the role, the claims.
    expect(statements[1]).toMatch(
      /^select (set_config\(\$\d+, \$\d+, true\), )+set_config\('datestyle', 'ISO', true\), set_config\('role', \$1, true\), set_config\('request\.jwt\.claims', \$2, true\)$/,
    )
  })

  it('binds the claims as a parameter, never as SQL text', async () => {
    const [a] = await createUsers(db().admin, 1)
    const me = await sdk.asUser({ sub: a!, role: 'authenticated', exp: inAnHour(), nickname: "'); drop table public.users; --" })
    statements.length = 0
    await me.tokens.balances()
    expect(statements.join('\n')).not.toContain('drop table')
    const { rows } = await db().admin.query(`select to_regclass('public.users') is not null as present`)
    expect(rows[0]).toEqual({ present: true })
  })
})
