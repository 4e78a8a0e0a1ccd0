import { parseInput } from '../../errors/validation.js'
import type { AmountInput } from '../../schemas/amount.js'
import { uuidSchema } from '../../schemas/primitives.js'
import {
  mintInputSchema,
  serviceHoldInputSchema,
  serviceTransferBatchSchema,
  serviceTransferInputSchema,
  transferBatchOptionsSchema,
  type CaptureOptions,
  type MintInput,
  type ServiceBatchTransferInput,
  type ServiceHoldInput,
  type ServiceTransferInput,
  type TransferBatchOptions,
} from '../../schemas/tokens.js'
import type { ConsentRepository } from '../consent-repository.js'
import type { ServiceConsentRepository } from '../service-consent-repository.js'
import type { ServiceTokenRepository } from '../service-token-repository.js'
import type { UnitOfWork } from '../data-port.js'
import type { TokenHold, TokenTransaction, TransferBatchResult } from '../records.js'
import { decodeRow } from '../row-codec.js'
import type { TokenRepository } from '../token-repository.js'
import type { UserStats, UserStatsRepository } from '../user-stats-repository.js'
import { PortConsentRepository } from './consent.js'
import { onlySelect } from './only-select.js'
import { newIdempotencyKey, PortTokenRepository, transactionCalled } from './tokens.js'
import { transferBatchCalled } from './transfer-batch.js'
import { z } from 'zod'

const sweepOptionsSchema = z.strictObject({ limit: z.number().int().min(1).max(10_000).default(1000) })

/** ServiceTokenRepository over a unit of work. */
export class PortServiceTokens implements ServiceTokenRepository {
  constructor(private readonly work: UnitOfWork) {}

  forUser(userId: string): TokenRepository {
    return new PortTokenRepository(this.work, parseInput(uuidSchema, userId, 'user id'))
  }

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

  async transfer<A extends AmountInput>(input: ServiceTransferInput<A>): Promise<TokenTransaction> {
    const t = parseInput(serviceTransferInputSchema, input, 'transfer')
    const { from, ...rest } = t
    return this.forUser(from).transfer(rest)
  }

  async hold<A extends AmountInput>(input: ServiceHoldInput<A>): Promise<TokenHold> {
    const { from, ...rest } = parseInput(serviceHoldInputSchema, input, 'hold')
    return this.forUser(from).hold(rest)
  }

  // Resolving a hold names no user: the user scope's calls, run with the service role's rights.
  capture(holdId: string, options: CaptureOptions = {}): Promise<TokenHold> {
    return new PortTokenRepository(this.work).capture(holdId, options)
  }

  release(holdId: string): Promise<TokenHold> {
    return new PortTokenRepository(this.work).release(holdId)
  }

  async releaseExpiredHolds(options: { limit?: number } = {}): Promise<number> {
    const { limit } = parseInput(sweepOptionsSchema, options, 'sweep options')
    // Releasing an expired hold twice is a no-op for the second sweep: safe to retry.
    return this.work.run(async (port) => Number(await port.call('release_expired_holds', { p_limit: limit })), { idempotent: true })
  }

  async transferBatch(transfers: ReadonlyArray<ServiceBatchTransferInput>, options: TransferBatchOptions = {}): Promise<TransferBatchResult> {
    const batch = parseInput(serviceTransferBatchSchema, transfers, 'transfer batch')
    const key = parseInput(transferBatchOptionsSchema, options, 'transfer batch options').idempotencyKey ?? newIdempotencyKey()
    return this.work.run((port) => transferBatchCalled(port, batch, key), { idempotent: true })
  }
}

/** ServiceConsentRepository over a unit of work. */
export class PortServiceConsent implements ServiceConsentRepository {
  constructor(private readonly work: UnitOfWork) {}

  forUser(userId: string): ConsentRepository {
    return new PortConsentRepository(this.work, parseInput(uuidSchema, userId, 'user id'))
  }
}

/** UserStatsRepository over a unit of work. */
export class PortUserStats implements UserStatsRepository {
  constructor(private readonly work: UnitOfWork) {}

  async refresh(): Promise<void> {
    await this.work.run((port) => port.call('refresh_user_stats', {}), { idempotent: true })
  }

  async get(userId: string): Promise<UserStats | null> {
    const id = parseInput(uuidSchema, userId, 'user id')
    const [row] = await this.work.run((port) => onlySelect(port, { relation: 'private.user_stats', where: [[{ column: 'user_id', op: 'eq', value: id }]], orderBy: [], limit: 1 }), {
      idempotent: true,
    })
    return row ? decodeRow<UserStats>('private.user_stats', row) : null
  }
}
