import type { Selectable } from 'kysely'
import { parseInput } from '../../errors/validation.js'
import type { DB } from '../../generated/kysely.js'
import type { AmountInput } from '../../schemas/amount.js'
import { uuidSchema } from '../../schemas/primitives.js'
import { mintInputSchema, serviceTransferInputSchema, type MintInput, type ServiceTransferInput } from '../../schemas/tokens.js'
import type { ConsentRepository } from '../consent-repository.js'
import type { UnitOfWork } from '../data-port.js'
import type { TokenTransaction } from '../records.js'
import { decodeRow } from '../row-codec.js'
import type { TokenRepository } from '../token-repository.js'
import { PortConsentRepository } from './consent.js'
import { onlySelect } from './only-select.js'
import { newIdempotencyKey, PortTokenRepository, transactionCalled } from './tokens.js'

/** Back-office token work (service role): any user's tokens, and minting. */
export class PortServiceTokens {
  constructor(private readonly work: UnitOfWork) {}

  /**
   * The tokens of one user, with the service role's rights (transfers from them included).
   * @example await db.asService().tokens.forUser(userId).balance('GEN')
   */
  forUser(userId: string): TokenRepository {
    return new PortTokenRepository(this.work, parseInput(uuidSchema, userId, 'user id'))
  }

  /**
   * Creates tokens for a user; idempotent per `idempotencyKey` (made once when left out).
   * @example await db.asService().tokens.mint({ to: userId, tokenType: 'GEN', amount: '100' })
   */
  async mint<A extends AmountInput>(input: MintInput<A>): Promise<TokenTransaction> {
    const m = parseInput(mintInputSchema, input, 'mint')
    const key = m.idempotencyKey ?? newIdempotencyKey()
    return this.work.run(
      (port) =>
        transactionCalled(port, 'mint', key, () =>
          port.call('mint_tokens', {
            p_to_user_id: m.to,
            p_token_type: m.tokenType,
            p_amount: m.amount,
            p_idempotency_key: key,
            ...(m.memo === undefined ? {} : { p_memo: m.memo }),
          }),
        ),
      { idempotent: true },
    )
  }

  /**
   * Moves tokens between any two users.
   * @example await db.asService().tokens.transfer({ from: a, to: b, tokenType: 'SAP', amount: 5n })
   */
  async transfer<A extends AmountInput>(input: ServiceTransferInput<A>): Promise<TokenTransaction> {
    const t = parseInput(serviceTransferInputSchema, input, 'transfer')
    const { from, ...rest } = t
    return this.forUser(from).transfer(rest)
  }
}

/** Back-office consent work (service role): any user's records. */
export class PortServiceConsent {
  constructor(private readonly work: UnitOfWork) {}

  /**
   * The consent records of one user, with the service role's rights.
   * @example await db.asService().consent.forUser(userId).record('privacy_policy', ['pp-v3'])
   */
  forUser(userId: string): ConsentRepository {
    return new PortConsentRepository(this.work, parseInput(uuidSchema, userId, 'user id'))
  }
}

/** Per-user consent totals from private.user_stats (service role only); counts are exact strings. */
export type UserStats = Selectable<DB['private.user_stats']>

export class PortUserStats {
  constructor(private readonly work: UnitOfWork) {}

  /**
   * Recomputes private.user_stats without blocking its readers.
   * @example await db.asService().stats.refresh()
   */
  async refresh(): Promise<void> {
    await this.work.run((port) => port.call('refresh_user_stats', {}), { idempotent: true })
  }

  /**
   * One user's totals as of the last refresh; null when the user is newer than it.
   * @example const s = await db.asService().stats.get(userId) // { total_consents: '3', ... }
   */
  async get(userId: string): Promise<UserStats | null> {
    const id = parseInput(uuidSchema, userId, 'user id')
    const [row] = await this.work.run(
      (port) => onlySelect(port, { relation: 'private.user_stats', where: [[{ column: 'user_id', op: 'eq', value: id }]], orderBy: [], limit: 1 }),
      { idempotent: true },
    )
    return row ? decodeRow<UserStats>('private.user_stats', row) : null
  }
}
