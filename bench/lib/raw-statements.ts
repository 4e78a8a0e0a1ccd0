import type { RelationName } from '../../src/generated/columns.js'
import { selectedColumns } from '../../src/repositories/row-codec.js'

/** The set-up the SDK sends first in every transaction: the role, then the claims auth.uid() reads. */
export const SETUP = `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`

/** The select list of `relation` as the SDK reads it (exact values as text), for statements written by hand. */
export function selectList(relation: RelationName): string {
  return selectedColumns(relation)
    .map((c) => (c.asText ? `"${c.name}"::text as "${c.name}"` : `"${c.name}"`))
    .join(', ')
}
