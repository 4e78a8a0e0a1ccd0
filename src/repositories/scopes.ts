import type { ConsentRepository } from './consent-repository.js'
import type { TokenRepository } from './token-repository.js'
import type { TokenTypeCatalog } from './token-type-catalog.js'

/**
 * What one end user can do: the same on the server (Kysely) and in the browser (supabase-js), so
 * code written against it runs on either.
 *
 * @example
 * ```ts
 * import type { UserRepositories } from '@avolve/db'
 *
 * async function payForWorkshop(me: UserRepositories, hostId: string) {
 *   if (!(await me.consent.has('token_transfer'))) await me.consent.record('token_transfer', ['transfer-terms-v1'])
 *   return me.tokens.transfer({ to: hostId, tokenType: 'GEN', amount: '30.5', memo: 'workshop' })
 * }
 * ```
 */
export interface UserRepositories {
  readonly consent: ConsentRepository
  readonly tokens: TokenRepository
  readonly tokenTypes: TokenTypeCatalog
}
