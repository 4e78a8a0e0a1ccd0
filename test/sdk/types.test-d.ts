import { describe, expectTypeOf, it } from 'vitest'
import type { ConsentRecord, ConsentStatus, InteractionType, Page, Tables, TokenBalance, TokenCode, TokenTier, TokenTransaction, TokenType } from '../../src/index.js'
import type { ServiceScope, UserScope } from '../../src/server.js'
import type { TransferInput } from '../../src/schemas/tokens.js'
import type { SdkRow } from '../../src/generated/sdk-rows.js'

declare const me: UserScope
declare const service: ServiceScope

describe('results carry the generated types', () => {
  it('rows are the generated rows the SDK decodes (exact numbers as strings)', () => {
    expectTypeOf<ConsentRecord>().toEqualTypeOf<SdkRow<'user_consent'>>()
    expectTypeOf(me.consent.record('terms_of_service', ['v'])).resolves.toEqualTypeOf<SdkRow<'user_consent'>>()
    expectTypeOf(me.tokens.transfer({ to: '', tokenType: 'GEN', amount: '1' })).resolves.toEqualTypeOf<SdkRow<'token_transactions'>>()
    expectTypeOf(me.consent.list()).resolves.toEqualTypeOf<Page<ConsentRecord>>()
    expectTypeOf(me.tokens.history()).resolves.toEqualTypeOf<Page<TokenTransaction>>()
    expectTypeOf(me.tokens.balances()).resolves.toEqualTypeOf<TokenBalance[]>()
    expectTypeOf(me.tokenTypes.list()).resolves.toEqualTypeOf<TokenType[]>()
  })

  it('vocabulary columns are unions; exact numbers are strings', () => {
    expectTypeOf<ConsentRecord['status']>().toEqualTypeOf<ConsentStatus>()
    expectTypeOf<ConsentRecord['interaction_type']>().toEqualTypeOf<InteractionType>()
    expectTypeOf<TokenBalance['token_type']>().toEqualTypeOf<TokenCode>()
    expectTypeOf<TokenBalance['balance']>().toEqualTypeOf<string>()
    expectTypeOf<TokenTransaction['amount']>().toEqualTypeOf<string>()
    // The supabase-js Database row says what a plain select receives: a JSON number.
    expectTypeOf<Tables<'token_balances'>['balance']>().toEqualTypeOf<number>()
    expectTypeOf<Tables<'consent_history'>['id']>().toEqualTypeOf<number>()
    expectTypeOf<Tables<'token_types'>['tier']>().toEqualTypeOf<TokenTier>()
    expectTypeOf<TokenTier>().toEqualTypeOf<3 | 6 | 9>()
    expectTypeOf(me.tokens.balance('GEN')).resolves.toEqualTypeOf<string>()
  })
})

describe('wrong arguments do not compile', () => {
  it('consent', () => {
    // @ts-expect-error not an interaction type of the schema
    void me.consent.record('marketing_spam', ['v'])
    // @ts-expect-error terms are strings
    void me.consent.record('terms_of_service', [1])
    // @ts-expect-error not a consent status
    void me.consent.updateStatus('id', 'maybe')
    // @ts-expect-error unknown option
    void me.consent.list({ orderBy: 'created_at' })
  })

  it('tokens', () => {
    // @ts-expect-error not a token code of the schema
    void me.tokens.transfer({ to: 'b', tokenType: 'BTC', amount: '1' })
    // @ts-expect-error an amount is a string, bigint or number, not a boolean
    void me.tokens.transfer({ to: 'b', tokenType: 'GEN', amount: true })
    // @ts-expect-error the recipient is required
    void me.tokens.transfer({ tokenType: 'GEN', amount: '1' })
    // @ts-expect-error users cannot mint: only the service scope can
    void me.tokens.mint({ to: 'b', tokenType: 'GEN', amount: '1' })
    // @ts-expect-error not a token code
    void me.tokens.balance('gen')
    void service.tokens.mint({ to: 'b', tokenType: 'SHE', amount: 10n })
  })

  it('amounts: a number literal must be a non-negative integer (decimals are strings); wider types are checked at run time', () => {
    // @ts-expect-error a fractional number literal: a double cannot hold most decimals; write '1.5'
    void me.tokens.transfer({ to: 'b', tokenType: 'GEN', amount: 1.5 })
    // @ts-expect-error a negative amount
    void me.tokens.transfer({ to: 'b', tokenType: 'GEN', amount: -1 })
    // @ts-expect-error 1e21 is written 1e+21: not an integer literal TypeScript can vouch for
    void me.tokens.transfer({ to: 'b', tokenType: 'GEN', amount: 1e21 })
    // @ts-expect-error the service scope checks the same
    void service.tokens.mint({ to: 'b', tokenType: 'GEN', amount: 0.25 })
    // @ts-expect-error and so does its transfer
    void service.tokens.transfer({ from: 'a', to: 'b', tokenType: 'GEN', amount: 2.5 })
    void me.tokens.transfer({ to: 'b', tokenType: 'GEN', amount: 2 })
    void me.tokens.transfer({ to: 'b', tokenType: 'GEN', amount: '1.5' })
    void me.tokens.transfer({ to: 'b', tokenType: 'GEN', amount: 5n })
    void service.tokens.transfer({ from: 'a', to: 'b', tokenType: 'GEN', amount: 3 })
    const fromAForm: number = Number('7')
    void me.tokens.transfer({ to: 'b', tokenType: 'GEN', amount: fromAForm })
    const input: TransferInput = { to: 'b', tokenType: 'GEN', amount: '1' }
    void me.tokens.transfer(input)
  })
})
