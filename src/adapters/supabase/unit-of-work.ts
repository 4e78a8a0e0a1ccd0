import type { SupabaseClient } from '@supabase/supabase-js'
import { NotAuthenticatedError, TransientError } from '../../errors/avolve-error.js'
import type { DataPort, UnitOfWork, UnitOfWorkOptions } from '../../repositories/data-port.js'
import { withUnknownOutcome } from '../../errors/unknown-outcome.js'
import { backoffDelay, sleep, type RetryPolicy } from '../../retry/backoff.js'
import { SupabaseDataPort } from './data-port.js'
import { retriedInBrowser } from './retried.js'

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
 * in its own transaction as the user). A failure that cannot have changed anything (reads only so
 * far, or a call the database rolled back: 40001, 40P01, PostgREST's own 503) is retried by running
 * the work again. Once a call may have committed (answered, or its answer lost or replaced by a
 * gateway's), the work runs again only when it is idempotent; else the error says outcomeUnknown.
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
    for (let attempt = 1; ; attempt++) {
      // Idempotent work runs again whole (a call replays by its key); other work retries a read-back alone.
      const port = new SupabaseDataPort(this.supabase, id, this.timeoutMs, options.idempotent ? undefined : this.retry)
      try {
        return await work(port)
      } catch (error) {
        const mayHaveApplied = port.callApplied || port.callUnsure
        const retryable = retriedInBrowser(error) && (!mayHaveApplied || options.idempotent)
        if (retryable && attempt < this.retry.maxAttempts) {
          await sleep(backoffDelay(attempt, this.retry))
          continue
        }
        if (!mayHaveApplied || options.idempotent || !(error instanceof TransientError)) throw error
        throw withUnknownOutcome(
          error,
          port.callApplied ? 'The call was applied; only reading its result back failed: do not repeat it, read it instead.' : 'The request may or may not have been applied.',
        )
      }
    }
  }
}
