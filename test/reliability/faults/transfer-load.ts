import type pg from 'pg'
import { expect } from 'vitest'
import { type AvolveError, TransientError } from '../../../src/index.js'
import { canonicalDecimal } from '../../../src/values/decimal.js'
import { checkLedgerInvariants } from '../../support/ledger-invariants.js'

/** A transfer the test means to make exactly once: its key is fixed before the first attempt. */
export interface PlannedTransfer {
  from: number
  to: number
  amount: string
  key: string
}

/** Small amounts among funded users, so every transfer can succeed: a refusal is only ever a fault. */
export function planTransfers(count: number, users: number): PlannedTransfer[] {
  return Array.from({ length: count }, (_, i) => {
    const from = i % users
    return { from, to: (from + 1 + (i % (users - 1))) % users, amount: `${(i % 7) + 1}.${String(i % 100).padStart(2, '0')}`, key: crypto.randomUUID() }
  })
}

export interface LoadResult {
  ok: number
  /** Errors by code; every one must be a typed, retryable TransientError. */
  failures: Map<string, AvolveError>
  notTransient: unknown[]
}

/** Sends every planned transfer with `concurrency` workers; collects what failed. */
export async function sendAll(plans: PlannedTransfer[], send: (p: PlannedTransfer) => Promise<unknown>, concurrency: number): Promise<LoadResult> {
  const result: LoadResult = { ok: 0, failures: new Map(), notTransient: [] }
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < plans.length) {
        const plan = plans[next++]!
        try {
          await send(plan)
          result.ok++
        } catch (e) {
          if (e instanceof TransientError && e.retryable) result.failures.set(plan.key, e)
          else result.notTransient.push(e)
        }
      }
    }),
  )
  return result
}

/** Retries the failed ones with their own keys until they go through (the caller's side of a fault). */
export async function retryFailed(plans: PlannedTransfer[], result: LoadResult, send: (p: PlannedTransfer) => Promise<unknown>): Promise<void> {
  for (const plan of plans.filter((p) => result.failures.has(p.key))) {
    for (let attempt = 1; ; attempt++) {
      try {
        await send(plan)
        break
      } catch (e) {
        if (!(e instanceof TransientError) || attempt > 50) throw e
        await new Promise((r) => setTimeout(r, 100))
      }
    }
  }
}

/**
 * After the faults and the retries: each planned transfer is in the ledger exactly once with its
 * amount, nothing else moved, and the ledger invariants hold.
 */
export async function expectExactlyOnce(admin: pg.Pool, plans: PlannedTransfer[]): Promise<number> {
  const { rows } = await admin.query<{ key: string; n: number; amount: string }>(
    `select idempotency_key::text as key, count(*)::int as n, trim_scale(min(amount))::text as amount
     from public.token_transactions where idempotency_key = any($1) group by 1`,
    [plans.map((p) => p.key)],
  )
  const byKey = new Map(rows.map((r) => [r.key, r]))
  const violations = plans.filter((p) => byKey.get(p.key)?.n !== 1 || byKey.get(p.key)?.amount !== canonicalDecimal(p.amount)).length
  const report = await checkLedgerInvariants(admin)
  expect(report.violations).toEqual([])
  expect(violations, 'transfers not in the ledger exactly once').toBe(0)
  return violations + report.violations.length
}
