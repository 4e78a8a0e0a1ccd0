import { AvolveError, NotAuthenticatedError, TransientError, UnexpectedError } from '../../errors/avolve-error.js'
import { errorFromDatabase } from '../../errors/database-errors.js'

/** What supabase-js hands back as `error`: PostgREST's JSON body, or its own for network failures. */
export interface PostgrestErrorLike {
  code?: string
  message?: string
  details?: string | null
  hint?: string | null
}

/** PostgREST's own error codes that mean something to an SDK user. */
const POSTGREST_CODES: Record<string, { cls: typeof AvolveError; code: string; advice: string }> = {
  PGRST000: { cls: TransientError, code: 'service_unavailable', advice: 'the API could not reach the database; retry' },
  PGRST001: { cls: TransientError, code: 'service_unavailable', advice: 'the API lost its database connection; retry' },
  PGRST002: { cls: TransientError, code: 'service_unavailable', advice: 'the API is loading its schema cache; retry' },
  PGRST003: { cls: TransientError, code: 'pool_timeout', advice: 'the API has no free database connection; retry' },
  PGRST301: { cls: NotAuthenticatedError, code: 'invalid_token', advice: 'the access token was refused: sign in again' },
  PGRST302: { cls: NotAuthenticatedError, code: 'not_authenticated', advice: 'anonymous access is disabled: sign in' },
  PGRST303: { cls: NotAuthenticatedError, code: 'invalid_token', advice: 'the access token was refused: sign in again' },
  PGRST202: { cls: UnexpectedError, code: 'schema_mismatch', advice: 'the API has no such function: apply the migrations this SDK version ships' },
  PGRST205: { cls: UnexpectedError, code: 'schema_mismatch', advice: 'the API has no such table: apply the migrations this SDK version ships' },
}

const SQLSTATE = /^[0-9A-Z]{5}$/

/**
 * The typed error for a failed supabase-js request: by SQLSTATE (the same table the server path
 * uses), by PostgREST's own code, or by the HTTP status when the body said nothing.
 * `status` is 0 when the request never got an answer (network failure, timeout).
 */
export function mapPostgrestError(error: PostgrestErrorLike, status: number, cause: unknown = error): AvolveError {
  const code = error.code ?? ''
  const message = error.message ?? 'request failed'
  if (status === 0 || (code === '' && /fetch failed|network|Failed to fetch|aborted|timeout/i.test(message))) {
    const aborted = /abort|timeout/i.test(message) || /abort/i.test(error.hint ?? '')
    return new TransientError({
      code: aborted ? 'timeout' : 'network_error',
      message: `${aborted ? 'the request timed out' : 'the request did not reach the API or its answer was lost'} (${message}); retry`,
      status,
      cause,
    })
  }
  if (code === 'PGRST303' && /expired/i.test(message)) {
    return new NotAuthenticatedError({ code: 'token_expired', message: 'the access token has expired: refresh the session and retry', status, cause })
  }
  const known = POSTGREST_CODES[code]
  if (known) return new known.cls({ code: known.code, message: `${message}: ${known.advice}`, status, details: error.details ?? undefined, cause })
  if (SQLSTATE.test(code)) {
    if (code === '42501' && status === 401) {
      return new NotAuthenticatedError({ code: 'not_authenticated', message: `${message}: sign in first`, sqlstate: code, status, cause })
    }
    return errorFromDatabase({ sqlstate: code, message, details: error.details, hint: error.hint, status, cause })
  }
  if ([502, 503, 504, 520].includes(status)) {
    return new TransientError({ code: 'service_unavailable', message: `the API answered ${status} (${message.slice(0, 200)}); retry`, status, cause })
  }
  if (status === 401) return new NotAuthenticatedError({ code: 'not_authenticated', message: `${message}: sign in again`, status, cause })
  return new UnexpectedError({ code: 'unexpected', message: `unexpected answer from the API (${status} ${code}): ${message.slice(0, 200)}`, status, cause })
}
