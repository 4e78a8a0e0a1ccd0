import pg from 'pg'

/** PostgREST's error body. All four keys are always present (client-error-verbosity=verbose). */
export interface ErrorBody {
  code: string
  details: string | null
  hint: string | null
  message: string
}

/** An error answered the way PostgREST answers it: status, extra headers and the body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
    /** HTTP reason phrase; PostgREST uses the message for `PTxyz` statuses. */
    readonly reason?: string,
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
 * `authed` is "the role in effect is not the anon role".
 */
export function statusForSqlState(code: string, message: string, authed: boolean): number {
  const exact: Record<string, number> = { '23503': 409, '23505': 409, '25006': 405, '53400': 500, '57P01': 503, P0001: 400, '42P01': 404, '42P17': 500 }
  if (code === '21000') return message.endsWith('requires a WHERE clause') ? 400 : 500
  if (code === '22023') return message.startsWith('role') && message.endsWith('does not exist') ? 401 : 400
  if (code === '42883') return message.startsWith('function xmlagg(') ? 406 : 404
  if (code === '42501') return authed ? 403 : 401
  if (code in exact) return exact[code]!
  if (code.startsWith('PT')) {
    const n = /^\d+$/.test(code.slice(2)) ? Number(code.slice(2)) : NaN
    return n >= 100 && n <= 999 ? n : 500
  }
  const byClass: Record<string, number> = {
    '08': 503, '09': 500, '0L': 403, '0P': 403, '25': 500, '28': 403, '2D': 500, '38': 500, '39': 500, '3B': 500,
    '40': 500, '53': 503, '54': 500, '55': 500, '57': 500, '58': 500, F0: 500, HV: 500, P0: 500, XX: 500,
  }
  return byClass[code.slice(0, 2)] ?? 400
}

/** Turns whatever a request threw into PostgREST's answer. */
export function toApiError(error: unknown, authed: boolean): ApiError {
  if (error instanceof ApiError) return error
  if (error instanceof pg.DatabaseError && error.code) {
    const message = error.message
    const status = statusForSqlState(error.code, message, authed)
    // PostgREST adds the challenge to every 401 that comes from the database (42501 as anon, unknown role).
    const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {}
    const reason = error.code.startsWith('PT') && /^[\t\x20-\x7e]*$/.test(message) ? message : undefined
    return new ApiError(status, { code: error.code, details: error.detail ?? null, hint: error.hint ?? null, message }, headers, reason)
  }
  // Not a server error: the connection broke mid-request (hasql's ClientError).
  const details = error instanceof Error ? error.message : String(error)
  return pgrstError(503, 'PGRST001', 'Database client error. Retrying the connection.', details)
}

/** The body and headers of `errorResponseFor` (Error.hs); keys in Aeson's (sorted) order. */
export function errorResponse(error: ApiError): { status: number; reason?: string; headers: Record<string, string>; body: string } {
  const { code, details, hint, message } = error.body
  const body = JSON.stringify({ code, details, hint, message })
  return {
    status: error.status,
    ...(error.reason === undefined ? {} : { reason: error.reason }),
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Proxy-Status': `PostgREST; error=${code}`, ...error.headers },
    body,
  }
}
