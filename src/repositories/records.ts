import type { SdkRow } from '../generated/sdk-rows.js'
import type { TokenCode } from '../generated/vocabularies.js'

/**
 * What the repositories return: the rows of the tables as the SDK decodes them (generated in
 * sdk-rows.ts). Unlike the supabase-js `Database` rows (what a plain select receives: numeric and
 * bigint as JSON numbers), exact numbers are canonical decimal strings (`"12.5"`), timestamps canonical UTC strings with
 * microseconds (`"2026-12-01T09:37:37.123400Z"`), identical on both adapters.
 */
export type ConsentRecord = SdkRow<'user_consent'>
export type ConsentHistoryEntry = SdkRow<'consent_history'>
export type TokenBalance = SdkRow<'token_balances'>
export type TokenTransaction = SdkRow<'token_transactions'>
export type TokenTypeRow = SdkRow<'token_types'>

/** A token type with the codes of its children in the 3-6-9 pattern. */
export type TokenType = TokenTypeRow & { readonly children: readonly TokenCode[] }

/** A token type and its descendants, nested. */
export type TokenTypeNode = TokenTypeRow & { readonly children: readonly TokenTypeNode[] }
