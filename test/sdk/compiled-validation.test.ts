import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ValidationError } from '../../src/errors/avolve-error.js'
import { parseInput, validationErrorFrom } from '../../src/errors/validation.js'
import {
  consentListOptionsSchema,
  mintInputSchema,
  recordConsentInputSchema,
  serviceTransferInputSchema,
  tokenCodeSchema,
  tokenHistoryOptionsSchema,
  transferInputSchema,
  updateConsentStatusInputSchema,
  uuidSchema,
} from '../../src/schemas/index.js'
import { encodeCursor } from '../../src/values/cursor.js'

const alice = '2B1A5E1C-4d52-4d3b-9a3e-5f7e3c2a1b0d'
const key = '9f5df915-a127-411d-b889-37aebce56a29'
const cursor = encodeCursor({ at: '2026-12-01T10:00:00.123456Z', id: key })

/** Valid and refused inputs of every schema the repositories validate with. */
const cases: Array<[string, z.ZodType, unknown[]]> = [
  [
    'transfer',
    transferInputSchema,
    [
      { to: alice, tokenType: 'GEN', amount: '012.50', memo: 'thanks' },
      { to: alice, tokenType: 'GEN', amount: 5n, idempotencyKey: key },
      { to: alice, tokenType: 'GEN', amount: 7 },
      { to: alice, tokenType: 'GEN', amount: 0.1 },
      { to: alice, tokenType: 'GEN', amount: '-1' },
      { to: alice, tokenType: 'GEN', amount: '0.000' },
      { to: alice, tokenType: 'GEN', amount: '1'.repeat(21) },
      { to: alice, tokenType: 'GEN', amount: '1.0000000000000000001' },
      { to: 'x', tokenType: 'NOPE', amount: {} },
      { to: alice, tokenType: 'GEN', amount: '1', memo: 'a\u0000b' },
      { to: alice, tokenType: 'GEN', amount: '1', memo: 'm'.repeat(501) },
      { to: alice, tokenType: 'GEN', amount: '1', extra: true },
      null,
      'transfer',
    ],
  ],
  [
    'service transfer',
    serviceTransferInputSchema,
    [
      { from: key, to: alice, tokenType: 'SAP', amount: '1.5' },
      { to: alice, tokenType: 'GEN', amount: '1' },
    ],
  ],
  [
    'mint',
    mintInputSchema,
    [
      { to: alice, tokenType: 'GEN', amount: '100' },
      { to: alice, tokenType: 'GEN', amount: '1e3' },
    ],
  ],
  [
    'consent',
    recordConsentInputSchema,
    [
      { interactionType: 'terms_of_service', terms: ['tos-2026-12'] },
      { interactionType: 'terms_of_service', terms: [] },
      { interactionType: 'terms_of_service', terms: ['  '] },
      { interactionType: 'nope', terms: 'tos' },
    ],
  ],
  [
    'consent status',
    updateConsentStatusInputSchema,
    [
      { id: key, status: 'revoked' },
      { id: key, status: 'maybe' },
    ],
  ],
  [
    'consent list',
    consentListOptionsSchema,
    [
      {},
      { since: '2026-12-01T00:00:00+01:00', until: new Date('2026-12-02T00:00:00Z'), limit: 5, cursor },
      { since: '2026-12-02T00:00:00Z', until: '2026-12-01T00:00:00Z' },
      { since: 'yesterday', limit: 0, cursor: 'not a cursor' },
    ],
  ],
  ['history', tokenHistoryOptionsSchema, [{ tokenType: 'GEN', limit: 100 }, { limit: 101.5 }]],
  ['token code', tokenCodeSchema, ['GEN', 'gen']],
  ['uuid', uuidSchema, [key, alice, `${key}0`]],
]

function outcome(parse: () => unknown) {
  try {
    return { data: parse() }
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    return { message: error.message, issues: error.issues }
  }
}

describe("validation through zod's compiled fast path", () => {
  it('is available in the zod this package is built and tested with', () => {
    expect(typeof z.compile).toBe('function')
  })

  it.each(cases)('compiles every schema the repositories use, with no fallback to the runtime parser (%s)', (_, schema) => {
    expect(() => z.compile(schema, { strict: true })).not.toThrow()
  })

  it.each(cases)("gives the same data and the same issues as zod's own parser (%s)", (what, schema, inputs) => {
    for (const input of inputs) {
      const runtime = schema.safeParse(input)
      const expected = runtime.success ? { data: runtime.data } : { message: validationErrorFrom(runtime.error, what).message, issues: validationErrorFrom(runtime.error, what).issues }
      // Twice: the first call compiles the schema, the second uses the compiled one.
      expect(
        outcome(() => parseInput(schema, input, what)),
        JSON.stringify(input, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)),
      ).toEqual(expected)
      expect(outcome(() => parseInput(schema, input, what))).toEqual(expected)
    }
  })

  it('refuses at least one input of each schema, so that the comparison covers issues', () => {
    for (const [, schema, inputs] of cases) expect(inputs.some((i) => !schema.safeParse(i).success)).toBe(true)
  })
})
