import type { DataPort } from '../data-port.js'
import type { TokenHold } from '../records.js'
import type { TokenCode } from '../../generated/vocabularies.js'
import { callReadingBack } from './row-by-id.js'

/** A validated hold, with its payer. */
export interface HoldRequest {
  from: string
  to: string
  tokenType: TokenCode
  amount: string
  expiresIn: number
  memo?: string | undefined
}

/**
 * Makes the hold and reads it back by its payer and key (the caller's own row, never another payer's
 * with the same key); on a pipelining connection the read goes right behind the call.
 */
export function holdCalled(port: DataPort, h: HoldRequest, key: string): Promise<TokenHold> {
  return callReadingBack<TokenHold, 'token_holds'>(
    port,
    'token_holds',
    [
      { column: 'from_user_id', value: h.from },
      { column: 'idempotency_key', value: key },
    ],
    () =>
      port.call('hold_tokens', {
        p_from_user_id: h.from,
        p_to_user_id: h.to,
        p_token_type: h.tokenType,
        p_amount: h.amount,
        p_expires_in_seconds: h.expiresIn,
        p_idempotency_key: key,
        ...(h.memo === undefined ? {} : { p_memo: h.memo }),
      }),
  )
}

/** Captures (all, or `amount`) or releases the hold, and reads it back as it is after. */
export function holdResolved(port: DataPort, holdId: string, resolution: { capture: string | undefined } | 'release'): Promise<TokenHold> {
  return callReadingBack<TokenHold, 'token_holds'>(port, 'token_holds', [{ column: 'id', value: holdId }], () =>
    resolution === 'release'
      ? port.call('release_hold', { p_hold_id: holdId })
      : port.call('capture_hold', { p_hold_id: holdId, ...(resolution.capture === undefined ? {} : { p_amount: resolution.capture }) }),
  )
}
