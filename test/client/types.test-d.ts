import { createClient } from '@supabase/supabase-js'
import { describe, expectTypeOf, it } from 'vitest'
import { createAvolveClient, type AvolveClient, type Database, type TokenBalance } from '../../src/client.js'
import type { UserScope } from '../../src/server.js'

describe('the client adapter types', () => {
  it("takes the app's typed supabase-js client and offers the server user scope's repositories", () => {
    const supabase = createClient<Database>('http://localhost', 'anon')
    const avolve = createAvolveClient(supabase)
    expectTypeOf(avolve).toEqualTypeOf<AvolveClient>()
    expectTypeOf<AvolveClient['tokens']>().toEqualTypeOf<UserScope['tokens']>()
    expectTypeOf<AvolveClient['consent']>().toEqualTypeOf<UserScope['consent']>()
    expectTypeOf<AvolveClient['tokenTypes']>().toEqualTypeOf<UserScope['tokenTypes']>()
    expectTypeOf(avolve.tokens.balances()).resolves.toEqualTypeOf<TokenBalance[]>()
  })

  it('gives supabase-js the generated Database type', async () => {
    const supabase = createClient<Database>('http://localhost', 'anon')
    const { data } = await supabase.from('token_balances').select('token_type, balance::text').single()
    expectTypeOf(data!.token_type).toEqualTypeOf<'BSP' | 'GEN' | 'PSP' | 'SAP' | 'SCQ' | 'SGB' | 'SHE' | 'SMS' | 'SPD' | 'SSA'>()
    expectTypeOf(data!.balance).toEqualTypeOf<string>()
    const consent = await supabase.rpc('record_consent', { p_user_id: 'u', p_interaction_type: 'terms_of_service', p_terms: ['v'] })
    expectTypeOf(consent.data).toEqualTypeOf<string | null>()
    // @ts-expect-error p_terms is text[]
    await supabase.rpc('record_consent', { p_user_id: 'u', p_interaction_type: 'x', p_terms: 'v' })
  })
})
