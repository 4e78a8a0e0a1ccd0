import { TransientError, type AvolveError } from './avolve-error.js'

/**
 * The same failure, reported as a TransientError that may have been applied: the request went out and
 * its answer was lost. `why` ends the message with what happened and what to do about it.
 */
export function withUnknownOutcome(error: AvolveError, why: string): TransientError {
  return new TransientError({
    code: error.code,
    message: `${error.message} ${why}`,
    outcomeUnknown: true,
    sqlstate: error.sqlstate,
    status: error.status,
    cause: error.cause ?? error,
  })
}
