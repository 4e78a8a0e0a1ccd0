import { type AvolveError, NotAuthenticatedError, TransientError, UnexpectedError } from '../../errors/avolve-error.js'
import type { AvolveErrorCode } from '../../errors/codes.js'
import { errorFromDatabase } from '../../errors/database-errors.js'

/** What supabase-js hands back as `error`: PostgREST's JSON body, or its own for network failures. */
export interface PostgrestErrorLike {
  code?: string
  message?: string
  details?: string | null
  hint?: string | null
}

/**
 * PostgREST's own error codes that mean something to an SDK user, as PostgREST 12.2, 13 and 14 answer
 * them (README, "Supported PostgREST versions"). 12.2 reports every JWT failure as PGRST301, expiry
 * included; 13 moved failed claims (expiry among them) to PGRST303.
 */
const migrate = ': apply the migrations this SDK version ships'
const signIn = 'the access token was refused: sign in again'
const POSTGREST_CODES: Record<string, { cls: typeof AvolveError; code: AvolveErrorCode; advice: string }> = {
  PGRST000: { cls: TransientError, code: 'service_unavailable', advice: 'the API could not reach the database; retry' },
  PGRST001: { cls: TransientError, code: 'service_unavailable', advice: 'the API lost its database connection; retry' },
  PGRST002: { cls: TransientError, code: 'service_unavailable', advice: 'the API is loading its schema cache; retry' },
  PGRST003: { cls: TransientError, code: 'pool_timeout', advice: 'the API has no free database connection; retry' },
  PGRST301: { cls: NotAuthenticatedError, code: 'invalid_token', advice: signIn },
  PGRST302: { cls: NotAuthenticatedError, code: 'not_authenticated', advice: 'anonymous access is disabled: sign in' },
  PGRST303: { cls: NotAuthenticatedError, code: 'invalid_token', advice: signIn },
  PGRST202: { cls: UnexpectedError, code: 'schema_mismatch', advice: `the API has no such function${migrate}` },
  PGRST203: { cls: UnexpectedError, code: 'schema_mismatch', advice: `the API cannot choose between functions of this name${migrate}` },
  PGRST205: { cls: UnexpectedError, code: 'schema_mismatch', advice: `the API has no such table${migrate}` },
}

/**
 * Expiry is the one JWT failure with its own remedy (refresh, not sign in). PostgREST says it only in
 * the message: "JWT expired" under PGRST301 (12.2) or PGRST303 (13, 14), the same text in every
 * version; the code alone cannot tell it from a forged or malformed token.
 */
const isExpiry = (code: string, message: string) => (code === 'PGRST301' || code === 'PGRST303') && /\bexpired\b/i.test(message)

/** PostgreSQL's own text for a JWT `role` claim naming no role: 401 from PostgREST 13, 400 in 12.2. */
const UNKNOWN_ROLE = /^role ".*" does not exist$/s

const SQLSTATE = /^[0-9A-Z]{5}$/

/**
 * Whether a failed request may still have been applied: its answer never came (no status: the
 * network, a timeout), or something other than PostgREST answered in its place (a gateway's 502,
 * 503, 504 or 520 without PostgREST's code or a SQLSTATE) while the request may have run. PostgREST's
 * own error answer means the request's transaction did not commit.
 */
export function mayHaveBeenApplied(error: PostgrestErrorLike, status: number): boolean {
  const code = error.code ?? ''
  return status === 0 || !(code in POSTGREST_CODES || SQLSTATE.test(code))
}

/**
 * The typed error for a failed supabase-js request: by SQLSTATE (the same table the server path
 * uses), by PostgREST's own code, or by the HTTP status when the body said nothing; the same for
 * PostgREST 12.2, 13 and 14. `status` is 0 when the request never got an answer (network failure, timeout).
 * @example
 * const { error, status } = await supabase.rpc('transfer_tokens', args)
 * if (error) throw mapPostgrestError(error, status) // e.g. NotAuthenticatedError 'token_expired'
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
  if (isExpiry(code, message)) {
    return new NotAuthenticatedError({ code: 'token_expired', message: 'the access token has expired: refresh the session and retry', status, cause })
  }
  if (code === '22023' && UNKNOWN_ROLE.test(message)) {
    return new NotAuthenticatedError({ code: 'invalid_token', message: `${message}: ${signIn}`, sqlstate: code, status, cause })
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
