import type { DatabaseErrorName } from '../generated/error-codes.js'

/**
 * The codes the SDK coins itself, beside those the database's functions raise: refused inputs,
 * sessions and tokens, standard PostgreSQL conditions, connections and the API. One list, so that a
 * code is a type: a mapper or a retry rule that names a code not listed here does not compile.
 *
 * @example
 * ```ts
 * import { sdkErrorCodes } from '@avolve/db'
 *
 * sdkErrorCodes.includes('validation_failed') // true
 * ```
 */
export const sdkErrorCodes = [
  // inputs and sessions (no session at all is the database's not_authenticated, raised by either side)
  'validation_failed',
  'invalid_token',
  'token_expired',
  'verification_not_configured',
  'jwks_unavailable',
  // standard PostgreSQL conditions
  'serialization_failure',
  'deadlock_detected',
  'lock_timeout',
  'statement_timeout',
  'transaction_rollback',
  'server_starting',
  'too_many_connections',
  'insufficient_resources',
  'unique_violation',
  'foreign_key_violation',
  'check_violation',
  'not_null_violation',
  'constraint_violation',
  'invalid_input',
  'schema_mismatch',
  'database_login_failed',
  'database_not_found',
  'database_error',
  // connections, pools and the API
  'connection_lost',
  'database_unreachable',
  'pool_timeout',
  'service_unavailable',
  'network_error',
  'timeout',
  'transaction_rolled_back',
  'record_vanished',
  'unexpected',
] as const

/**
 * A code the SDK coins itself (see {@link sdkErrorCodes}).
 *
 * @example
 * ```ts
 * import type { SdkErrorCode } from '@avolve/db'
 *
 * const retryLater: SdkErrorCode[] = ['connection_lost', 'pool_timeout', 'service_unavailable']
 * ```
 */
export type SdkErrorCode = (typeof sdkErrorCodes)[number]

/**
 * Every code an {@link AvolveError} can carry: the database's own (`insufficient_balance`, …,
 * generated from `private.error_codes`) and the SDK's. Switch on it exhaustively:
 *
 * @example
 * ```ts
 * import { isAvolveError, type AvolveErrorCode } from '@avolve/db'
 * function status(code: AvolveErrorCode): number {
 *   return code === 'insufficient_balance' ? 409 : code === 'validation_failed' ? 400 : 500
 * }
 * try { await db.asUser(token).tokens.transfer(input) } catch (e) { if (isAvolveError(e)) status(e.code) }
 * ```
 */
export type AvolveErrorCode = DatabaseErrorName | SdkErrorCode
