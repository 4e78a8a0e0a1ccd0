import { describe, expect, it } from 'vitest'
import { InsufficientBalanceError } from '../../src/server.js'
import { signedInUsers, useSdk } from '../support/sdk.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()
const sdk = useSdk(db)

describe('scope.transaction()', () => {
  it('commits several calls together as the user', async () => {
    const [alice, bob] = await signedInUsers(db(), sdk(), 2)
    await sdk().asService().tokens.mint({ to: alice!.id, tokenType: 'GEN', amount: '10' })
    const tx = await alice!.scope.transaction(async (t) => {
      await t.consent.record('token_transfer', ['transfer-terms-v1'])
      return t.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '4' })
    })
    expect(tx.amount).toBe('4')
    expect(await alice!.scope.consent.has('token_transfer')).toBe(true)
    expect(await alice!.scope.tokens.balance('GEN')).toBe('6')
  })

  it('rolls back everything when one call fails', async () => {
    const [alice, bob] = await signedInUsers(db(), sdk(), 2)
    await sdk().asService().tokens.mint({ to: alice!.id, tokenType: 'GEN', amount: '10' })
    await expect(
      alice!.scope.transaction(async (t) => {
        await t.consent.record('token_transfer', ['transfer-terms-v1'])
        await t.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '4' })
        await t.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '7' }) // overdraft now
      }),
    ).rejects.toBeInstanceOf(InsufficientBalanceError)
    expect(await alice!.scope.consent.has('token_transfer')).toBe(false)
    expect(await alice!.scope.tokens.balance('GEN')).toBe('10')
    expect(await bob!.scope.tokens.balance('GEN')).toBe('0')
  })

  it('reports a transaction that PostgreSQL rolled back at commit, after a caught failure', async () => {
    const [alice, bob] = await signedInUsers(db(), sdk(), 2)
    await sdk().asService().tokens.mint({ to: alice!.id, tokenType: 'GEN', amount: '10' })
    const attempt = alice!.scope.transaction(async (t) => {
      await t.consent.record('token_transfer', ['t'])
      await t.tokens.transfer({ to: bob!.id, tokenType: 'GEN', amount: '50' }).catch(() => 'ignored, though it aborted the transaction')
      return 'done'
    })
    await expect(attempt).rejects.toMatchObject({ name: 'RolledBackError', code: 'transaction_rolled_back' })
    expect(await alice!.scope.consent.has('token_transfer')).toBe(false)
  })

  it('sees its own uncommitted writes', async () => {
    const [alice] = await signedInUsers(db(), sdk(), 1)
    const seen = await alice!.scope.transaction(async (t) => {
      await t.consent.record('privacy_policy', ['pp'])
      return t.consent.has('privacy_policy')
    })
    expect(seen).toBe(true)
  })
})
