import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAvolveClient } from '../../src/client.js'
import { createAvolveDb } from '../../src/server.js'
import { createPostgrestServer, type PostgrestServer } from '../support/postgrest/server.js'
import { createUsers } from '../support/requests.js'
import { supabaseAs } from '../support/supabase-session.js'
import { useTestDatabase } from '../support/test-database.js'
import { signUserToken, testJwtSecret } from '../support/tokens.js'

const db = useTestDatabase()
let api: PostgrestServer
beforeAll(async () => {
  api = await createPostgrestServer({ databaseUrl: db().authenticatorUrl, jwtSecret: testJwtSecret })
})
afterAll(() => api?.close())

describe('amounts never pass through a double on the client path', () => {
  it('PostgREST sends numeric as a JSON number that rounds; the SDK reads text and stays exact', async () => {
    const [alice, bob] = (await createUsers(db().admin, 2)) as [string, string]
    const exact = '12345678901234567.123456789012345678'
    const server = createAvolveDb({ connection: db().authenticatorUrl, jwt: { secret: testJwtSecret } })
    await server.asService().tokens.mint({ to: alice, tokenType: 'GEN', amount: exact })
    await server.destroy()

    const supabase = supabaseAs(api.url, { accessToken: await signUserToken(alice), userId: alice })
    const naive = await supabase.from('token_balances').select('balance').eq('user_id', alice).single()
    expect(naive.error).toBeNull()
    expect(typeof naive.data!.balance).toBe('number') // what a plain select gets
    expect(String(naive.data!.balance)).not.toBe(exact) // ... and it is wrong: 12345678901234568

    const avolve = createAvolveClient(supabase)
    expect(await avolve.tokens.balance('GEN')).toBe(exact)
    const tx = await avolve.tokens.transfer({ to: bob, tokenType: 'GEN', amount: '0.000000000000000001' })
    expect(tx.amount).toBe('0.000000000000000001')
    expect(await avolve.tokens.balance('GEN')).toBe('12345678901234567.123456789012345677')
    expect((await avolve.tokens.history()).items.map((t) => t.amount)).toEqual(['0.000000000000000001', exact])
  })
})
