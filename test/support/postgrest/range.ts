import { pgrstError } from './errors.js'
import type { Params } from './sql.js'

/**
 * Row ranges as in RangeQuery.hs and ApiRequest.getRanges: inclusive bounds, `upper: null` for
 * unbounded. A range whose upper bound is below its lower bound is empty.
 */
export interface Range {
  lower: number
  upper: number | null
}

const all: Range = { lower: 0, upper: null }
const empty: Range = { lower: 1, upper: 0 }
/** `limit=0` (0 <= x <= -1): the one empty range that is allowed. */
const limitZero: Range = { lower: 0, upper: -1 }

const isEmpty = (r: Range) => r.upper !== null && r.upper < r.lower
const isAll = (r: Range) => r.lower === 0 && r.upper === null

function intersect(a: Range, b: Range): Range {
  if (isEmpty(a) || isEmpty(b)) return empty
  const upper = a.upper === null ? b.upper : b.upper === null ? a.upper : Math.min(a.upper, b.upper)
  return { lower: Math.max(a.lower, b.lower), upper }
}

/** Haskell's `readMaybe :: Integer`: anything else is ignored. */
const readInteger = (v: string | undefined) => (v !== undefined && /^\s*-?\d+\s*$/.test(v) ? Number(v) : undefined)

/** The top-level range from `limit`/`offset` and (GET only) the `Range: a-b` header; PGRST103 when empty. */
export function requestedRange(limit: string | undefined, offset: string | undefined, rangeHeader: string | undefined): Range {
  const l = readInteger(limit)
  const o = readInteger(offset)
  let limitRange = all
  if (limit !== undefined && offset !== undefined) {
    const start = o ?? 0
    limitRange = { lower: start, upper: start + (l ?? 0) - 1 }
  } else if (l !== undefined) limitRange = { lower: 0, upper: l - 1 }
  else if (o !== undefined) limitRange = { lower: o, upper: null }

  const m = rangeHeader === undefined ? null : /^([0-9]+)-([0-9]*)$/.exec(rangeHeader)
  const headerRange = m ? { lower: Number(m[1]), upper: m[2] === '' ? null : Number(m[2]) } : all
  const hasLimitZero = limitRange.upper === -1
  const top = hasLimitZero ? limitZero : intersect(headerRange, limitRange)
  if (isEmpty(top) && !hasLimitZero) {
    const details = isEmpty(headerRange) ? 'The lower boundary must be lower than or equal to the upper boundary in the Range header.' : 'Limit should be greater than or equal to zero.'
    throw pgrstError(416, 'PGRST103', 'Requested range not satisfiable', details)
  }
  return top
}

/** `LIMIT $l OFFSET $o`, only when a range was asked for (limitOffsetF). */
export function limitOffsetSql(range: Range, params: Params): string {
  if (isAll(range)) return ''
  const limit = range.upper === null ? 'ALL' : params.add(String(1 + range.upper - range.lower))
  return `LIMIT ${limit} OFFSET ${params.add(String(range.lower))}`
}

/** `Content-Range` and the status (200/206/416) from rangeStatusHeader. */
export function rangeStatus(range: Range, pageTotal: number, total: number | null): { status: number; contentRange: string } {
  const lower = range.lower
  const upper = lower + pageTotal - 1
  const span = total !== 0 && lower <= upper ? `${lower}-${upper}` : '*'
  const contentRange = `${span}/${total ?? '*'}`
  if (total === null) return { status: 200, contentRange }
  const status = lower > total ? 416 : 1 + upper - lower < total ? 206 : 200
  return { status, contentRange }
}
