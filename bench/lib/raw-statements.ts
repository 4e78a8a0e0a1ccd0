import type { RelationName } from '../../src/generated/columns.js'
import { selectedColumns } from '../../src/repositories/row-codec.js'

/**
 * The set-up the SDK sends first in every transaction: the impersonated role's own settings (the
 * Supabase base gives authenticated a statement_timeout, which the SDK applies as PostgREST does),
 * ISO dates, the role, then the claims auth.uid() reads. Parameters: role, claims, then {@link ROLE_TIMEOUT}.
 */
export const SETUP = `select set_config('statement_timeout', $3, true), set_config('datestyle', 'ISO', true), set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`

/** authenticated's statement_timeout in the Supabase base, which the SDK's set-up applies too. */
export const ROLE_TIMEOUT = '8s'

/** The select list of `relation` as the SDK reads it (exact values as text), for statements written by hand. */
export function selectList(relation: RelationName): string {
  return selectedColumns(relation)
    .map((c) => (c.asText ? `"${c.name}"::text as "${c.name}"` : `"${c.name}"`))
    .join(', ')
}
