import type { SupabaseClient } from '@supabase/supabase-js'
import { NotAuthenticatedError, TransientError, type AvolveError } from '../../errors/avolve-error.js'
import type { DataPort, UnitOfWork, UnitOfWorkOptions } from '../../repositories/data-port.js'
import { withUnknownOutcome } from '../../errors/unknown-outcome.js'
import { autoRetriedCodes, backoffDelay, sleep, type RetryPolicy } from '../../retry/backoff.js'
import { SupabaseDataPort } from './data-port.js'

/**
 * Where the signed-in user's id comes from: the session by default, or a function of the app's.
 *
 * @example
 * ```ts
 * import { createAvolveClient, type UserIdSource } from '@avolve/db/client'
 *
 * const userId: UserIdSource = async () => (await supabase.auth.getUser()).data.user?.id
 * const avolve = createAvolveClient(supabase, { userId })
 * ```
 */
export type UserIdSource = () => string | null | undefined | Promise<string | null | undefined>

/** Reads the user id from supabase-js's session (local, no request), or says to sign in. */
export function sessionUserId(supabase: SupabaseClient<any, any, any>): UserIdSource {
  return async () => {
    const { data, error } = await supabase.auth.getSession()
    if (error) throw new NotAuthenticatedError({ code: 'not_authenticated', message: `the session could not be read (${error.message}): sign in again`, cause: error })
    return data.session?.user.id ?? null
  }
}

/**
 * A unit of work in the browser: requests in sequence with the user's session (PostgREST runs each
 * in its own transaction as the user). Failures that cannot have changed anything — the database
 * rolled back (40001, 40P01, 503s) — are retried; a request whose answer was lost (network error,
 * timeout) is retried only when the work is idempotent, else reported with outcomeUnknown.
 */
export class SessionUnitOfWork implements UnitOfWork {
  constructor(
    private readonly supabase: SupabaseClient<any, any, any>,
    private readonly userId: UserIdSource,
    private readonly retry: RetryPolicy,
    private readonly timeoutMs: number,
  ) {}

  async run<T>(work: (port: DataPort) => Promise<T>, options: UnitOfWorkOptions): Promise<T> {
    const id = await this.userId()
    if (!id) throw new NotAuthenticatedError({ code: 'not_authenticated', message: 'not signed in: this call needs a signed-in user; sign in and retry' })
    const port = new SupabaseDataPort(this.supabase, id, this.timeoutMs)
    for (let attempt = 1; ; attempt++) {
      try {
        return await work(port)
      } catch (error) {
        const e = error as AvolveError
        const answerLost = e instanceof TransientError && (e.code === 'network_error' || e.code === 'timeout')
        const retryable = e instanceof TransientError && (autoRetriedCodes.has(e.code) || e.code === 'timeout') && (!answerLost || options.idempotent)
        if (!retryable || attempt >= this.retry.maxAttempts) throw answerLost && !options.idempotent ? withUnknownOutcome(e, 'The request may or may not have been applied.') : e
        await sleep(backoffDelay(attempt, this.retry))
      }
    }
  }
}
