import { z } from 'zod'
import { UnexpectedError } from '../../errors/avolve-error.js'
import { errorFromDatabase } from '../../errors/database-errors.js'
import type { TokenCode } from '../../generated/vocabularies.js'
import type { DataPort } from '../data-port.js'
import type { TokenTransaction, TransferBatchResult } from '../records.js'
import { decodeRow } from '../row-codec.js'

/** One validated transfer of a batch, with its sender when the service sends it. */
export interface BatchTransfer {
  from?: string
  to: string
  tokenType: TokenCode
  amount: string
  memo?: string | undefined
}

/** public.transfer_tokens_batch's reply (see its migration). */
const replySchema = z.discriminatedUnion('applied', [
  z.object({ applied: z.literal(true), replayed: z.boolean(), transactions: z.array(z.record(z.string(), z.unknown())) }),
  z.object({
    applied: z.literal(false),
    failed_index: z.number().int().nonnegative(),
    error: z.object({ code: z.string(), message: z.string(), details: z.string().nullable(), hint: z.string().nullable() }),
  }),
])

/**
 * Sends a batch (`transfers`, already validated) under `key` and says what became of each transfer:
 * on success the ledger rows the reply carries, in the batch's order (one request in all); on failure
 * the failing transfer's typed error and `linked_event_failed` for the others.
 */
export async function transferBatchCalled(port: DataPort, transfers: readonly BatchTransfer[], key: string): Promise<TransferBatchResult> {
  const call = port.call('transfer_tokens_batch', {
    p_transfers: transfers.map((t) => ({
      ...(t.from === undefined ? {} : { from: t.from }),
      to: t.to,
      token_type: t.tokenType,
      amount: t.amount,
      ...(t.memo === undefined ? {} : { memo: t.memo }),
    })),
    p_idempotency_key: key,
  })
  // The whole unit: where it may end early, its commit travels right behind the call.
  port.sentAll()
  const raw = await call
  const parsed = replySchema.safeParse(raw)
  if (!parsed.success) throw new UnexpectedError({ code: 'unexpected', message: `transfer_tokens_batch replied ${JSON.stringify(raw)}` })
  const reply = parsed.data
  if (!reply.applied) {
    const failedIndex = reply.failed_index
    const e = reply.error
    const error = errorFromDatabase({ sqlstate: e.code, message: e.message, details: e.details, hint: e.hint, cause: reply })
    return {
      applied: false,
      replayed: false,
      failedIndex,
      items: transfers.map((_, i) => (i === failedIndex ? { status: 'failed', error } : { status: 'linked_event_failed', failedIndex })),
    }
  }
  // The ledger rows come with the reply, exact values as text, as a select would read them.
  return {
    applied: true,
    replayed: reply.replayed,
    failedIndex: null,
    items: reply.transactions.map((row) => ({ status: 'applied', transaction: decodeRow<TokenTransaction>('token_transactions', row) })),
  }
}
