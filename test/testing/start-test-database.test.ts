import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAvolveDb } from '../../src/server.js'
import { startTestDatabase, type AvolveTestDatabase } from '../../src/testing.js'
import { packageRoot } from '../../src/tooling/migrations.js'

async function query<R extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  await client.connect()
  try {
    return (await client.query<R>(sql, values)).rows
  } finally {
    await client.end()
  }
}

describe('@avolve/db/testing: startTestDatabase', () => {
  let testDb: AvolveTestDatabase
  beforeAll(async () => {
    // As an app's test would run it: from the app's folder, which has supabase/migrations/.
    testDb = await startTestDatabase({ cwd: join(packageRoot(), 'test', 'app', 'fixture') })
  })
  afterAll(async () => {
    await testDb?.stop()
  })

  it("applies our migrations and the app's, and makes users whose tokens the server SDK accepts", async () => {
    const alice = await testDb.createUser({ displayName: 'Alice' })
    const bob = await testDb.createUser()
    expect(testDb.appUrl).toMatch(/^postgres:\/\/authenticator:/)
    const db = createAvolveDb({ connection: testDb.appUrl, jwt: { secret: testDb.jwtSecret } })
    try {
      await db.asService().tokens.mint({ to: alice.id, tokenType: 'GEN', amount: '10' })
      const me = await db.asUser(alice.token)
      await me.tokens.transfer({ to: bob.id, tokenType: 'GEN', amount: '2.5' })
      expect(await me.tokens.balance('GEN')).toBe('7.5')
    } finally {
      await db.destroy()
    }
    expect(await query(testDb.url, `select to_regclass('public.app_rewards') is not null as made, (select display_name from public.users where id = $1) as name`, [alice.id])).toEqual([
      { made: true, name: 'Alice' },
    ])
  })

  it('signs expired tokens too, which the SDK refuses as token_expired', async () => {
    const carol = await testDb.createUser()
    const db = createAvolveDb({ connection: testDb.appUrl, jwt: { secret: testDb.jwtSecret, clockToleranceSeconds: 0 } })
    try {
      await expect(db.asUser(await testDb.tokenFor(carol.id, { expiresIn: -60 }))).rejects.toMatchObject({ code: 'token_expired' })
    } finally {
      await db.destroy()
    }
  })

  it('is gone once stopped', async () => {
    const other = await startTestDatabase({ migrations: join(packageRoot(), 'test', 'app', 'fixture', 'supabase', 'migrations') })
    expect(await query(other.url, `select count(*)::int as n from public.app_rewards`)).toEqual([{ n: 0 }])
    await other.stop()
    await expect(query(other.url, 'select 1')).rejects.toThrow()
  })
})
