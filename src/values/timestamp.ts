/**
 * Timestamps in one canonical form, whichever path they came by: PostgreSQL's text output
 * (`2026-12-01 09:37:37.1234+00`) over a direct connection, or its JSON output
 * (`2026-12-01T09:37:37.1234+00:00`) through PostgREST. The canonical form is UTC with all six
 * fractional digits, `2026-12-01T09:37:37.123400Z`: exact to the microsecond (a JS Date is not),
 * and ordered like the instants it names when compared as strings.
 */

const PG_TIMESTAMP = /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/

/** PostgreSQL's text output in a UTC session, the usual case: rewritten without any date arithmetic. */
const UTC_TEXT = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(?:\+00(?::00)?|Z)$/

export function canonicalTimestamp(text: string): string {
  const utc = UTC_TEXT.exec(text)
  if (utc) return `${utc[1]}T${utc[2]}.${(utc[3] ?? '').padEnd(6, '0')}Z`
  const m = PG_TIMESTAMP.exec(text.trim())
  if (!m) throw new TypeError(`not a timestamp: ${JSON.stringify(text)}`)
  const [, y, mo, d, h, mi, s, frac = '', , sign, oh = '0', om = '0', os = '0'] = m
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number]
  const offsetSeconds = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60 + Number(os)) : 0
  // setUTCFullYear, unlike Date.UTC, takes years 0-99 literally. Both roll month 13 or day 32 over
  // into the next year or month: a wall-clock time that does not read back unchanged does not exist.
  const local = new Date(0)
  local.setUTCFullYear(year, month - 1, day)
  local.setUTCHours(hour, minute, second, 0)
  const exists =
    local.getUTCFullYear() === year &&
    local.getUTCMonth() === month - 1 &&
    local.getUTCDate() === day &&
    local.getUTCHours() === hour &&
    local.getUTCMinutes() === minute &&
    local.getUTCSeconds() === second
  if (!exists) throw new TypeError(`not a timestamp: ${JSON.stringify(text)} names no such date or time`)
  const iso = new Date(local.getTime() - offsetSeconds * 1000).toISOString() // whole seconds: the fraction is kept as digits below
  // Beyond year 9999 toISOString writes a six-digit signed year, which this form has no room for.
  if (iso.length !== 24) throw new TypeError(`not a timestamp up to year 9999: ${JSON.stringify(text)}`)
  return `${iso.slice(0, 19)}.${frac.padEnd(6, '0')}Z`
}

/** A point in time as the SDK takes it: an ISO 8601 string with an offset, or a Date. */
export type TimestampInput = string | Date

/** The canonical form of a timestamp input: an ISO string or a Date. */
export function timestampInput(value: TimestampInput): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError('invalid Date')
    return canonicalTimestamp(value.toISOString())
  }
  return canonicalTimestamp(value)
}
