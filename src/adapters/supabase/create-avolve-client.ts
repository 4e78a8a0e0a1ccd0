import type { SupabaseClient } from '@supabase/supabase-js'
import { PortConsentRepository } from '../../repositories/port-backed/consent.js'
import { PortTokenTypeCatalog } from '../../repositories/port-backed/token-types.js'
import { PortTokenRepository } from '../../repositories/port-backed/tokens.js'
import type { UserRepositories } from '../../repositories/scopes.js'
import { resolveRetryPolicy, type RetryPolicy } from '../../retry/backoff.js'
import { SessionUnitOfWork, sessionUserId, type UserIdSource } from './session-unit-of-work.js'

export interface AvolveClientOptions {
  /** The signed-in user's id; by default read from the client's session. */
  userId?: UserIdSource
  /** Retries of transient failures (default: 5 attempts, 25 ms to 1 s jittered); false disables them. */
  retry?: Partial<RetryPolicy> | false
  /** Per-request timeout in milliseconds (default 15000); a timed-out request is a TransientError. */
  timeoutMs?: number
}

/** The browser SDK: the signed-in user's repositories, the same interfaces as the server's user scope. */
export type AvolveClient = UserRepositories

/**
 * Wraps the app's supabase-js client (which carries the user's session) in the same validated
 * repositories the server SDK has: `consent`, `tokens`, `tokenTypes`. Inputs are checked before any
 * request; amounts and balances travel as text, never as JSON numbers; PostgREST's errors become the
 * same typed errors as on the server.
 * @example
 * const avolve = createAvolveClient(supabase)
 * await avolve.consent.record('terms_of_service', ['tos-2026-12'])
 * await avolve.tokens.transfer({ to: friendId, tokenType: 'GEN', amount: '12.5' })
 */
export function createAvolveClient(supabase: SupabaseClient<any, any, any>, options: AvolveClientOptions = {}): AvolveClient {
  const work = new SessionUnitOfWork(supabase, options.userId ?? sessionUserId(supabase), resolveRetryPolicy(options.retry), options.timeoutMs ?? 15_000)
  return { consent: new PortConsentRepository(work), tokens: new PortTokenRepository(work), tokenTypes: new PortTokenTypeCatalog(work) }
}
