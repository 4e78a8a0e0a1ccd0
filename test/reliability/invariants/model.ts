import type { ConsentStatus } from '../../../src/index.js'
import { consentStatusTransitions } from '../../../src/index.js'

/** Amounts in the model are integers of micro-units (6 decimals): exact, and easy to compare. */
export const MICRO = 1_000_000n

export function microToDecimal(micro: bigint): string {
  const int = micro / MICRO
  const frac = (micro % MICRO).toString().padStart(6, '0').replace(/0+$/, '')
  return frac ? `${int}.${frac}` : int.toString()
}

export interface ModelRecord {
  user: string
  status: ConsentStatus
  /** [from, to] of every history row, oldest first: creation has from = null. */
  history: Array<[ConsentStatus | null, ConsentStatus]>
}

/** A hold as the model knows it: `voided` is released by a party or by the expiry sweep. */
export interface ModelHold {
  from: string
  to: string
  token: string
  micro: bigint
  status: 'pending' | 'captured' | 'voided'
  captured?: bigint
  /** Its expiry was moved into the past: it may be released, never captured. */
  expired: boolean
}

/** What the ledger and the consent records must be, built from the outcomes the calls reported. */
export class LedgerModel {
  readonly balances = new Map<string, bigint>()
  readonly held = new Map<string, bigint>()
  readonly holds = new Map<string, ModelHold>()
  readonly minted = new Map<string, bigint>()
  readonly records = new Map<string, ModelRecord>()

  balance(user: string, token: string): bigint {
    return this.balances.get(`${user}:${token}`) ?? 0n
  }

  mint(user: string, token: string, micro: bigint): void {
    this.balances.set(`${user}:${token}`, this.balance(user, token) + micro)
    this.minted.set(token, (this.minted.get(token) ?? 0n) + micro)
  }

  transfer(from: string, to: string, token: string, micro: bigint): void {
    this.balances.set(`${from}:${token}`, this.balance(from, token) - micro)
    this.balances.set(`${to}:${token}`, this.balance(to, token) + micro)
  }

  /** What transfers and new holds may spend: the balance less what pending holds reserve. */
  available(user: string, token: string): bigint {
    return this.balance(user, token) - (this.held.get(`${user}:${token}`) ?? 0n)
  }

  hold(id: string, from: string, to: string, token: string, micro: bigint): void {
    this.holds.set(id, { from, to, token, micro, status: 'pending', expired: false })
    this.held.set(`${from}:${token}`, (this.held.get(`${from}:${token}`) ?? 0n) + micro)
  }

  /** Posts `micro` of a pending hold to its payee; the whole hold leaves `held`. */
  capture(id: string, micro: bigint): void {
    const h = this.holds.get(id)!
    this.held.set(`${h.from}:${h.token}`, this.held.get(`${h.from}:${h.token}`)! - h.micro)
    this.transfer(h.from, h.to, h.token, micro)
    h.status = 'captured'
    h.captured = micro
  }

  void(id: string): void {
    const h = this.holds.get(id)!
    this.held.set(`${h.from}:${h.token}`, this.held.get(`${h.from}:${h.token}`)! - h.micro)
    h.status = 'voided'
  }

  recordConsent(id: string, user: string): void {
    this.records.set(id, { user, status: 'approved', history: [[null, 'approved']] })
  }
}

export function transitionAllowed(from: ConsentStatus, to: ConsentStatus): boolean {
  return consentStatusTransitions.some((t) => t.from_status === from && t.to_status === to)
}
