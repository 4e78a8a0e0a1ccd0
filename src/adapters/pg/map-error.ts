import { AvolveError, TransientError, UnexpectedError } from '../../errors/avolve-error.js'
import { errorFromDatabase } from '../../errors/database-errors.js'

/** Socket-level failures: the request may not have reached the server, or its answer was lost. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'])
const CONNECTION_MESSAGES = [/connection terminated/i, /not queryable/i, /connection error/i, /socket hang up/i, /Client was closed/i]

/** Whether `error` says the connection itself broke (rather than the statement failing). */
export function isConnectionLoss(error: AvolveError): boolean {
  return error instanceof TransientError && ['connection_lost', 'network_error'].includes(error.code)
}

/**
 * The typed error for whatever the pg driver (or the pool) threw. The server runs as a signed-in user
 * or the service, never anon, so a permission error always means "not allowed" (PostgREST's 403).
 */
export function mapDriverError(error: unknown): AvolveError {
  if (error instanceof AvolveError) return error
  const e = error as { code?: unknown; message?: unknown; detail?: unknown; hint?: unknown; severity?: unknown }
  const message = typeof e?.message === 'string' ? e.message : String(error)
  if (typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string') {
    return errorFromDatabase({
      sqlstate: e.code,
      message,
      details: typeof e.detail === 'string' ? e.detail : undefined,
      hint: typeof e.hint === 'string' ? e.hint : undefined,
      cause: error,
    })
  }
  if (/timeout exceeded when trying to connect/i.test(message)) {
    return new TransientError({ code: 'pool_timeout', message: 'no database connection became free in time: the pool is exhausted; retry, or raise its size', cause: error })
  }
  if ((typeof e?.code === 'string' && CONNECTION_CODES.has(e.code)) || CONNECTION_MESSAGES.some((m) => m.test(message))) {
    return new TransientError({ code: 'connection_lost', message: `the database connection failed (${message}); retry`, cause: error })
  }
  if (typeof e?.code === 'string' && e.code === 'ENOTFOUND') {
    return new UnexpectedError({ code: 'database_unreachable', message: `the database host was not found (${message}): check the connection string`, cause: error })
  }
  return new UnexpectedError({ code: 'unexpected', message: `unexpected error from the database driver: ${message}`, cause: error })
}
