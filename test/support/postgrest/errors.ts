import pg from 'pg'
import type { PostgrestVersion } from './version.js'

/** PostgREST's error body. All four keys are always present (client-error-verbosity=verbose). */
export interface ErrorBody {
  code: string
  details: string | null
  hint: string | null
  message: string
}

/** Response headers; a name may repeat (two `Set-Cookie`s from `response.headers`). */
export type Headers = Record<string, string | string[]>

/** An error answered the way PostgREST answers it: status, extra headers and the body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly headers: Headers = {},
    /** HTTP reason phrase; PostgREST uses the message for `PTxyz` statuses. */
    readonly reason?: string,
    /** A body other than the four keys (12.2's `{}` for a path it does not serve). */
    readonly rawBody?: string,
  ) {
    super(body.message)
  }
}

export function pgrstError(status: number, code: string, message: string, details: string | null = null, hint: string | null = null): ApiError {
  return new ApiError(status, { code, details, hint, message })
}

/** For what this fixture leaves out: a clear 501 rather than an answer that only looks like PostgREST's. */
export function notImplemented(feature: string): ApiError {
  return pgrstError(501, 'PGRST127', 'Feature not implemented', `${feature} is outside the subset of PostgREST this test fixture implements`)
}

/**
 * PostgREST's `mapSQLtoHTTP` (Error.hs), cases in its order: exact codes come before their class.
 * `authed` is "the role in effect is not the anon role". A missing role (22023) is 401 from 13 on.
 */
export function statusForSqlState(code: string, message: string, authed: boolean, version: PostgrestVersion): number {
  const exact: Record<string, number> = { '23503': 409, '23505': 409, '25006': 405, '53400': 500, '57P01': 503, P0001: 400, '42P01': 404, '42P17': 500 }
  if (code === '21000') return message.endsWith('requires a WHERE clause') ? 400 : 500
  if (code === '22023') return version !== '12.2' && message.startsWith('role') && message.endsWith('does not exist') ? 401 : 400
  if (code === '42883') return message.startsWith('function xmlagg(') ? 406 : 404
  if (code === '42501') return authed ? 403 : 401
  if (code in exact) return exact[code]!
  if (code.startsWith('PT')) {
    const n = /^\d+$/.test(code.slice(2)) ? Number(code.slice(2)) : NaN
    return n >= 100 && n <= 999 ? n : 500
  }
  const byClass: Record<string, number> = {
    '08': 503,
    '09': 500,
    '0L': 403,
    '0P': 403,
    '25': 500,
    '28': 403,
    '2D': 500,
    '38': 500,
    '39': 500,
    '3B': 500,
    '40': 500,
    '53': 503,
    '54': 500,
    '55': 500,
    '57': 500,
    '58': 500,
    F0: 500,
    HV: 500,
    P0: 500,
    XX: 500,
  }
  return byClass[code.slice(0, 2)] ?? 400
}

const isString = (v: unknown): v is string => typeof v === 'string'
const optionalString = (v: unknown) => v === undefined || v === null || isString(v)

/**
 * `RAISE SQLSTATE 'PGRST'` (parseRaisePGRST): MESSAGE is a JSON object {code, message, details?, hint?},
 * DETAIL one {status, status_text?, headers}; the response takes its body, status and headers from them.
 * Anything else is PGRST121 (500).
 */
function raisedPgrst(message: string, detail: string | undefined): ApiError {
  const parseError = (details: string, hint: string) => pgrstError(500, 'PGRST121', `Could not parse JSON in the "RAISE SQLSTATE 'PGRST'" error`, details, hint)
  const messageHint = "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'."
  const detailHint = "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'."
  const json = (text: string): unknown => {
    try {
      return JSON.parse(text)
    } catch {
      return undefined
    }
  }
  const m = json(message) as Record<string, unknown> | undefined
  if (typeof m !== 'object' || m === null || Array.isArray(m) || !isString(m.code) || !isString(m.message) || !optionalString(m.details) || !optionalString(m.hint)) {
    throw parseError(`Invalid JSON value for MESSAGE: '${message}'`, messageHint)
  }
  if (detail === undefined) throw parseError('DETAIL is missing in the RAISE statement', detailHint)
  const d = json(detail) as Record<string, unknown> | undefined
  const headers = d?.headers as Record<string, unknown> | undefined
  if (
    typeof d !== 'object' ||
    d === null ||
    Array.isArray(d) ||
    typeof d.status !== 'number' ||
    !Number.isInteger(d.status) ||
    !optionalString(d.status_text) ||
    typeof headers !== 'object' ||
    headers === null ||
    Array.isArray(headers) ||
    !Object.values(headers).every(isString)
  ) {
    throw parseError(`Invalid JSON value for DETAIL: '${detail}'`, detailHint)
  }
  const body = { code: m.code, details: (m.details as string | null | undefined) ?? null, hint: (m.hint as string | null | undefined) ?? null, message: m.message }
  const status = d.status as number
  // Without status_text the status's standard reason phrase (Node's, as http-types' toEnum gives).
  return new ApiError(status, body, headers as Record<string, string>, (d.status_text as string | null | undefined) ?? undefined)
}

/** Turns whatever a request threw into PostgREST's answer. */
export function toApiError(error: unknown, authed: boolean, version: PostgrestVersion): ApiError {
  if (error instanceof ApiError) return error
  if (error instanceof pg.DatabaseError && error.code) {
    const message = error.message
    if (error.code === 'PGRST') {
      try {
        return raisedPgrst(message, error.detail)
      } catch (parseError) {
        return parseError as ApiError
      }
    }
    const status = statusForSqlState(error.code, message, authed, version)
    // PostgREST adds the challenge to every 401 that comes from the database (42501 as anon, unknown role).
    const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {}
    const reason = error.code.startsWith('PT') && /^[\t\x20-\x7e]*$/.test(message) ? message : undefined
    return new ApiError(status, { code: error.code, details: error.detail ?? null, hint: error.hint ?? null, message }, headers, reason)
  }
  // Not a server error: the connection broke mid-request (hasql's ClientError).
  const details = error instanceof Error ? error.message : String(error)
  return pgrstError(503, 'PGRST001', 'Database client error. Retrying the connection.', details)
}

/**
 * The body and headers of `errorResponseFor` (Error.hs); keys in Aeson's (sorted) order. From 13 on
 * every error also carries `Proxy-Status: PostgREST; error=<code>`.
 */
export function errorResponse(error: ApiError, version: PostgrestVersion): { status: number; reason?: string; headers: Headers; body: string } {
  const { code, details, hint, message } = error.body
  const body = error.rawBody ?? JSON.stringify({ code, details, hint, message })
  return {
    status: error.status,
    ...(error.reason === undefined ? {} : { reason: error.reason }),
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      ...(version === '12.2' ? {} : { 'Proxy-Status': `PostgREST; error=${code}` }),
      ...error.headers,
    },
    body,
  }
}
