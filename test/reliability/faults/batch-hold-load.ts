import type pg from 'pg'
import { expect } from 'vitest'
import { InvalidTransitionError, TransientError, type TokenHold, type TokenRepository, type TransferBatchResult } from '../../../src/index.js'
import type { ServiceTokenRepository } from '../../../src/server.js'
import { canonicalDecimal } from '../../../src/values/decimal.js'
import { checkLedgerInvariants } from '../../support/ledger-invariants.js'

/** A funded user and the tokens API the load uses as them (server scope or client). */
export interface Party {
  id: string
  tokens: TokenRepository
}

/**
 * A batch the test means to apply exactly once, or (`refused`) never: its key is fixed before the
 * first attempt, and each transfer's memo names the batch and the transfer's index, so its ledger
 * rows can be counted. A refused batch ends with a transfer to a user that does not exist.
 * `twice`: two callers send it at once under the same key.
 */
export interface PlannedBatch {
  kind: 'batch'
  from: number
  key: string
  transfers: { to: number | string; amount: string; memo: string }[]
  refused: boolean
  twice: boolean
}

/**
 * What the payee (or the payer) does with a hold once it is made:
 * - capture: all of it; capture-part: `part` of it (the rest is released);
 * - release: the payee voids it;
 * - race: the payee captures and releases it at once (exactly one may win);
 * - double-capture: two captures of `part` at once (one ledger row, both answered "captured");
 * - expire: its expiry is set into the past while the sweep runs; the payee's capture must be refused,
 *   and (every other one) the payer releases it;
 * - pending: left alone during the load; expired and swept afterwards.
 */
export type HoldAction = 'capture' | 'capture-part' | 'release' | 'race' | 'double-capture' | 'expire' | 'pending'
const holdActions: HoldAction[] = ['capture', 'capture-part', 'release', 'race', 'double-capture', 'expire', 'pending']

export interface PlannedHold {
  kind: 'hold'
  index: number
  from: number
  to: number
  amount: string
  part: string
  key: string
  memo: string
  action: HoldAction
}

export type PlannedWork = PlannedBatch | PlannedHold

const pad = (n: number) => String(n).padStart(2, '0')

/** `batches` batches (1 to 4 transfers, one in six refused, one in five sent twice) and `holds` holds, interleaved. */
export function planBatchesAndHolds(batches: number, holds: number, users: number): PlannedWork[] {
  const planned: PlannedWork[] = []
  for (let i = 0; i < Math.max(batches, holds); i++) {
    if (i < batches) {
      const from = i % users
      const key = crypto.randomUUID()
      const refused = i % 6 === 5
      const transfers: PlannedBatch['transfers'] = Array.from({ length: 1 + (i % 4) }, (_, k) => ({
        to: (from + 1 + ((i + k) % (users - 1))) % users,
        amount: `${((i + k) % 9) + 1}.${pad((i * 7 + k) % 100)}`,
        memo: `batch ${key} #${k}`,
      }))
      if (refused) transfers.push({ to: crypto.randomUUID(), amount: '1', memo: `batch ${key} #${transfers.length}` })
      planned.push({ kind: 'batch', from, key, transfers, refused, twice: i % 5 === 2 })
    }
    if (i < holds) {
      const from = i % users
      const key = crypto.randomUUID()
      planned.push({
        kind: 'hold',
        index: i,
        from,
        to: (from + 1 + (i % (users - 1))) % users,
        amount: `${(i % 5) + 2}.${pad(i % 100)}`,
        part: `1.${pad((i * 3) % 100)}`,
        key,
        memo: `hold ${key}`,
        action: holdActions[i % holdActions.length]!,
      })
    }
  }
  return planned
}

/** What the callers saw. */
export interface LoadOutcome {
  batches: Map<string, TransferBatchResult[]>
  holds: Map<string, { hold: TokenHold; answers: PromiseSettledResult<TokenHold>[] }>
  /** TransientErrors that reached the caller and were retried with the same key. */
  surfaced: number
  /** Holds the expiry sweep said it released while the faults went on. */
  swept: number
  /** Anything that went wrong that the plan does not expect. */
  unexpected: unknown[]
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Runs `op` until it answers with anything but a retryable TransientError: the caller's side of an
 * unknown outcome, retrying the same call with the same key.
 */
async function persist<T>(outcome: LoadOutcome, op: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op()
    } catch (e) {
      if (!(e instanceof TransientError && e.retryable) || attempt > 100) throw e
      outcome.surfaced++
      await sleep(20 + Math.random() * 60)
    }
  }
}

export interface LoadWorld {
  users: Party[]
  service: ServiceTokenRepository
  /** Sets a hold's expiry into the past (a superuser update). */
  expire: (holdId: string) => Promise<void>
  /** Called when the load is done, before the last sweeps (which still run under the faults). */
  beforeLastSweeps?: () => void
}

/**
 * Sends the planned work with `concurrency` workers while the service sweeps expired holds, retrying
 * every call that fails transiently with the same key until it answers; then sweeps once more (the
 * faults still going on, if the caller stops them only after this returns).
 */
export async function runBatchesAndHolds(world: LoadWorld, planned: PlannedWork[], concurrency: number): Promise<LoadOutcome> {
  const outcome: LoadOutcome = { batches: new Map(), holds: new Map(), surfaced: 0, swept: 0, unexpected: [] }
  const { users } = world
  const id = (to: number | string) => (typeof to === 'number' ? users[to]!.id : to)

  const batch = async (b: PlannedBatch) => {
    const transfers = b.transfers.map((t) => ({ to: id(t.to), tokenType: 'GEN' as const, amount: t.amount, memo: t.memo }))
    const send = () => persist(outcome, () => users[b.from]!.tokens.transferBatch(transfers, { idempotencyKey: b.key }))
    outcome.batches.set(b.key, await Promise.all(b.twice ? [send(), send()] : [send()]))
  }

  const hold = async (h: PlannedHold) => {
    const payer = users[h.from]!.tokens
    const payee = users[h.to]!.tokens
    const held = await persist(outcome, () => payer.hold({ to: users[h.to]!.id, tokenType: 'GEN', amount: h.amount, expiresIn: 3600, idempotencyKey: h.key, memo: h.memo }))
    const capture = (amount?: string) => persist(outcome, () => payee.capture(held.id, amount === undefined ? {} : { amount }))
    const release = (by: TokenRepository) => persist(outcome, () => by.release(held.id))
    let answers: Promise<TokenHold>[] = []
    switch (h.action) {
      case 'capture':
        answers = [capture()]
        break
      case 'capture-part':
        answers = [capture(h.part)]
        break
      case 'release':
        answers = [release(payee)]
        break
      case 'race':
        answers = [capture(), release(payee)]
        break
      case 'double-capture':
        answers = [capture(h.part), capture(h.part)]
        break
      case 'expire':
        await world.expire(held.id)
        answers = h.index % 2 === 0 ? [capture()] : [capture(), release(payer)]
        break
      case 'pending':
        break
    }
    outcome.holds.set(h.key, { hold: held, answers: await Promise.allSettled(answers) })
  }

  let next = 0
  let done = false
  const sweeper = (async () => {
    while (!done) {
      try {
        outcome.swept += await world.service.releaseExpiredHolds()
      } catch (e) {
        if (!(e instanceof TransientError)) outcome.unexpected.push(e)
      }
      await sleep(40)
    }
  })()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < planned.length) {
        const work = planned[next++]!
        try {
          await (work.kind === 'batch' ? batch(work) : hold(work))
        } catch (e) {
          outcome.unexpected.push(e)
        }
      }
    }),
  )
  done = true
  await sweeper
  // Sweeps more, still under the faults, after every expiry was set: none of those may stay pending.
  // A few holds per transaction, so that a sweep finishes between two kills of its backend (one long
  // sweep, the only busy backend left, would be killed every time).
  world.beforeLastSweeps?.()
  try {
    for (;;) {
      const released = await persist(outcome, () => world.service.releaseExpiredHolds({ limit: 4 }))
      outcome.swept += released
      if (released < 4) break
    }
  } catch (e) {
    outcome.unexpected.push(e)
  }
  return outcome
}

/**
 * After the faults: checks that the holds expired during the load were all released by the sweeps
 * made under the faults; expires the holds left pending, sweeps once more, and checks that every batch
 * is in the ledger exactly once, whole, with the ids its callers were given (or, refused, not at
 * all); that every hold was made once and resolved at most once, as its callers were told, never
 * captured for more than it held nor after its expiry; that no expired hold is still pending; that
 * each user's balance is the mint plus what the applied batches and the captures moved, with
 * nothing held; and the ledger invariants (conservation, the chains). Returns the violations.
 */
export async function expectBatchesAndHoldsSound(admin: pg.Pool, world: LoadWorld, planned: PlannedWork[], outcome: LoadOutcome, minted: string): Promise<number> {
  expect(outcome.unexpected).toEqual([])
  const { users } = world
  const problems: string[] = []
  const batches = planned.filter((p): p is PlannedBatch => p.kind === 'batch')
  const holds = planned.filter((p): p is PlannedHold => p.kind === 'hold')

  // The holds expired during the load: released (by a party or the sweeps under the faults), none pending.
  const expiredInLoad = holds.filter((h) => h.action === 'expire').map((h) => h.key)
  const outlived = await admin.query<{ key: string }>(`select idempotency_key::text as key from public.token_holds where idempotency_key = any($1) and status = 'pending'`, [expiredInLoad])
  for (const r of outlived.rows) problems.push(`hold ${r.key} (expire): outlived the expiry sweeps made under the faults`)

  // Holds left pending through the load: expired now, and swept.
  for (const h of holds.filter((h) => h.action === 'pending')) await world.expire(outcome.holds.get(h.key)!.hold.id)
  await world.service.releaseExpiredHolds()

  // Each user's balance, in hundredths of a token (every planned amount has two decimals at most).
  const cents = (amount: string) => Math.round(Number(amount) * 100)
  const expected = users.map(() => cents(minted))

  // Batches: the rows whose memo names a batch, against the plan and what the callers were told.
  const { rows } = await admin.query<{ memo: string; id: string; from_user_id: string; to_user_id: string; amount: string; kind: string }>(
    `select memo, id::text, from_user_id::text, to_user_id::text, trim_scale(amount)::text as amount, kind::text
     from public.token_transactions where memo like 'batch %' and from_user_id = any($1)`,
    [users.map((u) => u.id)],
  )
  const byMemo = new Map<string, (typeof rows)[number][]>()
  for (const r of rows) byMemo.set(r.memo, [...(byMemo.get(r.memo) ?? []), r])
  const plannedMemos = new Set(batches.flatMap((b) => b.transfers.map((t) => t.memo)))
  for (const memo of byMemo.keys()) if (!plannedMemos.has(memo)) problems.push(`a ledger row no batch planned: ${memo}`)
  const recorded = await admin.query<{ key: string; n: number }>('select idempotency_key::text as key, count(*)::int as n from public.token_batches where idempotency_key = any($1) group by 1', [
    batches.map((b) => b.key),
  ])
  const batchRecords = new Map(recorded.rows.map((r) => [r.key, r.n]))
  for (const b of batches) {
    const answers = outcome.batches.get(b.key) ?? []
    const found = b.transfers.map((t) => byMemo.get(t.memo) ?? [])
    const applied = found.filter((f) => f.length > 0).length
    if (answers.length !== (b.twice ? 2 : 1)) problems.push(`batch ${b.key}: ${answers.length} answers`)
    if (b.refused) {
      if (applied > 0) problems.push(`refused batch ${b.key}: ${applied} of its ${b.transfers.length} transfers in the ledger`)
      if (batchRecords.has(b.key)) problems.push(`refused batch ${b.key} was recorded`)
      for (const a of answers) {
        const failed = a.applied ? undefined : a.items[a.failedIndex]
        if (a.applied || a.failedIndex !== b.transfers.length - 1 || failed?.status !== 'failed' || failed.error.code !== 'unknown_user')
          problems.push(`refused batch ${b.key} answered ${JSON.stringify({ applied: a.applied, failedIndex: a.failedIndex, code: failed?.status === 'failed' ? failed.error.code : failed?.status })}`)
        else if (a.items.some((item, i) => i !== a.failedIndex && item.status !== 'linked_event_failed')) problems.push(`refused batch ${b.key}: an item not linked_event_failed`)
      }
      continue
    }
    if (applied !== b.transfers.length || found.some((f) => f.length !== 1)) {
      problems.push(`batch ${b.key}: ledger rows per transfer ${JSON.stringify(found.map((f) => f.length))}, wanted each exactly once`)
      continue
    }
    if (batchRecords.get(b.key) !== 1) problems.push(`batch ${b.key} recorded ${batchRecords.get(b.key) ?? 0} times`)
    const ids = found.map((f) => f[0]!.id)
    b.transfers.forEach((t, k) => {
      const row = found[k]![0]!
      const to = typeof t.to === 'number' ? users[t.to]!.id : t.to
      if (row.kind !== 'transfer' || row.from_user_id !== users[b.from]!.id || row.to_user_id !== to || row.amount !== canonicalDecimal(t.amount))
        problems.push(`batch ${b.key} transfer ${k}: ${JSON.stringify(row)}`)
      expected[b.from]! -= cents(t.amount)
      expected[t.to as number]! += cents(t.amount)
    })
    for (const a of answers) {
      if (!a.applied || JSON.stringify(a.items.map((i) => i.transaction.id)) !== JSON.stringify(ids))
        problems.push(`batch ${b.key} answered ${JSON.stringify(a.applied ? a.items.map((i) => i.transaction.id) : a)}, the ledger has ${JSON.stringify(ids)}`)
    }
  }

  // Holds: the hold rows and their ledger rows.
  const held = await admin.query<{
    key: string
    id: string
    status: string
    amount: string
    captured: string | null
    holds: number
    captures: number
    releases: number
    capture_amount: string | null
    late_captures: number
    expired: boolean
  }>(
    `select h.idempotency_key::text as key, h.id::text, h.status::text, trim_scale(h.amount)::text as amount, trim_scale(h.captured_amount)::text as captured,
       count(*) filter (where t.kind = 'hold')::int as holds,
       count(*) filter (where t.kind = 'capture')::int as captures,
       count(*) filter (where t.kind = 'release')::int as releases,
       trim_scale(sum(t.amount) filter (where t.kind = 'capture'))::text as capture_amount,
       count(*) filter (where t.kind = 'capture' and (t.created_at >= h.expires_at or t.amount > h.amount))::int as late_captures,
       h.expires_at <= now() as expired
     from public.token_holds h left join public.token_transactions t on t.hold_id = h.id
     where h.idempotency_key = any($1) group by h.id`,
    [holds.map((h) => h.key)],
  )
  const holdRows = new Map(held.rows.map((r) => [r.key, r]))
  const resolved = (a: PromiseSettledResult<TokenHold>) => (a.status === 'fulfilled' ? a.value.status : a.reason instanceof InvalidTransitionError ? a.reason.code : String(a.reason))
  for (const h of holds) {
    const row = holdRows.get(h.key)
    const seen = outcome.holds.get(h.key)
    if (!row || !seen) {
      problems.push(`hold ${h.key} (${h.action}): ${row ? '' : 'no row '}${seen ? '' : 'no answer'}`)
      continue
    }
    const answers = seen.answers.map(resolved)
    const says = `hold ${h.key} (${h.action}): ${JSON.stringify({ ...row, answers })}`
    if (seen.hold.id !== row.id || row.amount !== canonicalDecimal(h.amount) || row.holds !== 1) problems.push(`${says}: not made exactly once as planned`)
    if (row.captures + row.releases !== (row.status === 'pending' ? 0 : 1)) problems.push(`${says}: resolved ${row.captures + row.releases} times`)
    if (row.late_captures > 0) problems.push(`${says}: captured after its expiry or for more than it held`)
    if (row.status === 'captured' && row.capture_amount !== row.captured) problems.push(`${says}: captured ${row.captured}, the ledger says ${row.capture_amount}`)
    if (row.status === 'pending' && row.expired) problems.push(`${says}: outlived the expiry sweep`)
    const want = (status: string, answered: string[], captured?: string) => {
      if (row.status !== status || JSON.stringify(answers) !== JSON.stringify(answered) || (captured !== undefined && row.captured !== canonicalDecimal(captured)))
        problems.push(`${says}: wanted ${status}${captured === undefined ? '' : ` ${captured}`}, answers ${JSON.stringify(answered)}`)
    }
    switch (h.action) {
      case 'capture':
        want('captured', ['captured'], h.amount)
        break
      case 'capture-part':
        want('captured', ['captured'], h.part)
        break
      case 'release':
        want('released', ['released'])
        break
      case 'race':
        // Exactly one wins, and its caller is told so; the loser is told the hold was resolved.
        if (row.status === 'captured') want('captured', ['captured', 'hold_resolved'], h.amount)
        else want('released', ['hold_resolved', 'released'])
        break
      case 'double-capture':
        want('captured', ['captured', 'captured'], h.part)
        break
      case 'expire': {
        // The capture is refused (expired, or already swept); the payer's release finds it released or swept.
        const refusal = answers[0] === 'hold_expired' || answers[0] === 'hold_resolved' ? answers[0] : 'hold_expired'
        const release = answers[1] === 'released' || answers[1] === 'expired' ? answers[1] : 'released'
        want(answers[1] === 'released' ? 'released' : 'expired', h.index % 2 === 0 ? [refusal] : [refusal, release])
        break
      }
      case 'pending':
        want('expired', [])
        break
    }
    if (row.status === 'captured' && row.captured !== null) {
      expected[h.from]! -= cents(row.captured)
      expected[h.to]! += cents(row.captured)
    }
  }
  const doubles = await admin.query(`select hold_id, count(*) from public.token_transactions where kind = 'capture' group by 1 having count(*) > 1`)
  if (doubles.rows.length > 0) problems.push(`holds captured more than once: ${JSON.stringify(doubles.rows)}`)
  const stale = await admin.query(`select id from public.token_holds where status = 'pending' and expires_at <= now()`)
  if (stale.rows.length > 0) problems.push(`expired holds still pending after the sweep: ${JSON.stringify(stale.rows)}`)

  // Every user's balance is the mint plus what moved, and nothing is held any more.
  const balances = await admin.query<{ user_id: string; balance: string; held: string }>(
    `select user_id::text, trim_scale(balance)::text as balance, trim_scale(held)::text as held from public.token_balances where token_type = 'GEN' and user_id = any($1)`,
    [users.map((u) => u.id)],
  )
  users.forEach((u, i) => {
    const b = balances.rows.find((r) => r.user_id === u.id)
    if (!b || cents(b.balance) !== expected[i] || b.held !== '0') problems.push(`user ${i}: balance ${b?.balance} held ${b?.held}, wanted ${expected[i]! / 100} held 0`)
  })

  const report = await checkLedgerInvariants(admin)
  expect(report.violations).toEqual([])
  expect(problems, problems.slice(0, 20).join('\n')).toEqual([])
  return problems.length + report.violations.length
}
