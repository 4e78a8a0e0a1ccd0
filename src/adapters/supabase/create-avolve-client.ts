import type { SupabaseClient } from '@supabase/supabase-js'
import { PortConsentRepository } from '../../repositories/port-backed/consent.js'
import { PortTokenTypeCatalog } from '../../repositories/port-backed/token-types.js'
import { PortTokenRepository } from '../../repositories/port-backed/tokens.js'
import type { UserRepositories } from '../../repositories/scopes.js'
import { resolveRetryPolicy, type RetryPolicy } from '../../retry/backoff.js'
import { SessionUnitOfWork, sessionUserId, type UserIdSource } from './unit-of-work.js'

/**
 * Options of {@link createAvolveClient}.
 *
 * @example
 * ```ts
 * import { createAvolveClient, type AvolveClientOptions } from '@avolve/db/client'
 *
 * const options: AvolveClientOptions = { timeoutMs: 5_000, retry: { maxAttempts: 3 } }
 * const avolve = createAvolveClient(supabase, options)
 * ```
 */
export interface AvolveClientOptions {
  /** The signed-in user's id; by default read from the client's session. */
  userId?: UserIdSource
  /** Retries of transient failures (default: 5 attempts, 25 ms to 1 s jittered); false disables them. */
  retry?: Partial<RetryPolicy> | false
  /** Per-request timeout in milliseconds (default 15000); a timed-out request is a TransientError. */
  timeoutMs?: number
}

/**
 * The browser SDK: the signed-in user's repositories, the same interfaces as the server's user scope.
 *
 * @example
 * ```ts
 * import { createAvolveClient, type AvolveClient } from '@avolve/db/client'
 *
 * const avolve: AvolveClient = createAvolveClient(supabase)
 * const balances = await avolve.tokens.balances() // [{ token_type: 'GEN', balance: '69.5', … }]
 * ```
 */
export type AvolveClient = UserRepositories

/**
 * Wraps the app's supabase-js client (which carries the user's session) in the same validated
 * repositories the server SDK has: `consent`, `tokens`, `tokenTypes`. Inputs are checked before any
 * request; amounts and balances travel as text, never as JSON numbers; PostgREST's errors become the
 * same typed errors as on the server.
 * @example
 * ```ts
 * import { createClient } from '@supabase/supabase-js'
 * import { createAvolveClient, type Database } from '@avolve/db/client'
 *
 * const supabase = createClient<Database>(SUPABASE_URL, SUPABASE_ANON_KEY)
 * const avolve = createAvolveClient(supabase)
 * await avolve.consent.record('terms_of_service', ['tos-2026-12']) // { status: 'approved', terms: ['tos-2026-12'], … }
 * await avolve.tokens.transfer({ to: friendId, tokenType: 'GEN', amount: '12.5' }) // { kind: 'transfer', amount: '12.5', … }
 * ```
 */
export function createAvolveClient(supabase: SupabaseClient<any, any, any>, options: AvolveClientOptions = {}): AvolveClient {
  const work = new SessionUnitOfWork(supabase, options.userId ?? sessionUserId(supabase), resolveRetryPolicy(options.retry), options.timeoutMs ?? 15_000)
  return { consent: new PortConsentRepository(work), tokens: new PortTokenRepository(work), tokenTypes: new PortTokenTypeCatalog(work) }
}
