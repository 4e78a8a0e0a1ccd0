import type { DataPort, UnitOfWork } from '../../repositories/data-port.js'
import { PortConsentRepository } from '../../repositories/port-backed/consent.js'
import { PortServiceConsent, PortServiceTokens, PortUserStats } from '../../repositories/port-backed/service.js'
import { PortTokenTypeCatalog } from '../../repositories/port-backed/token-types.js'
import { PortTokenRepository } from '../../repositories/port-backed/tokens.js'
import type { UserRepositories } from '../../repositories/scopes.js'
import type { ServiceConsentRepository } from '../../repositories/service-consent-repository.js'
import type { ServiceTokenRepository } from '../../repositories/service-token-repository.js'
import type { TokenTypeCatalog } from '../../repositories/token-type-catalog.js'
import type { UserStatsRepository } from '../../repositories/user-stats-repository.js'
import type { VerifiedClaims } from './token-verifier.js'
import { InlineUnitOfWork, type TransactionRunner } from './unit-of-work.js'

/**
 * One end user's repositories on the server, running as that user under RLS: what
 * `db.asUser()` returns.
 *
 * @example
 * ```ts
 * import type { UserScope } from '@avolve/db/server'
 *
 * async function onboard(me: UserScope) {
 *   await me.consent.record('terms_of_service', ['tos-2026-12'])
 *   return me.tokens.balances() // [{ token_type: 'GEN', balance: '0', … }]
 * }
 * ```
 */
export interface UserScope extends UserRepositories {
  /** The user's id (the JWT's `sub`). */
  readonly userId: string
  /** The verified claims the database sees in request.jwt.claims. */
  readonly claims: VerifiedClaims
  /**
   * Runs `fn` in one database transaction as the user: every call on `tx` commits together or not
   * at all. On a serialization failure or deadlock the whole of `fn` runs again, so keep side
   * effects other than database calls out of it.
   * @example
   * ```ts
   * const row = await me.transaction(async (tx) => {
   *   await tx.consent.record('token_transfer', ['transfer-terms-v1'])
   *   return tx.tokens.transfer({ to: bobId, tokenType: 'GEN', amount: '5' })
   * }) // both committed, or neither
   * ```
   */
  transaction<T>(fn: (tx: UserRepositories) => Promise<T>): Promise<T>
}

/**
 * Back-office repositories (service_role): any user's records, minting, statistics.
 *
 * @example
 * ```ts
 * import type { ServiceRepositories } from '@avolve/db/server'
 *
 * async function welcomeBonus(svc: ServiceRepositories, userId: string) {
 *   return svc.tokens.mint({ to: userId, tokenType: 'GEN', amount: '10', idempotencyKey: bonusKeyOf(userId) })
 * }
 * ```
 */
export interface ServiceRepositories {
  readonly consent: ServiceConsentRepository
  readonly tokens: ServiceTokenRepository
  readonly stats: UserStatsRepository
  readonly tokenTypes: TokenTypeCatalog
}

/**
 * The service role's scope: what `db.asService()` returns.
 *
 * @example
 * ```ts
 * import { createAvolveDb } from '@avolve/db/server'
 *
 * const svc = createAvolveDb(process.env.DATABASE_URL!).asService()
 * await svc.stats.refresh()
 * ```
 */
export interface ServiceScope extends ServiceRepositories {
  /**
   * Runs `fn` in one database transaction as service_role (see UserScope.transaction).
   * @example
   * ```ts
   * await svc.transaction(async (tx) => {
   *   await tx.tokens.mint({ to: aliceId, tokenType: 'GEN', amount: '10' })
   *   await tx.tokens.mint({ to: bobId, tokenType: 'GEN', amount: '10' })
   * }) // both minted, or neither
   * ```
   */
  transaction<T>(fn: (tx: ServiceRepositories) => Promise<T>): Promise<T>
}

function userRepositories(work: UnitOfWork): UserRepositories {
  return { consent: new PortConsentRepository(work), tokens: new PortTokenRepository(work), tokenTypes: new PortTokenTypeCatalog(work) }
}

function serviceRepositories(work: UnitOfWork): ServiceRepositories {
  return {
    consent: new PortServiceConsent(work),
    tokens: new PortServiceTokens(work),
    stats: new PortUserStats(work),
    tokenTypes: new PortTokenTypeCatalog(work),
  }
}

const inTransaction =
  <R>(runner: TransactionRunner, make: (work: UnitOfWork) => R) =>
  <T>(fn: (tx: R) => Promise<T>): Promise<T> =>
    runner.run((port: DataPort) => fn(make(new InlineUnitOfWork(port))), { idempotent: false })

export function createUserScope(runner: TransactionRunner, claims: VerifiedClaims): UserScope {
  return { ...userRepositories(runner), userId: claims.sub, claims, transaction: inTransaction(runner, userRepositories) }
}

export function createServiceScope(runner: TransactionRunner): ServiceScope {
  return { ...serviceRepositories(runner), transaction: inTransaction(runner, serviceRepositories) }
}
