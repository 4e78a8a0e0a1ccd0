import type { AvolveErrorCode } from '../errors/codes.js'
/**
 * How often and how patiently a failed attempt is retried: exponential backoff with full jitter.
 *
 * @example
 * ```ts
 * import { createAvolveDb, type RetryPolicy } from '@avolve/db/server'
 *
 * const retry: Partial<RetryPolicy> = { maxAttempts: 3, maxDelayMs: 500 }
 * const db = createAvolveDb({ connection: process.env.DATABASE_URL!, retry })
 * ```
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (1 disables retries). */
  maxAttempts: number
  /** Cap of the first delay; each later one may be up to twice as long. */
  baseDelayMs: number
  /** No delay is longer than this. */
  maxDelayMs: number
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 25, maxDelayMs: 1_000 }

/**
 * The wait before retry number `retry` (1 for the first retry): exponential growth with full
 * jitter, so callers that failed together do not retry together.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1))
  return Math.floor(random() * cap)
}

export function resolveRetryPolicy(option: Partial<RetryPolicy> | false | undefined): RetryPolicy {
  if (option === false) return { ...defaultRetryPolicy, maxAttempts: 1 }
  return { ...defaultRetryPolicy, ...option }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Codes of transient errors worth retrying at once: the failed attempt left no trace (rolled back
 * or never sent). A statement timeout is not among them: the same request would likely time out again.
 */
export const autoRetriedCodes: ReadonlySet<AvolveErrorCode> = new Set<AvolveErrorCode>([
  'serialization_failure',
  'deadlock_detected',
  'transaction_rollback',
  'lock_timeout',
  'connection_lost',
  'server_starting',
  'too_many_connections',
  'network_error',
  'service_unavailable',
])
