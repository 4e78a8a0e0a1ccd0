import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { amountSchema, limits, memoSchema, termsSchema } from '../../src/index.js'
import { createUsers, mint, queryAs, user } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()

/** Whether the database accepts the call (as the user, straight through SQL, no SDK in between). */
async function databaseAccepts(sql: string, values: unknown[], as: string): Promise<boolean> {
  return queryAs(db().api, user(as), sql, values).then(
    () => true,
    () => false,
  )
}

describe("the SDK's limits are the database's", () => {
  it('terms: count and length', async () => {
    const [a] = await createUsers(db().admin, 1)
    const record = (terms: string[]) => databaseAccepts(`select public.record_consent($1, 'terms_of_service', $2)`, [a, terms], a!)
    const cases = [
      Array.from({ length: limits.maxTerms }, (_, i) => `t${i}`),
      Array.from({ length: limits.maxTerms + 1 }, (_, i) => `t${i}`),
      ['x'.repeat(limits.maxTermLength)],
      ['x'.repeat(limits.maxTermLength + 1)],
      // Characters outside the BMP are two UTF-16 units each, and one character to the database.
      ['😀'.repeat(limits.maxTermLength)],
      ['😀'.repeat(limits.maxTermLength + 1)],
    ]
    for (const terms of cases) expect(termsSchema.safeParse(terms).success, `${terms.length} terms`).toBe(await record(terms))
  })

  it('memo length, amount size and decimal places', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await mint(db().api, a!, 'GEN', '99999999999999999999')
    const transfer = (amount: string, memo: string | null) => databaseAccepts(`select public.transfer_tokens($1, $2, 'GEN', $3::numeric, $4, $5)`, [a, b, amount, randomUUID(), memo], a!)
    for (const memo of ['m'.repeat(limits.maxMemoLength), 'm'.repeat(limits.maxMemoLength + 1), '😀'.repeat(limits.maxMemoLength), '😀'.repeat(limits.maxMemoLength + 1)]) {
      expect(memoSchema.safeParse(memo).success, `memo of ${memo.length}`).toBe(await transfer('1', memo))
    }
    for (const amount of [
      '1'.padEnd(limits.maxAmountIntegerDigits, '0'),
      '1'.padEnd(limits.maxAmountIntegerDigits + 1, '0'),
      `0.${'0'.repeat(limits.maxDecimals - 1)}1`,
      `0.${'0'.repeat(limits.maxDecimals)}1`,
    ]) {
      expect(amountSchema.safeParse(amount).success, `amount ${amount}`).toBe(await transfer(amount, null))
    }
  })
})
