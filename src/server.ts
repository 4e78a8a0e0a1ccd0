/**
 * @avolve/db/server: the SDK for server functions (Next.js server actions and route handlers,
 * workers, Node functions), over a direct PostgreSQL connection with Kysely and `pg`.
 * @packageDocumentation
 */
export { createAvolveDb, type AvolveConnection, type AvolveDb, type AvolveDbOptions } from './adapters/pg/create-avolve-db.js'
export type { ServiceRepositories, ServiceScope, UserScope } from './adapters/pg/scopes.js'
export type { JwtVerification, VerifiedClaims } from './adapters/pg/token-verifier.js'
export type { ServiceConsentRepository } from './repositories/service-consent-repository.js'
export type { ServiceTokenRepository } from './repositories/service-token-repository.js'
export type { UserStats, UserStatsRepository } from './repositories/user-stats-repository.js'
export type { RetryPolicy } from './retry/backoff.js'
export * from './index.js'
