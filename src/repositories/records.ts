import type { SdkRow } from '../generated/sdk-rows.js'
import type { AvolveError } from '../errors/avolve-error.js'
import type { TokenCode } from '../generated/vocabularies.js'

/**
 * What the repositories return: the rows of the tables as the SDK decodes them (generated in
 * sdk-rows.ts). Unlike the supabase-js `Database` rows (what a plain select receives: numeric and
 * bigint as JSON numbers), exact numbers are canonical decimal strings (`"12.5"`), timestamps canonical UTC strings with
 * microseconds (`"2026-12-01T09:37:37.123400Z"`), identical on both adapters.
 */
/**
 * A consent record (public.user_consent), as `consent.record()`, `updateStatus()` and `list()` return it.
 *
 * @example
 * ```ts
 * import type { ConsentRecord } from '@avolve/db'
 *
 * const record: ConsentRecord = await me.consent.record('terms_of_service', ['tos-2026-12'])
 * // { id: '…', user_id: '…', interaction_type: 'terms_of_service', status: 'approved', terms: ['tos-2026-12'], created_at: '2026-12-01T09:00:00.000000Z', updated_at: '…' }
 * ```
 */
export type ConsentRecord = SdkRow<'user_consent'>
/**
 * One step of a consent record's audit trail (public.consent_history), as `consent.history()` returns it.
 *
 * @example
 * ```ts
 * import type { ConsentHistoryEntry } from '@avolve/db'
 *
 * const trail: ConsentHistoryEntry[] = await me.consent.history(record.id)
 * // [{ id: '1', consent_id: record.id, from_status: null, to_status: 'approved', actor_role: 'authenticated', occurred_at: '…', … }]
 * ```
 */
export type ConsentHistoryEntry = SdkRow<'consent_history'>
/**
 * A balance of one token (public.token_balances), as `tokens.balances()` returns it; `balance` is an exact decimal string.
 *
 * @example
 * ```ts
 * import type { TokenBalance } from '@avolve/db'
 *
 * const balances: TokenBalance[] = await me.tokens.balances()
 * // [{ user_id: '…', token_type: 'GEN', balance: '69.5', version: '3', updated_at: '…', id: '…' }]
 * ```
 */
export type TokenBalance = SdkRow<'token_balances'>
/**
 * A ledger row (public.token_transactions): a mint or a transfer, as `tokens.transfer()`, `mint()` and `history()` return it.
 *
 * @example
 * ```ts
 * import type { TokenTransaction } from '@avolve/db'
 *
 * const row: TokenTransaction = await me.tokens.transfer({ to: bobId, tokenType: 'GEN', amount: '5' })
 * // { id: '…', kind: 'transfer', from_user_id: me.userId, to_user_id: bobId, token_type: 'GEN', amount: '5', memo: null, idempotency_key: '…', created_at: '…' }
 * ```
 */
export type TokenTransaction = SdkRow<'token_transactions'>
/**
 * A row of the token catalog (public.token_types).
 *
 * @example
 * ```ts
 * import { tokenTypeRows, type TokenTypeRow } from '@avolve/db'
 *
 * const gen: TokenTypeRow | undefined = tokenTypeRows.find((t) => t.code === 'GEN')
 * // { code: 'GEN', name: 'Supercivilization', tier: 3, parent_code: null, decimals: 18, transferable: true, … }
 * ```
 */
export type TokenTypeRow = SdkRow<'token_types'>
/**
 * One movement of one of the user's balances: the account's version (1, 2, 3 … without gaps), the
 * signed amount (negative for a debit), and the balance right after it.
 *
 * @example
 * ```ts
 * import type { TokenEntry } from '@avolve/db'
 *
 * const { items } = await me.tokens.statement({ tokenType: 'GEN' })
 * const first: TokenEntry | undefined = items[0] // { version: '1', amount: '100', balance_after: '100', transaction_id: '…', created_at: '…', … }
 * ```
 */
export type TokenEntry = SdkRow<'token_entries'>

/**
 * A statement of one token over a period: what it opened and closed at, and a page of what moved it.
 *
 * @example
 * ```ts
 * import type { TokenStatement } from '@avolve/db'
 *
 * const december: TokenStatement = await me.tokens.statement({ tokenType: 'GEN', from: '2026-12-01T00:00:00Z', to: '2027-01-01T00:00:00Z' })
 * december.closingBalance // '69.5'
 * ```
 */
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

/**
 * A token type with the codes of its children in the 3-6-9 pattern.
 *
 * @example
 * ```ts
 * import type { TokenType } from '@avolve/db'
 *
 * const sap: TokenType = await me.tokenTypes.get('SAP') // { code: 'SAP', tier: 6, parent_code: 'GEN', children: ['BSP', 'PSP', 'SMS'], … }
 * ```
 */
export type TokenType = TokenTypeRow & { readonly children: readonly TokenCode[] }

/**
 * A token type and its descendants, nested.
 *
 * @example
 * ```ts
 * import type { TokenTypeNode } from '@avolve/db'
 *
 * const root: TokenTypeNode = await me.tokenTypes.tree()
 * const tier9 = root.children.flatMap((c) => c.children.map((t) => t.code)) // ['BSP', 'PSP', 'SMS', 'SGB', …]
 * ```
 */
export type TokenTypeNode = TokenTypeRow & { readonly children: readonly TokenTypeNode[] }

/**
 * What became of one transfer of a batch: applied (its ledger row), the one that failed (its typed
 * error, as a single transfer would throw it), or not applied because another one failed (TigerBeetle's
 * `linked_event_failed`).
 *
 * @example
 * ```ts
 * import type { BatchItemResult } from '@avolve/db'
 *
 * const item: BatchItemResult = result.items[0]!
 * if (item.status === 'applied') console.log(item.transaction.id)
 * ```
 */
export type BatchItemResult = { status: 'applied'; transaction: TokenTransaction } | { status: 'failed'; error: AvolveError } | { status: 'linked_event_failed'; failedIndex: number }

/**
 * The reply to a batch of transfers: all applied, or none (then `failedIndex` names the transfer that
 * failed and `items[failedIndex].error` says why). `replayed` when the batch's key had already applied
 * this very batch: the ledger rows are the first call's and nothing moved again.
 *
 * @example
 * ```ts
 * import type { TransferBatchResult } from '@avolve/db'
 *
 * const result: TransferBatchResult = await me.tokens.transferBatch([{ to: bobId, tokenType: 'GEN', amount: '5' }])
 * // { applied: true, replayed: false, failedIndex: null, items: [{ status: 'applied', transaction: { kind: 'transfer', … } }] }
 * ```
 */
export type TransferBatchResult =
  | { applied: true; replayed: boolean; failedIndex: null; items: Array<Extract<BatchItemResult, { status: 'applied' }>> }
  | { applied: false; replayed: false; failedIndex: number; items: Array<Exclude<BatchItemResult, { status: 'applied' }>> }

/**
 * A hold (public.token_holds): tokens of the payer (`from_user_id`) reserved for the payee until
 * `expires_at`, then captured (`captured_amount` posted) or released once; as `tokens.hold()`,
 * `capture()`, `release()` and `holds()` return it.
 *
 * @example
 * ```ts
 * import type { TokenHold } from '@avolve/db'
 *
 * const hold: TokenHold = await me.tokens.hold({ to: sellerId, tokenType: 'GEN', amount: '25', expiresIn: 3600 })
 * // { id: '…', from_user_id: me, to_user_id: sellerId, amount: '25', status: 'pending', expires_at: '…', captured_amount: null, … }
 * ```
 */
export type TokenHold = SdkRow<'token_holds'>
