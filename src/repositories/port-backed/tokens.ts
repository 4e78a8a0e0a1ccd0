import { ValidationError } from '../../errors/avolve-error.js'
import { parseInput } from '../../errors/validation.js'
import type { TokenCode } from '../../generated/vocabularies.js'
import type { CursorPosition, Page } from '../../schemas/pagination.js'
import {
  balanceAtInstantSchema,
  tokenCodeSchema,
  tokenHistoryOptionsSchema,
  tokenStatementOptionsSchema,
  captureOptionsSchema,
  holdInputSchema,
  holdListOptionsSchema,
  transferBatchOptionsSchema,
  transferBatchSchema,
  transferInputSchema,
  type BatchTransferInput,
  type CaptureOptions,
  type HoldInput,
  type HoldListOptions,
  type TokenHistoryOptions,
  type TokenStatementOptions,
  type TransferBatchOptions,
  type TransferInput,
} from '../../schemas/tokens.js'
import type { ColumnOf, DataPort, Filter, SelectQuery, UnitOfWork } from '../data-port.js'
import type { TokenBalance, TokenEntry, TokenHold, TokenStatement, TokenTransaction, TransferBatchResult } from '../records.js'
import { decodeRow } from '../row-codec.js'
import type { TimestampInput } from '../../values/timestamp.js'
import type { TokenRepository } from '../token-repository.js'
import { actingUser } from './acting-user.js'
import { onlySelect, onlySelects } from './only-select.js'
import { keysetSelect, pageOf } from './paging.js'
import { callReadingBack } from './row-by-id.js'
import { transferBatchCalled } from './transfer-batch.js'
import { holdCalled, holdResolved } from './holds.js'
import { uuidSchema } from '../../schemas/primitives.js'
import type { AmountInput } from '../../schemas/amount.js'

/** A random UUID where the platform has one (Node 19+, browsers). */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID()
}

/**
 * Whose idempotency keys a request's key belongs to: a transfer's are its sender's, a mint's the
 * service's own. The database makes a key unique within its scope only, so the read-back names both.
 */
export type KeyScope = { sender: string } | 'mint'

/**
 * The ledger row that `call` (a transfer or a mint with idempotency key `key` in `scope`) writes, read
 * back by that scope and key, so it can only be the caller's own row, never another sender's with the
 * same key.
 */
export const transactionCalled = (port: DataPort, scope: KeyScope, key: string, call: () => Promise<string>) =>
  callReadingBack<TokenTransaction, 'token_transactions'>(
    port,
    'token_transactions',
    scope === 'mint'
      ? [
          { column: 'kind', value: 'mint' },
          { column: 'idempotency_key', value: key },
        ]
      : [
          { column: 'from_user_id', value: scope.sender },
          { column: 'idempotency_key', value: key },
        ],
    call,
  )

/** TokenRepository over any adapter's DataPort, for the user `userId`. */
export class PortTokenRepository implements TokenRepository {
  constructor(
    private readonly work: UnitOfWork,
    /** Acts for this user (service scopes); the signed-in user when left out. */
    private readonly userId?: string,
  ) {}

  async balances(): Promise<TokenBalance[]> {
    const rows = await this.work.run(
      (port) =>
        onlySelect(port, {
          relation: 'token_balances',
          where: [[{ column: 'user_id', op: 'eq', value: actingUser(port, this.userId) }]],
          orderBy: [{ column: 'token_type', descending: false }],
        }),
      { idempotent: true },
    )
    return rows.map((r) => decodeRow<TokenBalance>('token_balances', r))
  }

  async balance(tokenType: TokenCode): Promise<string> {
    const code = parseInput(tokenCodeSchema, tokenType, 'token type')
    const rows = await this.work.run(
      (port) =>
        onlySelect(port, {
          relation: 'token_balances',
          where: [
            [
              { column: 'user_id', op: 'eq', value: actingUser(port, this.userId) },
              { column: 'token_type', op: 'eq', value: code },
            ],
          ],
          orderBy: [],
          limit: 1,
        }),
      { idempotent: true },
    )
    const row = rows[0]
    return row ? decodeRow<TokenBalance>('token_balances', row).balance : '0'
  }

  async transfer(input: TransferInput): Promise<TokenTransaction> {
    const t = parseInput(transferInputSchema, input, 'transfer')
    // Made once, before the first attempt: every retry of this call carries the same key.
    const key = t.idempotencyKey ?? newIdempotencyKey()
    return this.work.run(
      async (port) => {
        const from = actingUser(port, this.userId)
        if (t.to === from) {
          throw new ValidationError({
            code: 'validation_failed',
            message: 'invalid transfer: to: cannot transfer tokens to yourself',
            issues: [{ path: ['to'], message: 'cannot transfer tokens to yourself' }],
          })
        }
        return transactionCalled(port, { sender: from }, key, () =>
          port.call('transfer_tokens', {
            p_from_user_id: from,
            p_to_user_id: t.to,
            p_token_type: t.tokenType,
            p_amount: t.amount,
            p_idempotency_key: key,
            ...(t.memo === undefined ? {} : { p_memo: t.memo }),
          }),
        )
      },
      { idempotent: true },
    )
  }

  async transferBatch(transfers: ReadonlyArray<BatchTransferInput>, options: TransferBatchOptions = {}): Promise<TransferBatchResult> {
    const batch = parseInput(transferBatchSchema, transfers, 'transfer batch')
    // Made once, before the first attempt: every retry of this call replays the same batch.
    const key = parseInput(transferBatchOptionsSchema, options, 'transfer batch options').idempotencyKey ?? newIdempotencyKey()
    return this.work.run(
      (port) =>
        transferBatchCalled(
          port,
          // The session's user sends: the database reads them from the request itself. A service
          // scope acting for a user names them.
          this.userId === undefined ? batch : batch.map((t) => ({ ...t, from: this.userId })),
          key,
        ),
      { idempotent: true },
    )
  }

  async hold<A extends AmountInput>(input: HoldInput<A>): Promise<TokenHold> {
    const h = parseInput(holdInputSchema, input, 'hold')
    const key = h.idempotencyKey ?? newIdempotencyKey()
    return this.work.run((port) => holdCalled(port, { ...h, from: actingUser(port, this.userId) }, key), { idempotent: true })
  }

  async capture(holdId: string, options: CaptureOptions = {}): Promise<TokenHold> {
    const id = parseInput(uuidSchema, holdId, 'hold id')
    const o = parseInput(captureOptionsSchema, options, 'capture options')
    // A capture replays when sent again with the same amount: safe to retry.
    return this.work.run((port) => holdResolved(port, id, { capture: o.amount }), { idempotent: true })
  }

  async release(holdId: string): Promise<TokenHold> {
    const id = parseInput(uuidSchema, holdId, 'hold id')
    return this.work.run((port) => holdResolved(port, id, 'release'), { idempotent: true })
  }

  async holds(options: HoldListOptions = {}): Promise<Page<TokenHold>> {
    const o = parseInput(holdListOptionsSchema, options, 'holds options')
    return this.partyPage<'token_holds', TokenHold>('token_holds', o.status ? [{ column: 'status', op: 'eq', value: o.status }] : [], o)
  }

  async history(options: TokenHistoryOptions = {}): Promise<Page<TokenTransaction>> {
    const o = parseInput(tokenHistoryOptionsSchema, options, 'history options')
    return this.partyPage<'token_transactions', TokenTransaction>('token_transactions', o.tokenType ? [{ column: 'token_type', op: 'eq', value: o.tokenType }] : [], o)
  }

  /**
   * A page of `relation`'s rows the user sends or receives (`from_user_id` or `to_user_id`) that also
   * match `also`, newest first: two index-backed branches rather than one OR that no index serves.
   */
  private async partyPage<R extends 'token_transactions' | 'token_holds', T extends { id: string; created_at: string }>(
    relation: R,
    also: Filter<R>[],
    page: { cursor?: CursorPosition | undefined; limit: number },
  ): Promise<Page<T>> {
    // Both relations have these columns; the compiler cannot apply that to a generic R.
    const column = (name: 'from_user_id' | 'to_user_id' | 'id') => name as ColumnOf<R>
    const rows = await this.work.run(
      (port) => {
        const user = actingUser(port, this.userId)
        const side = (party: 'from_user_id' | 'to_user_id'): Filter<R>[] => [{ column: column(party), op: 'eq', value: user }, ...also]
        return onlySelect(port, keysetSelect(relation, [side('from_user_id'), side('to_user_id')], page, column('id'), true))
      },
      { idempotent: true },
    )
    return pageOf(
      rows.map((r) => decodeRow<T>(relation, r)),
      page.limit,
      (r) => r.created_at,
    )
  }

  async balanceAt(tokenType: TokenCode, at: TimestampInput): Promise<string> {
    const code = parseInput(tokenCodeSchema, tokenType, 'token type')
    const instant = parseInput(balanceAtInstantSchema, at, 'instant')
    const rows = await this.work.run((port) => onlySelect(port, lastEntryBefore(actingUser(port, this.userId), code, 'lte', instant)), { idempotent: true })
    return balanceAfter(rows)
  }

  async statement(options: TokenStatementOptions): Promise<TokenStatement> {
    const o = parseInput(tokenStatementOptionsSchema, options, 'statement options')
    const [opening, page, closing] = await this.work.run(
      (port) => {
        const user = actingUser(port, this.userId)
        const within: Filter<'token_entries'>[] = [
          ...accountFilters(user, o.tokenType),
          ...(o.from === undefined ? [] : [{ column: 'created_at', op: 'gte', value: o.from } as const]),
          ...(o.to === undefined ? [] : [{ column: 'created_at', op: 'lt', value: o.to } as const]),
        ]
        const movements = keysetSelect('token_entries', [within], o, 'version', false)
        // Three reads, sent together: the balance before the period, the page, and the balance at its
        // end (the account's last movement, for an open-ended period). One snapshot on the server;
        // over HTTP each is its own, which the closing balance below allows for.
        return onlySelects(port, [
          o.from === undefined ? undefined : lastEntryBefore(user, o.tokenType, 'lt', o.from),
          movements,
          o.to === undefined ? lastEntryBefore(user, o.tokenType) : lastEntryBefore(user, o.tokenType, 'lt', o.to),
        ])
      },
      { idempotent: true },
    )
    const entries = pageOf(
      page.map((r) => decodeRow<TokenEntry>('token_entries', r)),
      o.limit,
      (e) => e.created_at,
      (e) => e.version,
    )
    // On the period's last page the closing balance is its last movement's: the same figure, and one a
    // movement landing between the reads (over HTTP, where they are not one snapshot) cannot change.
    const last = entries.nextCursor === null ? entries.items.at(-1) : undefined
    return { tokenType: o.tokenType, openingBalance: balanceAfter(opening), closingBalance: last?.balance_after ?? balanceAfter(closing), ...entries }
  }
}

/**
 * The account's last movement at or before (`lte`) or strictly before (`lt`) an instant, or its last
 * of all: the balance then is its balance_after. One probe of the (user, token, time, version) index.
 */
function lastEntryBefore(userId: string, tokenType: TokenCode, op?: 'lt' | 'lte', at?: string): SelectQuery<'token_entries'> {
  return {
    relation: 'token_entries',
    where: [[...accountFilters(userId, tokenType), ...(op && at !== undefined ? [{ column: 'created_at', op, value: at } as const] : [])]],
    orderBy: [
      { column: 'created_at', descending: true },
      { column: 'version', descending: true },
    ],
    limit: 1,
  }
}

/** The rows of one account: a user's balance of one token. */
function accountFilters(userId: string, tokenType: TokenCode): Filter<'token_entries'>[] {
  return [
    { column: 'user_id', op: 'eq', value: userId },
    { column: 'token_type', op: 'eq', value: tokenType },
  ]
}

/** The balance after the one entry `rows` holds (a lastEntryBefore read); `"0"` before the first movement. */
function balanceAfter(rows: Array<Record<string, unknown>>): string {
  return rows[0] ? decodeRow<TokenEntry>('token_entries', rows[0]).balance_after : '0'
}
