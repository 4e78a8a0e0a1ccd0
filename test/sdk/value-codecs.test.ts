import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalDecimal, decimalFromDatabase } from '../../src/values/decimal.js'
import { canonicalTimestamp } from '../../src/values/timestamp.js'

// What the codecs must accept, stated independently of how they are written; the tests hold them to
// it on generated inputs, near-misses included.
const DECIMAL_SPEC = /^(\d+)(?:\.(\d+))?$/
const UTC_SPEC = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(?:\+00(?::00)?|Z)$/

function decimalBySpec(text: string): string {
  const m = DECIMAL_SPEC.exec(text.trim())
  if (!m) throw new TypeError('refused')
  const int = m[1]!.replace(/^0+(?=\d)/, '')
  const frac = (m[2] ?? '').replace(/0+$/, '')
  return frac ? `${int}.${frac}` : int
}

const outcome = (f: () => string) => {
  try {
    return { value: f() }
  } catch (e) {
    return { refused: e instanceof TypeError }
  }
}

const digits = (max: number) => fc.string({ unit: fc.constantFrom('0', '0', '1', '5', '9'), minLength: 0, maxLength: max })
const noise = fc.constantFrom('', '', '', ' ', '-', '+', 'e', '.', 'x', '٣', '\t')

describe('canonicalDecimal', () => {
  it('normalises like its specification and refuses what it refuses', () => {
    const candidate = fc.tuple(noise, digits(8), fc.constantFrom('', '.', '.', '..'), digits(8), noise).map((parts) => parts.join(''))
    fc.assert(
      fc.property(candidate, (text) => {
        expect(outcome(() => canonicalDecimal(text))).toEqual(outcome(() => decimalBySpec(text)))
      }),
      { numRuns: 3000 },
    )
  })

  it.each([
    ['0100.500', '100.5'],
    ['100.000', '100'],
    ['0', '0'],
    ['000', '0'],
    ['0.0', '0'],
    ['12.500000000000000000', '12.5'],
    [' 7 ', '7'],
  ])('%j -> %j', (input, expected) => {
    expect(canonicalDecimal(input)).toBe(expected)
  })

  it.each(['', '.', '1.', '.5', '-1', '1e3', '1.2.3', 'NaN', '0x10'])('refuses %j', (input) => {
    expect(() => canonicalDecimal(input)).toThrow(TypeError)
  })
})

describe('decimalFromDatabase', () => {
  it('keeps the sign of a signed amount (a debit entry) and reads negative zero as zero', () => {
    fc.assert(
      fc.property(
        digits(20).filter((d) => d.length > 0),
        digits(18),
        (int, frac) => {
          const text = frac ? `${int}.${frac}` : int
          const magnitude = decimalBySpec(text)
          expect(decimalFromDatabase(text)).toBe(magnitude)
          expect(decimalFromDatabase(`-${text}`)).toBe(/^0(\.0*)?$/.test(magnitude) ? magnitude : `-${magnitude}`)
        },
      ),
    )
    expect(decimalFromDatabase('-1.000000000000000000')).toBe('-1')
    expect(() => decimalFromDatabase('--1')).toThrow(TypeError)
    expect(() => decimalFromDatabase(null)).toThrow(TypeError)
  })
})

describe('canonicalTimestamp', () => {
  const two = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'))
  const candidate = fc
    .tuple(
      fc.integer({ min: 1000, max: 9999 }).map(String),
      two,
      two,
      fc.constantFrom(' ', 'T', 't', '_'),
      two,
      fc.constantFrom(':', ':', '-'),
      two,
      two,
      fc.oneof(
        fc.constant(''),
        digits(8).map((d) => `.${d}`),
      ),
      fc.constantFrom('+00', '+00:00', 'Z', '+0000', '+01', '', ' +00', '+00 '),
    )
    .map(([y, mo, d, sep, h, colon, mi, s, frac, zone]) => `${y}-${mo}-${d}${sep}${h}${colon}${mi}:${s}${frac}${zone}`)

  it('rewrites UTC text exactly as its specification does; anything else is converted or refused', () => {
    const seen = { utc: 0, other: 0 }
    fc.assert(
      fc.property(candidate, (text) => {
        const m = UTC_SPEC.exec(text)
        const result = outcome(() => canonicalTimestamp(text))
        if (m) {
          seen.utc++
          expect(result).toEqual({ value: `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(6, '0')}Z` })
        } else {
          seen.other++
          if ('value' in result) expect(result.value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
          else expect(result).toEqual({ refused: true })
        }
      }),
      { numRuns: 3000 },
    )
    // Both sides of the fast path were exercised.
    expect(seen.utc).toBeGreaterThan(100)
    expect(seen.other).toBeGreaterThan(100)
  })

  it.each([
    ['2026-12-01 09:37:37.1234+00', '2026-12-01T09:37:37.123400Z'],
    ['2026-12-01T09:37:37+00:00', '2026-12-01T09:37:37.000000Z'],
    ['2026-12-01 09:37:37.123456Z', '2026-12-01T09:37:37.123456Z'],
    // Not UTC text: the general path converts the offset.
    ['2026-12-01 10:37:37.5+01', '2026-12-01T09:37:37.500000Z'],
    ['2026-12-01T09:37:37+0000', '2026-12-01T09:37:37.000000Z'],
    ['0050-03-01 01:00:00+01', '0050-03-01T00:00:00.000000Z'],
  ])('%j -> %j', (input, expected) => {
    expect(canonicalTimestamp(input)).toBe(expected)
  })

  it.each([
    '2026-12-01 09:37:37.+00',
    '2026-12-01 09:37:37.1234567+00',
    '2026-12-01 9:37:37+00',
    'yesterday',
    // Dates that do not exist, which Date.UTC would have rolled over into a later month or year.
    '2026-13-01 10:00:00+01',
    '2026-02-30 10:00:00+01',
    '9998-22-93 01:00:00+01',
    // Past year 9999, which the canonical form has no room for.
    '9999-12-31 23:30:00-01',
  ])('refuses %j', (input) => {
    expect(() => canonicalTimestamp(input)).toThrow(TypeError)
  })
})
