import fc from 'fast-check'

/** Strings an attacker or a broken client sends: SQL, control characters, odd unicode, huge ones. */
export const hostileStrings = fc.oneof(
  fc.constantFrom(
    "'; drop table public.token_balances; --",
    "' or '1'='1",
    '$$; select pg_sleep(5); $$',
    '\u0000',
    'a\u0000b',
    '\\',
    '%_*',
    '{}',
    '{a,"b}',
    '(1,2)',
    'NULL',
    'null',
    'NaN',
    'Infinity',
    '-Infinity',
    '-1',
    '0',
    '1e1000',
    '1e200000',
    '0.0000000000000000001',
    '12345678901234567890123.5',
    ' 1',
    '1,5',
    '0x10',
    '\u202e\u200b\ufeff',
    '\ud800',
    '𝓐𝓿𝓸𝓵𝓿𝓮',
    'GEN ',
    'gen',
    'Approved',
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constant('x'.repeat(1_000_000)),
)

/** Any JSON-ish value, mostly the wrong type for whatever it is passed as. */
export const hostileValues: fc.Arbitrary<unknown> = fc.oneof(
  hostileStrings,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileStrings, { maxLength: 4 }),
  fc.constant(Array.from({ length: 100_000 }, () => 't')),
  fc.constant([['nested'], ['array']]),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
)

/** A value that is not a UUID (or is, but of nobody). */
export const badUuids = (someoneElse: () => string) =>
  fc.oneof(
    hostileValues.filter((v) => !(typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v))),
    fc.constant(null).map(() => crypto.randomUUID()),
    fc.constant(null).map(someoneElse),
  )

/** Above any balance the fuzz tests fund, so a transfer of it is refused even when well-formed. */
const MORE_THAN_ANY_BALANCE = 1_000_000

/**
 * Whether PostgreSQL's numeric input may read `v` as an amount some balance could cover. It accepts
 * more than plain decimals ('1.', ' 1', '+1', '1e2', '.5', '0x10', '1_0'; a JS number arrives as its
 * text), so this leans on JS's Number(), which reads all of those, and errs towards yes.
 */
function mayReadAsCoverableAmount(v: unknown): boolean {
  if (typeof v !== 'string' && typeof v !== 'number') return false
  const n = Number(String(v).trim().replace(/^\+/, '').replace(/_/g, ''))
  return Number.isFinite(n) && n > 0 && n < MORE_THAN_ANY_BALANCE
}

/** Amounts the database itself refuses, whatever the caller: for fuzzing the RPCs directly. */
export const badAmounts = fc.oneof(
  fc.constantFrom('0', '-1', '-0.5', 'NaN', 'Infinity', '1e1000', '1e20', '100000000000000000000', '0.0000000000000000001', '.', '', ' ', '١٢٣'),
  fc.constantFrom(0, -1, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY),
  hostileValues.filter((v) => !mayReadAsCoverableAmount(v)),
)

/**
 * Amounts the SDK refuses before any request: those above, and two that PostgreSQL's numeric reads
 * as valid amounts ('1.' is 1; the double 0.1 arrives as '0.1'), which the SDK refuses because an
 * amount must be a plain decimal string and never a JS float.
 */
export const badSdkAmounts = fc.oneof(badAmounts, fc.constantFrom('1.', 0.1))
