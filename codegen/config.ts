/**
 * What codegen cannot tell from the catalog alone: which tables are vocabularies whose rows are part
 * of the schema (written by migrations only), and what their values are called in TypeScript.
 * Every column with a foreign key to a lookup's key column gets the lookup's union type.
 */
export interface LookupTable {
  table: string
  /** The key column whose values become the union. */
  key: string
  /** Name of the TypeScript union type. */
  typeName: string
  /** Name of the exported const array of the key values. */
  valuesName: string
  /** Also export all rows as const data under this name (for catalogs the SDK exposes). */
  rowsName?: string
}

export const schema = 'public'

/** Relations of other schemas that server code reads (service_role only), for the Kysely types. */
export const extraKyselyRelations = ['private.user_stats']

export const lookupTables: LookupTable[] = [
  {
    table: 'consent_interaction_types',
    key: 'code',
    typeName: 'InteractionType',
    valuesName: 'interactionTypes',
    rowsName: 'interactionTypeRows',
  },
  { table: 'token_types', key: 'code', typeName: 'TokenCode', valuesName: 'tokenCodes', rowsName: 'tokenTypeRows' },
]

/** Tables whose whole content is exported as const data without being a key vocabulary. */
export const dataTables = [{ table: 'consent_status_transitions', rowsName: 'consentStatusTransitions', orderBy: ['from_status', 'to_status'] }]

/**
 * Columns that hold a lookup's key without a foreign key to it, because the schema keeps them valid
 * another way: `table.column` -> the lookup table. They get the lookup's union as a foreign key would
 * give it. The ledger's token_type: every ledger row and entry belongs to an account
 * (token_balances), whose token_type has the foreign key, and an account with history cannot go.
 */
export const lookupKeyColumns: Record<string, string> = {
  'token_transactions.token_type': 'token_types',
  'token_entries.token_type': 'token_types',
}

/** Names for columns whose check constraint lists their allowed values (`col = any (array[...])`). */
export const allowedValueNames: Record<string, { typeName: string; valuesName: string }> = {
  'token_types.tier': { typeName: 'TokenTier', valuesName: 'tokenTiers' },
}

/**
 * RPC arguments that take a column's values, so the supabase-js `Database` type gives them the
 * column's vocabulary union (or enum) where Supabase's generator says `string`: `fn.argument` ->
 * `table.column`. A documented narrowing (README, "The supabase-js Database type").
 */
export const rpcArgumentColumns: Record<string, string> = {
  'record_consent.p_interaction_type': 'user_consent.interaction_type',
  'update_consent_status.p_status': 'user_consent.status',
  'transfer_tokens.p_token_type': 'token_transactions.token_type',
  'mint_tokens.p_token_type': 'token_transactions.token_type',
  'hold_tokens.p_token_type': 'token_holds.token_type',
}
