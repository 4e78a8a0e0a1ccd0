import type { ConsentRepository } from './consent-repository.js'
import type { TokenRepository } from './token-repository.js'
import type { TokenTypeCatalog } from './token-type-catalog.js'

/** What one end user can do: the same on the server (Kysely) and in the browser (supabase-js). */
export interface UserRepositories {
  readonly consent: ConsentRepository
  readonly tokens: TokenRepository
  readonly tokenTypes: TokenTypeCatalog
}
