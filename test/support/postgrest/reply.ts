import { pgrstError } from './errors.js'
import { rangeStatus, type Range } from './range.js'

export interface Reply {
  status: number
  headers: Record<string, string>
  body?: string
}

/** How the client asked for the result: Accept, Prefer: count, the range, HEAD. */
export interface Shape {
  singular: boolean
  count: boolean
  range: Range
  head: boolean
  /** Set when the client named the schema (Accept-Profile / Content-Profile): echoed as Content-Profile. */
  profile?: string
}

/** The main query's one row (the columns PostgREST's mainRead / mainCall select). */
export interface ResultRow {
  total_result_set: string | null
  page_total: string
  body: string
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
    throw pgrstError(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${pageTotal} rows`)
  }
  const total = row.total_result_set === null ? null : Number(row.total_result_set)
  const { status, contentRange } = rangeStatus(shape.range, pageTotal, total)
  const headers: Record<string, string> = {
    'Content-Range': contentRange,
    'Content-Type': shape.singular ? 'application/vnd.pgrst.object+json; charset=utf-8' : 'application/json; charset=utf-8',
    ...(shape.profile === undefined ? {} : { 'Content-Profile': shape.profile }),
    ...(shape.count ? { 'Preference-Applied': 'count=exact' } : {}),
  }
  if (status === 416) {
    // PostgREST answers an offset beyond the total with an error body but these same headers.
    const details = `An offset of ${shape.range.lower} was requested, but there are only ${total} rows.`
    const body = JSON.stringify({ code: 'PGRST103', details, hint: null, message: 'Requested range not satisfiable' })
    return { status, headers, body }
  }
  return { status, headers, ...(shape.head ? {} : { body: row.body }) }
}
