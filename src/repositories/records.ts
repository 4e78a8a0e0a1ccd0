import type { Tables } from '../generated/database.js'
import type { TokenCode } from '../generated/vocabularies.js'

/**
 * What the repositories return: the rows of the tables, typed by the generated `Database` type.
 * Exact numbers are canonical decimal strings (`"12.5"`), timestamps canonical UTC strings with
 * microseconds (`"2026-12-01T09:37:37.123400Z"`), identical on both adapters.
 */
export type ConsentRecord = Tables<'user_consent'>
export type ConsentHistoryEntry = Tables<'consent_history'>
export type TokenBalance = Tables<'token_balances'>
export type TokenTransaction = Tables<'token_transactions'>
export type TokenTypeRow = Tables<'token_types'>

/** A token type with the codes of its children in the 3-6-9 pattern. */
export type TokenType = TokenTypeRow & { readonly children: readonly TokenCode[] }

/** A token type and its descendants, nested. */
export type TokenTypeNode = TokenTypeRow & { readonly children: readonly TokenTypeNode[] }
