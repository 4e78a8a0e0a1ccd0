import { TransientError } from '../../errors/avolve-error.js'
import { autoRetriedCodes } from '../../retry/backoff.js'

/**
 * Whether the browser adapter retries a failure where retrying cannot apply anything twice: the
 * server-side codes every adapter retries, and a request that timed out (over HTTP a slow request is
 * aborted by the client, not by the database).
 */
export const retriedInBrowser = (error: unknown): error is TransientError => error instanceof TransientError && (autoRetriedCodes.has(error.code) || error.code === 'timeout')
