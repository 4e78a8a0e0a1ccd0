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
/**
 * One movement of one of the user's balances: the account's version (1, 2, 3 … without gaps), the
 * signed amount (negative for a debit), and the balance right after it.
 */
export type TokenEntry = SdkRow<'token_entries'>

/** A statement of one token over a period: what it opened and closed at, and a page of what moved it. */
export interface TokenStatement {
  readonly tokenType: TokenCode
  /** The balance at the start of the period (`"0"` before the first movement). */
  readonly openingBalance: string
  /** The balance at the end of the period (now, when the period is open-ended). */
  readonly closingBalance: string
  /** A page of the period's movements, oldest first, each with the running balance after it. */
  readonly items: readonly TokenEntry[]
  /** Pass back as `cursor` for the next page; null on the last one. */
  readonly nextCursor: string | null
}

/** A token type with the codes of its children in the 3-6-9 pattern. */
export type TokenType = TokenTypeRow & { readonly children: readonly TokenCode[] }

/** A token type and its descendants, nested. */
export type TokenTypeNode = TokenTypeRow & { readonly children: readonly TokenTypeNode[] }
