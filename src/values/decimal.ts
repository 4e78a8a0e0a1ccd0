/**
 * Exact decimal numbers as strings. Amounts never pass through a JavaScript double: they are
 * validated and normalised as text, and the database does the arithmetic.
 */

const DECIMAL = /^(\d+)(?:\.(\d+))?$/

/**
 * The canonical form of a non-negative decimal string: no leading zeros, no trailing fractional
 * zeros, no exponent (`"0100.500"` -> `"100.5"`, `"100.000"` -> `"100"`).
 */
export function canonicalDecimal(text: string): string {
  const m = DECIMAL.exec(text.trim())
  if (!m) throw new TypeError(`not a plain decimal number: ${JSON.stringify(text)}`)
  let int = m[1]!
  let start = 0
  while (start < int.length - 1 && int.charCodeAt(start) === 48) start++
  if (start) int = int.slice(start)
  const frac = m[2]
  if (frac === undefined) return int
  let end = frac.length
  while (end > 0 && frac.charCodeAt(end - 1) === 48) end--
  return end ? `${int}.${frac.slice(0, end)}` : int
}

/** Digits after the decimal point of a canonical decimal. */
export function decimalPlaces(canonical: string): number {
  const dot = canonical.indexOf('.')
  return dot < 0 ? 0 : canonical.length - dot - 1
}

/** Digits before the decimal point of a canonical decimal. */
export function integerDigits(canonical: string): number {
  const dot = canonical.indexOf('.')
  return dot < 0 ? canonical.length : dot
}

/** True for a canonical decimal equal to zero. */
export function isZero(canonical: string): boolean {
  return /^0(\.0*)?$/.test(canonical)
}

/** Normalises a decimal the database sent as text (`numeric::text`); anything else, `null` included, is refused. */
export function decimalFromDatabase(value: unknown): string {
  if (typeof value === 'string') {
    // Signed amounts (a ledger entry's debit) keep their sign; a negative zero is zero.
    if (value.startsWith('-')) {
      const magnitude = canonicalDecimal(value.slice(1))
      return isZero(magnitude) ? magnitude : `-${magnitude}`
    }
    return canonicalDecimal(value)
  }
  if (typeof value === 'bigint') return value.toString()
  throw new TypeError(`expected an exact number as text from the database, got ${typeof value}: a double would have rounded it`)
}
