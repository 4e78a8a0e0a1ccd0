import { pgrstError, type Headers } from './errors.js'
import { rangeStatus, type Range } from './range.js'
import type { PostgrestVersion } from './version.js'

export interface Reply {
  status: number
  headers: Headers
  body?: string | undefined
  /** What the request's transaction left in `response.status` / `response.headers` (calls only). */
  gucs?: { status: string | null; headers: string | null }
}

/** How the client asked for the result: Accept, Prefer: count, the range, HEAD. */
export interface Shape {
  singular: boolean
  count: boolean
  range: Range
  head: boolean
  /** Set when the client named the schema (Accept-Profile / Content-Profile): echoed as Content-Profile. */
  profile?: string
  /** The `Preference-Applied` value, if any preference was applied. */
  preferenceApplied?: string
  /** `Prefer: max-affected=n` with `handling=strict` (calls only). */
  maxAffected?: number
  version: PostgrestVersion
}

/** The main query's one row (the columns PostgREST's mainRead / mainCall select). */
export interface ResultRow {
  total_result_set: string | null
  page_total: string
  body: string
  response_headers?: string | null
  response_status?: string | null
}

const singularTypes = ['application/vnd.pgrst.object+json', 'application/vnd.pgrst.object']

/** Content negotiation for the two JSON representations this fixture has (PGRST107 otherwise). */
export function wantsSingular(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return false
  const ranked = accept
    .split(',')
    .map((part, index) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase())
      const q = params.find((p) => p.startsWith('q='))
      return { type, q: q === undefined ? 1 : Number(q.slice(2)), index }
    })
    .sort((a, b) => b.q - a.q || a.index - b.index)
  for (const { type } of ranked) {
    if (type === 'application/json' || type === '*/*') return false
    if (singularTypes.includes(type)) return true
  }
  throw pgrstError(406, 'PGRST107', `None of these media types are available: ${ranked.map((r) => r.type).join(', ')}`)
}

/**
 * The response for a read or a call (Response.hs), from the main query's row. Called inside the
 * transaction: a singular request that does not get exactly one row throws PGRST116 and rolls back.
 */
export function resultReply(row: ResultRow, shape: Shape): Reply {
  const pageTotal = Number(row.page_total)
  if (shape.singular && pageTotal !== 1) {
    const message = shape.version === '12.2' ? 'JSON object requested, multiple (or no) rows returned' : 'Cannot coerce the result to a single JSON object'
    throw pgrstError(406, 'PGRST116', message, `The result contains ${pageTotal} rows`)
  }
  const total = row.total_result_set === null ? null : Number(row.total_result_set)
  const { status, contentRange } = rangeStatus(shape.range, pageTotal, total)
  const headers: Headers = {
    'Content-Range': contentRange,
    'Content-Type': shape.singular ? 'application/vnd.pgrst.object+json; charset=utf-8' : 'application/json; charset=utf-8',
    ...(shape.profile === undefined ? {} : { 'Content-Profile': shape.profile }),
    ...(shape.preferenceApplied === undefined ? {} : { 'Preference-Applied': shape.preferenceApplied }),
  }
  const gucs = row.response_status === undefined ? {} : { gucs: { status: row.response_status ?? null, headers: row.response_headers ?? null } }
  if (status === 416) {
    // PostgREST answers an offset beyond the total with an error body but these same headers.
    const details = `An offset of ${shape.range.lower} was requested, but there are only ${total} rows.`
    const body = JSON.stringify({ code: 'PGRST103', details, hint: null, message: 'Requested range not satisfiable' })
    return { status, headers, body, ...gucs }
  }
  return { status, headers, ...(shape.head ? {} : { body: row.body }), ...gucs }
}

/**
 * overrideStatusHeaders (Response.hs): a `response.status` the function set replaces the status (its
 * leading digits, as Data.Text.Read.decimal reads them); `response.headers`, a JSON array of
 * one-key objects with string values, adds headers and replaces PostgREST's of the same name. Applied
 * after the transaction has committed, so PGRST111/PGRST112 (500) leave the function's writes in place.
 */
export function withResponseGucs(reply: Reply): Reply {
  if (!reply.gucs) return reply
  const { status: gucStatus, headers: gucHeaders } = reply.gucs
  let status = reply.status
  if (gucStatus !== null) {
    const digits = /^\d+/.exec(gucStatus)?.[0]
    if (digits === undefined) throw pgrstError(500, 'PGRST112', 'response.status guc must be a valid status code')
    status = Number(digits)
  }
  if (gucHeaders === null) return { status, headers: reply.headers, body: reply.body }
  const invalid = () => pgrstError(500, 'PGRST111', 'response.headers guc must be a JSON array composed of objects with a single key and a string value')
  let parsed: unknown
  try {
    parsed = JSON.parse(gucHeaders)
  } catch {
    throw invalid()
  }
  if (!Array.isArray(parsed)) throw invalid()
  const added: Headers = {}
  for (const item of parsed) {
    const entries = typeof item === 'object' && item !== null && !Array.isArray(item) ? Object.entries(item as object) : []
    if (entries.length !== 1 || typeof entries[0]![1] !== 'string') throw invalid()
    const [name, value] = entries[0] as [string, string]
    const existing = Object.keys(added).find((k) => k.toLowerCase() === name.toLowerCase())
    if (existing === undefined) added[name] = value
    else added[existing] = [added[existing]!].flat().concat(value)
  }
  const kept = Object.fromEntries(Object.entries(reply.headers).filter(([k]) => !Object.keys(added).some((a) => a.toLowerCase() === k.toLowerCase())))
  return { status, headers: { ...kept, ...added }, body: reply.body }
}
