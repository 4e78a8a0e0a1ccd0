import { describe, expect, it } from 'vitest'
import { InsufficientBalanceError } from '../../src/server.js'
import { checkLedgerInvariants } from '../support/ledger-invariants.js'
import { signedInUsers, useSdk } from '../support/sdk.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()
const sdk = useSdk(db, { pool: { max: 16 } })

function prng(seed: number) {
  let s = seed >>> 0
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32
}

describe('transfers through the SDK, 16 at a time', () => {
  it('keep balances >= 0, the supply, and balances equal to the ledger', async () => {
    const users = await signedInUsers(db(), sdk(), 6)
    for (const u of users) await sdk().asService().tokens.mint({ to: u.id, tokenType: 'SCQ', amount: '500' })
    const seed = Number(process.env.SEED ?? Date.now() % 100000)
    const counts = { ok: 0, refused: 0 }
    const unexpected: unknown[] = []
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        const random = prng(seed + w)
        for (let i = 0; i < 120; i++) {
          const from = users[Math.floor(random() * users.length)]!
          const others = users.filter((u) => u !== from)
          const to = others[Math.floor(random() * others.length)]!
          const amount = (Math.floor(random() * 300_000) / 1000 + 0.001).toFixed(3)
          try {
            await from.scope.tokens.transfer({ to: to.id, tokenType: 'SCQ', amount })
            counts.ok++
          } catch (e) {
            if (e instanceof InsufficientBalanceError) counts.refused++
            else unexpected.push(e)
          }
        }
      }),
    )
    expect(unexpected, `seed ${seed}`).toEqual([])
    expect(counts.ok + counts.refused).toBe(16 * 120)
    expect(counts.refused, 'overdrafts were attempted').toBeGreaterThan(0)
    const report = await checkLedgerInvariants(db().admin)
    expect(report.violations, `seed ${seed}`).toEqual([])
    expect(report.supply.SCQ).toBe('3000')
  })
})
