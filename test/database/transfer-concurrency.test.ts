import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { asRequester, createUsers, mint, user } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'
import { checkLedgerInvariants } from '../support/ledger-invariants.js'

const db = useTestDatabase()

// A small deterministic PRNG so a failure can be replayed from the printed seed.
function prng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

describe('transfer_tokens under 16 concurrent connections', () => {
  it('keeps every balance >= 0, the supply unchanged, balances equal to the ledger, and never deadlocks', async () => {
    const users = await createUsers(db().admin, 5)
    const tokens = ['GEN', 'SAP']
    for (const u of users) for (const t of tokens) await mint(db().api, u, t, '1000')
    const seed = Number(process.env.SEED ?? Date.now() % 100000)
    const workers = 16
    const perWorker = 250
    const outcomes = { ok: 0, insufficient: 0 }
    const unexpected: string[] = []

    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        const random = prng(seed * 31 + w)
        for (let i = 0; i < perWorker; i++) {
          const from = users[Math.floor(random() * users.length)]!
          let to = users[Math.floor(random() * users.length)]!
          if (to === from) to = users[(users.indexOf(from) + 1) % users.length]!
          const token = tokens[Math.floor(random() * tokens.length)]!
          // Up to 600 with 6 decimals: large enough that overdrafts are frequent.
          const amount = (Math.floor(random() * 600_000_000) / 1_000_000 + 0.000001).toFixed(6)
          try {
            await asRequester(db().api, user(from), (c) =>
              c.query('select public.transfer_tokens($1, $2, $3, $4::numeric, $5)', [from, to, token, amount, randomUUID()]),
            )
            outcomes.ok++
          } catch (e) {
            const code = (e as { code?: string }).code
            if (code === 'VT006') outcomes.insufficient++
            else unexpected.push(`${code}: ${(e as Error).message}`)
          }
        }
      }),
    )

    expect(unexpected, `seed ${seed}`).toEqual([])
    expect(outcomes.ok + outcomes.insufficient).toBe(workers * perWorker)
    expect(outcomes.ok).toBeGreaterThan(100)
    expect(outcomes.insufficient).toBeGreaterThan(10)

    const report = await checkLedgerInvariants(db().admin)
    expect(report.violations, `seed ${seed}`).toEqual([])
    expect(report.supply).toEqual({ GEN: '5000', SAP: '5000' })
  })
})
