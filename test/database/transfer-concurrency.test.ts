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
            await asRequester(db().api, user(from), (c) => c.query('select public.transfer_tokens($1, $2, $3, $4::numeric, $5)', [from, to, token, amount, randomUUID()]))
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

  it('one hot receiver that also pays back, and first credits racing to fresh accounts: no deadlock, every chain holds', async () => {
    const senders = await createUsers(db().admin, 6)
    const [hot] = await createUsers(db().admin, 1)
    const fresh = await createUsers(db().admin, 6)
    for (const u of senders) await mint(db().api, u, 'GEN', '1000')
    const seed = Number(process.env.SEED ?? Date.now() % 100000)
    const unexpected: string[] = []
    let moved = 0
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        const random = prng(seed * 17 + w)
        for (let i = 0; i < 60; i++) {
          const pick = random()
          // Most pay the hot account; some are its payments back (both lock orders); some are first credits.
          const [from, to] =
            pick < 0.6
              ? [senders[Math.floor(random() * senders.length)]!, hot!]
              : pick < 0.8
                ? [hot!, senders[Math.floor(random() * senders.length)]!]
                : [senders[Math.floor(random() * senders.length)]!, fresh[Math.floor(random() * fresh.length)]!]
          try {
            await asRequester(db().api, user(from), (c) => c.query(`select public.transfer_tokens($1, $2, 'GEN', 1, $3)`, [from, to, randomUUID()]))
            moved++
          } catch (e) {
            const code = (e as { code?: string }).code
            if (code !== 'VT006') unexpected.push(`${code}: ${(e as Error).message}`)
          }
        }
      }),
    )
    expect(unexpected, `seed ${seed}`).toEqual([])
    expect(moved).toBeGreaterThan(600)
    const report = await checkLedgerInvariants(db().admin)
    expect(report.violations, `seed ${seed}`).toEqual([])
    const { rows } = await db().admin.query<{ n: number }>(`select count(*)::int as n from public.token_balances where user_id = any($1)`, [fresh])
    expect(rows[0]!.n).toBeGreaterThan(0)
  })
})
