import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAvolveClient } from '../../../src/client.js'
import { AvolveError, consentStatuses, databaseErrorCodes, interactionTypes, type ConsentStatus, type InteractionType, type UserRepositories } from '../../../src/index.js'
import { createAvolveDb, type AvolveDb } from '../../../src/server.js'
import { checkLedgerInvariants } from '../../support/ledger-invariants.js'
import { createPostgrestServer, type PostgrestServer } from '../../support/postgrest/server.js'
import { recordFigure } from '../../support/reliability-report.js'
import { asRequester, createUsers, service, user } from '../../support/requests.js'
import { supabaseAs } from '../../support/supabase-session.js'
import { useTestDatabase } from '../../support/test-database.js'
import { signUserToken, testJwtSecret } from '../../support/tokens.js'
import { LedgerModel, microToDecimal, transitionAllowed, type ModelHold } from './model.js'

/**
 * Model-based property test: random batches of mints, transfers (valid and invalid), consent records
 * and status changes run concurrently through the server SDK, the client SDK (over HTTP) and the raw
 * RPCs; after every batch the database must match an in-memory model built from the outcomes the
 * calls reported, and the invariants must hold. fast-check shrinks a failure to a minimal sequence.
 */
const db = useTestDatabase()
let api: PostgrestServer
let sdk: AvolveDb
const TOKENS = ['GEN', 'SAP'] as const
const runs = Number(process.env.MODEL_RUNS ?? 12)

beforeAll(async () => {
  api = await createPostgrestServer({ databaseUrl: db().authenticatorUrl, jwtSecret: testJwtSecret })
  sdk = createAvolveDb({ connection: db().authenticatorUrl, jwt: { secret: testJwtSecret }, pool: { max: 12 } })
})
afterAll(async () => {
  await sdk?.destroy()
  await api?.close()
})

type Via = 'server' | 'client' | 'rpc'
type Op =
  | { kind: 'mint'; via: 'server' | 'rpc'; to: number; token: (typeof TOKENS)[number]; micro: bigint }
  | { kind: 'transfer'; via: Via; from: number; to: number; token: (typeof TOKENS)[number]; micro: bigint; variant: 'normal' | 'overdraft' | 'self' | 'zero' | 'stranger' }
  | { kind: 'consent'; via: Via; user: number; type: InteractionType }
  | { kind: 'status'; via: Via; user: number; pick: number; status: ConsentStatus }
  | { kind: 'batch'; via: Via; from: number; items: BatchItem[] }
  | { kind: 'hold'; via: Via; from: number; to: number; token: (typeof TOKENS)[number]; micro: bigint; variant: 'normal' | 'overdraft' }
  | { kind: 'resolve'; via: Via; pick: number; action: 'capture' | 'capturePart' | 'release'; by: 'payee' | 'payer' }
  | { kind: 'expire'; pick: number }
  | { kind: 'sweep' }

/** One transfer of a batch; a `stranger` receiver and a `self` transfer must refuse the whole batch. */
type BatchItem = { to: number; token: (typeof TOKENS)[number]; micro: bigint; variant: 'normal' | 'overdraft' | 'self' | 'stranger' }

const via = fc.constantFrom<Via>('server', 'client', 'rpc')
const who = fc.integer({ min: 0, max: 2 })
const token = fc.constantFrom(...TOKENS)
const micro = fc.bigInt({ min: 1n, max: 40_000_000n })
const holdOp: fc.Arbitrary<Op> = fc.record({ kind: fc.constant('hold' as const), via, from: who, to: who, token, micro, variant: fc.constantFrom('normal', 'normal', 'normal', 'overdraft') })
const resolveOp: fc.Arbitrary<Op> = fc.record({
  kind: fc.constant('resolve' as const),
  via,
  pick: fc.nat(20),
  action: fc.constantFrom('capture', 'capturePart', 'release'),
  by: fc.constantFrom('payee', 'payee', 'payer'),
})
const expireOp: fc.Arbitrary<Op> = fc.record({ kind: fc.constant('expire' as const), pick: fc.nat(20) })
const sweepOp: fc.Arbitrary<Op> = fc.record({ kind: fc.constant('sweep' as const) })
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('mint' as const), via: fc.constantFrom('server' as const, 'rpc' as const), to: who, token, micro }),
  fc.record({ kind: fc.constant('transfer' as const), via, from: who, to: who, token, micro, variant: fc.constantFrom('normal', 'normal', 'normal', 'overdraft', 'self', 'zero', 'stranger') }),
  fc.record({ kind: fc.constant('consent' as const), via, user: who, type: fc.constantFrom(...interactionTypes) }),
  fc.record({ kind: fc.constant('status' as const), via, user: who, pick: fc.nat(20), status: fc.constantFrom(...consentStatuses) }),
  fc.record({
    kind: fc.constant('batch' as const),
    via,
    from: who,
    items: fc.array(fc.record({ to: who, token, micro, variant: fc.constantFrom('normal', 'normal', 'normal', 'normal', 'overdraft', 'self', 'stranger') }), { minLength: 1, maxLength: 4 }),
  }),
  // Holds and what resolves them weigh more: a resolution is only checked exactly when it runs alone.
  { arbitrary: holdOp, weight: 2 },
  { arbitrary: resolveOp, weight: 4 },
  { arbitrary: expireOp, weight: 2 },
  { arbitrary: sweepOp, weight: 1 },
)
/** Holds on their own, one op at a time: every reply of the hold state machine checked exactly. */
const holdSequence = fc.array(
  fc.oneof({ arbitrary: holdOp, weight: 3 }, { arbitrary: resolveOp, weight: 5 }, { arbitrary: expireOp, weight: 2 }, { arbitrary: sweepOp, weight: 1 }).map((o) => [o]),
  { minLength: 5, maxLength: 25 },
)
// Half the groups are one op, whose reply is checked exactly against the model; the rest run concurrently.
const batches = fc.array(fc.oneof(fc.array(op, { minLength: 1, maxLength: 1 }), fc.array(op, { minLength: 2, maxLength: 5 })), { minLength: 1, maxLength: 10 })

/** A batch's reply: applied, or the index and the code of the transfer that refused it. */
type BatchReply = { applied: true } | { applied: false; failedIndex: number; code: string }
type Outcome = { ok: true; value?: string; batch?: BatchReply } | { ok: false; code: string }
const nameOf = new Map<string, string>(databaseErrorCodes.map((e) => [e.sqlstate, e.name]))

async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    const value = await run()
    if (typeof value === 'object' && value && 'batch' in value) return { ok: true, batch: (value as { batch: BatchReply }).batch }
    return { ok: true, value: typeof value === 'object' && value && 'id' in value ? String((value as { id: unknown }).id) : typeof value === 'string' ? value : undefined }
  } catch (e) {
    if (e instanceof AvolveError) return { ok: false, code: e.code }
    const sqlstate = (e as { code?: string }).code ?? '?'
    return { ok: false, code: nameOf.get(sqlstate) ?? sqlstate }
  }
}

interface World {
  ids: string[]
  scopes: Record<'server' | 'client', UserRepositories[]>
  model: LedgerModel
  /** History rows seen at the last check, to prove later checks only ever append. */
  seenHistory: Map<string, string[]>
  /** After each batch: the database's clock and the model's balances then, which must stay provable. */
  snapshots: Array<{ at: string; balances: Map<string, bigint> }>
}

async function newWorld(): Promise<World> {
  const ids = await createUsers(db().admin, 3, 'model')
  const tokens = await Promise.all(ids.map((id) => signUserToken(id)))
  // Every user starts with some of each token, so holds and transfers have something to move.
  const model = new LedgerModel()
  for (const id of ids)
    for (const t of TOKENS) {
      await sdk.asService().tokens.mint({ to: id, tokenType: t, amount: '50' })
      model.mint(id, t, 50n * 1_000_000n)
    }
  return {
    ids,
    scopes: {
      server: await Promise.all(tokens.map((t) => sdk.asUser(t))),
      client: ids.map((id, i) => createAvolveClient(supabaseAs(api.url, { accessToken: tokens[i]!, userId: id }))),
    },
    model,
    seenHistory: new Map(),
    snapshots: [],
  }
}

function rpcAs(as: string | null, sql: string, values: unknown[]) {
  return asRequester(db().api, as ? user(as) : service, async (c) => (await c.query<{ r: string }>(sql, values)).rows[0]?.r)
}

/** A batch transfer's receiver: the sender for `self`, a user who does not exist for `stranger`, another user otherwise. */
const strangers = new Map<BatchItem, string>()
function receiverOf(w: World, from: number, t: BatchItem): string {
  if (t.variant === 'self') return w.ids[from]!
  if (t.variant === 'stranger') {
    if (!strangers.has(t)) strangers.set(t, crypto.randomUUID())
    return strangers.get(t)!
  }
  return w.ids[from === t.to ? (t.to + 1) % 3 : t.to]!
}

/**
 * What a batch must reply when it runs alone on the model's balances: its transfers are checked in
 * order as if the ones before had applied, and the first that is to an unknown receiver, to oneself
 * or not covered by the sender's balance refuses the batch.
 */
function expectedBatch(w: World, o: Extract<Op, { kind: 'batch' }>): BatchReply {
  const left = new Map<string, bigint>()
  for (const [i, t] of o.items.entries()) {
    if (t.variant === 'stranger') return { applied: false, failedIndex: i, code: 'unknown_user' }
    if (t.variant === 'self') return { applied: false, failedIndex: i, code: 'self_transfer' }
    const has = left.get(t.token) ?? w.model.available(w.ids[o.from]!, t.token)
    const amount = t.variant === 'overdraft' ? 100_000_000n * 1_000_000n : t.micro
    if (has < amount) return { applied: false, failedIndex: i, code: 'insufficient_balance' }
    left.set(t.token, has - amount)
  }
  return { applied: true }
}

/**
 * The hold an op picks among those the model knew before the op's group (none before the first):
 * `known`, when given, is that list, taken before the group's outcomes were applied.
 */
function pickedHold(w: World, pick: number, known: Array<[string, ModelHold]> = [...w.model.holds]): [string, ModelHold] | undefined {
  return known.length ? known[pick % known.length] : undefined
}

/** What a capture posts: all of the hold, or half of it (at least one micro-unit). */
const capturedMicro = (o: Extract<Op, { kind: 'resolve' }>, h: ModelHold) => (o.action === 'capturePart' && h.micro > 1n ? h.micro / 2n : h.micro)

/** What a lone capture or release must report, from the hold's state before it. */
function expectedResolution(o: Extract<Op, { kind: 'resolve' }>, h: ModelHold | undefined): string | 'ok' {
  if (!h) return 'hold_not_found'
  if (o.action === 'release') {
    if (h.status === 'voided') return 'ok'
    if (h.status === 'captured') return 'hold_resolved'
    return o.by === 'payer' && !h.expired ? 'permission_denied' : 'ok'
  }
  if (o.by === 'payer') return 'permission_denied'
  if (h.status === 'captured') return h.captured === capturedMicro(o, h) ? 'ok' : 'hold_resolved'
  if (h.status === 'voided') return 'hold_resolved'
  return h.expired ? 'hold_expired' : 'ok'
}

/** Runs one op through its adapter; returns what the call reported. */
function execute(w: World, o: Op): Promise<Outcome> {
  const id = (i: number) => w.ids[i]!
  switch (o.kind) {
    case 'mint':
      return outcome(() =>
        o.via === 'server'
          ? sdk.asService().tokens.mint({ to: id(o.to), tokenType: o.token, amount: microToDecimal(o.micro) })
          : rpcAs(null, 'select public.mint_tokens($1, $2, $3::numeric, gen_random_uuid()) as r', [id(o.to), o.token, microToDecimal(o.micro)]),
      )
    case 'transfer': {
      const from = id(o.from)
      const to = o.variant === 'self' ? from : o.variant === 'stranger' ? crypto.randomUUID() : id(o.from === o.to ? (o.to + 1) % 3 : o.to)
      const amount = o.variant === 'zero' ? '0' : o.variant === 'overdraft' ? '100000000' : microToDecimal(o.micro)
      if (o.via === 'rpc') return outcome(() => rpcAs(from, 'select public.transfer_tokens($1, $2, $3, $4::numeric, gen_random_uuid()) as r', [from, to, o.token, amount]))
      const scope = w.scopes[o.via][o.from]!
      return outcome(() => scope.tokens.transfer({ to, tokenType: o.token, amount }))
    }
    case 'consent': {
      if (o.via === 'rpc') return outcome(() => rpcAs(id(o.user), `select public.record_consent($1, $2, '{model-terms}') as r`, [id(o.user), o.type]))
      const scope = w.scopes[o.via][o.user]!
      return outcome(() => scope.consent.record(o.type, ['model-terms']))
    }
    case 'hold': {
      const from = id(o.from)
      const to = id(o.from === o.to ? (o.to + 1) % 3 : o.to)
      const amount = o.variant === 'overdraft' ? '100000000' : microToDecimal(o.micro)
      if (o.via === 'rpc') return outcome(() => rpcAs(from, `select public.hold_tokens($1, $2, $3, $4::numeric, 3600, gen_random_uuid()) as r`, [from, to, o.token, amount]))
      return outcome(() => w.scopes[o.via as 'server' | 'client'][o.from]!.tokens.hold({ to, tokenType: o.token, amount, expiresIn: 3600 }))
    }
    case 'resolve': {
      const picked = pickedHold(w, o.pick)
      const holdId = picked?.[0] ?? crypto.randomUUID()
      const h = picked?.[1]
      const by = h ? (o.by === 'payee' ? h.to : h.from) : id(o.pick % 3)
      const amount = o.action === 'capturePart' && h ? microToDecimal(capturedMicro(o, h)) : undefined
      if (o.via === 'rpc') {
        const sql = o.action === 'release' ? 'select public.release_hold($1) as r' : amount ? 'select public.capture_hold($1, $2::numeric) as r' : 'select public.capture_hold($1) as r'
        return outcome(() => rpcAs(by, sql, amount ? [holdId, amount] : [holdId]))
      }
      const scope = w.scopes[o.via][w.ids.indexOf(by)]!
      return outcome(() => (o.action === 'release' ? scope.tokens.release(holdId) : scope.tokens.capture(holdId, amount ? { amount } : {})))
    }
    case 'expire': {
      const picked = pickedHold(w, o.pick)
      return outcome(async () => {
        if (picked) await db().admin.query(`update public.token_holds set expires_at = now() - interval '1 second' where id = $1`, [picked[0]])
        return picked?.[0]
      })
    }
    case 'sweep':
      return outcome(async () => String(await sdk.asService().tokens.releaseExpiredHolds()))
    case 'batch': {
      const from = id(o.from)
      const transfers = o.items.map((t) => ({ to: receiverOf(w, o.from, t), tokenType: t.token, amount: t.variant === 'overdraft' ? '100000000' : microToDecimal(t.micro) }))
      if (o.via === 'rpc') {
        const p = transfers.map((t) => ({ to: t.to, token_type: t.tokenType, amount: t.amount }))
        return outcome(async () => {
          const reply = (await asRequester(
            db().api,
            user(from),
            async (c) => (await c.query('select public.transfer_tokens_batch($1::jsonb, gen_random_uuid()) as r', [JSON.stringify(p)])).rows[0]!.r,
          )) as {
            applied: boolean
            failed_index?: number
            error?: { code: string }
          }
          return { batch: reply.applied ? { applied: true } : { applied: false, failedIndex: reply.failed_index!, code: nameOf.get(reply.error!.code) ?? reply.error!.code } }
        })
      }
      return outcome(async () => {
        const result = await w.scopes[o.via as 'server' | 'client'][o.from]!.tokens.transferBatch(transfers)
        if (result.applied) return { batch: { applied: true } }
        const failed = result.items[result.failedIndex]!
        const others = result.items.filter((item, i) => i !== result.failedIndex && !(item.status === 'linked_event_failed' && item.failedIndex === result.failedIndex))
        if (failed.status !== 'failed' || others.length) throw new Error(`a refused batch's items: ${JSON.stringify(result.items)}`)
        return { batch: { applied: false, failedIndex: result.failedIndex, code: failed.error.code } }
      })
    }
    case 'status': {
      const mine = [...w.model.records].filter(([, r]) => r.user === id(o.user))
      const target = mine[o.pick % Math.max(1, mine.length)]?.[0] ?? crypto.randomUUID()
      if (o.via === 'rpc') return outcome(() => rpcAs(id(o.user), 'select public.update_consent_status($1, $2) as r', [target, o.status]).then(() => target))
      const scope = w.scopes[o.via][o.user]!
      return outcome(() => scope.consent.updateStatus(target, o.status))
    }
  }
}

/** What each op may report, given the model before its batch and whether it ran alone. */
function checkOutcome(w: World, o: Op, r: Outcome, alone: boolean): string | undefined {
  const sdk = 'via' in o && o.via !== 'rpc'
  const expectCode = (code: string) => (r.ok || r.code !== code ? `expected ${code}, got ${JSON.stringify(r)}` : undefined)
  switch (o.kind) {
    case 'mint':
      return r.ok ? undefined : `mint failed: ${r.code}`
    case 'transfer': {
      if (o.variant === 'self') return expectCode(sdk ? 'validation_failed' : 'self_transfer')
      if (o.variant === 'zero') return expectCode(sdk ? 'validation_failed' : 'invalid_amount')
      if (o.variant === 'stranger') return expectCode('unknown_user')
      if (o.variant === 'overdraft') return expectCode('insufficient_balance')
      if (!r.ok && r.code !== 'insufficient_balance') return `transfer failed unexpectedly: ${r.code}`
      if (alone) {
        const covered = w.model.available(w.ids[o.from]!, o.token) >= o.micro
        if (covered !== r.ok) return `a lone transfer of ${microToDecimal(o.micro)} with balance ${microToDecimal(w.model.balance(w.ids[o.from]!, o.token))} ${r.ok ? 'succeeded' : 'was refused'}`
      }
      return undefined
    }
    case 'hold': {
      if (o.variant === 'overdraft') return expectCode('insufficient_balance')
      if (!r.ok && r.code !== 'insufficient_balance') return `hold failed unexpectedly: ${r.code}`
      if (alone && w.model.available(w.ids[o.from]!, o.token) >= o.micro !== r.ok) return `a lone hold of ${microToDecimal(o.micro)} ${r.ok ? 'succeeded' : 'was refused'}`
      return undefined
    }
    case 'resolve': {
      const got = r.ok ? 'ok' : r.code
      if (alone) {
        const expected = expectedResolution(o, pickedHold(w, o.pick)?.[1])
        return got === expected ? undefined : `a lone ${o.action} by the ${o.by}: ${got}, the model says ${expected}`
      }
      return ['ok', 'hold_resolved', 'hold_expired', 'permission_denied', 'hold_not_found'].includes(got) ? undefined : `${o.action} failed unexpectedly: ${got}`
    }
    case 'expire':
    case 'sweep':
      return r.ok ? undefined : `${o.kind} failed: ${r.code}`
    case 'batch': {
      if (!r.ok || !r.batch) return `batch failed: ${JSON.stringify(r)}`
      const got = r.batch
      if (alone) {
        const expected = expectedBatch(w, o)
        return JSON.stringify(got) === JSON.stringify(expected) ? undefined : `a lone batch replied ${JSON.stringify(got)}, the model says ${JSON.stringify(expected)}`
      }
      if (got.applied) return o.items.some((t) => t.variant !== 'normal') ? `a batch with a ${o.items.find((t) => t.variant !== 'normal')!.variant} transfer applied` : undefined
      const variant = o.items[got.failedIndex]?.variant
      const allowed = variant === 'stranger' ? ['unknown_user'] : variant === 'self' ? ['self_transfer'] : ['insufficient_balance']
      return allowed.includes(got.code) ? undefined : `a batch refused by transfer ${got.failedIndex} (${variant}) with ${got.code}`
    }
    case 'consent':
      return r.ok ? undefined : `consent failed: ${r.code}`
    case 'status': {
      if (r.ok) return undefined
      if (r.code === 'consent_not_found' || r.code === 'invalid_transition') return undefined // checked against the history below
      return `status change failed unexpectedly: ${r.code}`
    }
  }
}

/** Applies the reported successes to the model, then compares the database with it. */
async function applyAndCompare(w: World, ops: Op[], results: Outcome[]): Promise<string[]> {
  const problems: string[] = []
  const known = [...w.model.holds]
  ops.forEach((o, i) => {
    const r = results[i]!
    if (!r.ok) return
    if (o.kind === 'mint') w.model.mint(w.ids[o.to]!, o.token, o.micro)
    if (o.kind === 'transfer') w.model.transfer(w.ids[o.from]!, w.ids[o.from === o.to ? (o.to + 1) % 3 : o.to]!, o.token, o.micro)
    if (o.kind === 'consent') w.model.recordConsent(r.value!, w.ids[o.user]!)
    // All or nothing: a batch that applied moved every transfer, a refused one none.
    if (o.kind === 'batch' && r.batch?.applied) for (const t of o.items) w.model.transfer(w.ids[o.from]!, receiverOf(w, o.from, t), t.token, t.micro)
    if (o.kind === 'hold') w.model.hold(r.value!, w.ids[o.from]!, w.ids[o.from === o.to ? (o.to + 1) % 3 : o.to]!, o.token, o.micro)
    if (o.kind === 'resolve') {
      const picked = pickedHold(w, o.pick, known)
      // A hold resolves once: a success on a resolved hold is a replay and moves nothing.
      if (picked && picked[1].status === 'pending') {
        if (o.action === 'release') w.model.void(picked[0])
        else w.model.capture(picked[0], capturedMicro(o, picked[1]))
      }
    }
  })
  // Expiries, then the sweep: a lone sweep must release every expired pending hold; one beside other
  // ops may or may not see an expiry of the same group, so those holds are taken as the database has them.
  ops.forEach((o, i) => {
    if (o.kind === 'expire' && results[i]!.ok && (results[i] as { value?: string }).value) w.model.holds.get((results[i] as { value: string }).value)!.expired = true
  })
  const swept = ops.some((o) => o.kind === 'sweep')
  if (swept) {
    const pendingExpired = [...w.model.holds].filter(([, h]) => h.status === 'pending' && h.expired)
    const { rows: statuses } = await db().admin.query<{ id: string; status: string }>('select id, status::text from public.token_holds where id = any($1)', [pendingExpired.map(([id]) => id)])
    for (const [id] of pendingExpired) {
      const status = statuses.find((s) => s.id === id)?.status
      if (ops.length === 1 && status === 'pending') problems.push(`hold ${id} expired but a lone sweep left it pending`)
      if (status === 'expired' || status === 'released') w.model.void(id)
    }
  }
  // Holds: each as the model says, and each account's held amount its pending holds'.
  const { rows: holdRows } = await db().admin.query<{ id: string; status: string; captured: string | null }>(
    'select id, status::text, trim_scale(captured_amount)::text as captured from public.token_holds where from_user_id = any($1)',
    [w.ids],
  )
  if (holdRows.length !== w.model.holds.size) problems.push(`${holdRows.length} holds in the database, ${w.model.holds.size} in the model`)
  for (const h of holdRows) {
    const m = w.model.holds.get(h.id)
    const expected: Array<string | undefined> = m?.status === 'voided' ? ['released', 'expired'] : [m?.status]
    if (!expected.includes(h.status)) problems.push(`hold ${h.id}: database ${h.status}, model ${m?.status}`)
    if (m?.status === 'captured' && h.captured !== microToDecimal(m.captured!)) problems.push(`hold ${h.id} captured ${h.captured}, model ${microToDecimal(m.captured!)}`)
  }
  const { rows: heldRows } = await db().admin.query<{ user_id: string; token_type: string; held: string }>(
    'select user_id, token_type, trim_scale(held)::text as held from public.token_balances where user_id = any($1)',
    [w.ids],
  )
  for (const u of w.ids)
    for (const t of TOKENS) {
      const actual = heldRows.find((b) => b.user_id === u && b.token_type === t)?.held ?? '0'
      const expected = microToDecimal(w.model.held.get(`${u}:${t}`) ?? 0n)
      if (actual !== expected) problems.push(`held ${t} of ${u}: database ${actual}, model ${expected}`)
    }
  // Balances: the database must hold exactly what the model says.
  const { rows: balances } = await db().admin.query<{ user_id: string; token_type: string; balance: string }>(
    `select user_id, token_type, trim_scale(balance)::text as balance from public.token_balances where user_id = any($1)`,
    [w.ids],
  )
  for (const u of w.ids)
    for (const t of TOKENS) {
      const actual = balances.find((b) => b.user_id === u && b.token_type === t)?.balance ?? '0'
      const expected = microToDecimal(w.model.balance(u, t))
      if (actual !== expected) problems.push(`balance of ${t} for ${u}: database ${actual}, model ${expected}`)
    }
  // Consent: each record's history must extend what was seen before, one allowed step per success.
  const { rows: history } = await db().admin.query<{ consent_id: string; id: string; from_status: ConsentStatus | null; to_status: ConsentStatus }>(
    // Ordered by the bigint column itself: `order by id` would sort the text cast of the same name.
    'select consent_id, id::text as id, from_status, to_status from public.consent_history where user_id = any($1) order by consent_history.id',
    [w.ids],
  )
  const successes = new Map<string, number>()
  ops.forEach((o, i) => {
    const r = results[i]!
    if (o.kind === 'status' && r.ok && r.value) successes.set(r.value, (successes.get(r.value) ?? 0) + 1)
  })
  for (const [id, record] of w.model.records) {
    const rows = history.filter((h) => h.consent_id === id)
    const seen = w.seenHistory.get(id) ?? []
    if (seen.some((s, i) => rows[i]?.id !== s)) problems.push(`history of ${id} changed: it must only grow`)
    const newSteps = rows.slice(record.history.length)
    if (newSteps.length !== (successes.get(id) ?? 0)) problems.push(`history of ${id} has ${newSteps.length} new rows for ${successes.get(id) ?? 0} successful changes`)
    for (const step of newSteps) {
      if (step.from_status !== record.status || !transitionAllowed(record.status, step.to_status)) problems.push(`history of ${id}: ${step.from_status} -> ${step.to_status} from ${record.status}`)
      record.history.push([step.from_status, step.to_status])
      record.status = step.to_status
    }
    w.seenHistory.set(
      id,
      rows.map((h) => h.id),
    )
  }
  const { rows: statuses } = await db().admin.query<{ id: string; status: ConsentStatus }>('select id, status from public.user_consent where user_id = any($1)', [w.ids])
  if (statuses.length !== w.model.records.size) problems.push(`${statuses.length} consent records in the database, ${w.model.records.size} in the model`)
  for (const s of statuses) if (w.model.records.get(s.id)?.status !== s.status) problems.push(`consent ${s.id}: database ${s.status}, model ${w.model.records.get(s.id)?.status}`)
  problems.push(...(await checkLedgerInvariants(db().admin)).violations)
  problems.push(...(await checkBalancesAt(w)))
  return problems
}

/**
 * Every balance stays provable: after each batch the model's balances are noted with the database's
 * clock, and at every later check token_balance_at() must still give each of them at its instant
 * (from the entries alone); each user, asking for themselves through RLS, gets today's balance.
 */
async function checkBalancesAt(w: World): Promise<string[]> {
  const problems: string[] = []
  const { rows: now } = await db().admin.query<{ at: string }>('select clock_timestamp()::text as at')
  w.snapshots.push({ at: now[0]!.at, balances: new Map(w.model.balances) })
  const { rows } = await db().admin.query<{ i: number; user_id: string; token: string; balance: string }>(
    `select s.i::int as i, u.id as user_id, t.token, trim_scale(public.token_balance_at(t.token, s.at, u.id))::text as balance
     from unnest($1::timestamptz[]) with ordinality s(at, i), unnest($2::uuid[]) u(id), unnest($3::text[]) t(token)`,
    [w.snapshots.map((x) => x.at), w.ids, TOKENS],
  )
  for (const r of rows) {
    const snapshot = w.snapshots[r.i - 1]!
    const expected = microToDecimal(snapshot.balances.get(`${r.user_id}:${r.token}`) ?? 0n)
    if (r.balance !== expected) problems.push(`balance of ${r.token} for ${r.user_id} at ${snapshot.at}: token_balance_at ${r.balance}, model ${expected}`)
  }
  for (const u of w.ids) {
    const own = await asRequester(db().api, user(u), async (c) => (await c.query<{ b: string }>(`select trim_scale(public.token_balance_at('GEN', now()))::text as b`)).rows[0]!.b)
    const expected = microToDecimal(w.model.balance(u, 'GEN'))
    if (own !== expected) problems.push(`token_balance_at('GEN', now()) as ${u}: ${own}, model ${expected}`)
  }
  return problems
}

/** Runs each group of ops concurrently, checking the replies and the database against the model after each; returns how many ran. */
async function runPlan(plan: Op[][]): Promise<number> {
  const w = await newWorld()
  let operations = 0
  for (const ops of plan) {
    const results = await Promise.all(ops.map((o) => execute(w, o)))
    operations += ops.length
    const problems = ops.map((o, i) => checkOutcome(w, o, results[i]!, ops.length === 1)).filter((p): p is string => !!p)
    problems.push(...(await applyAndCompare(w, ops, results)))
    if (problems.length) throw new Error(problems.join('\n'))
  }
  return operations
}

describe('the ledger and consent invariants under random concurrent operations', () => {
  it('holds resolve as the model says, op by op: who may capture or release, once, never after expiry, all released by the sweep', async () => {
    let operations = 0
    await fc.assert(
      fc.asyncProperty(holdSequence, async (plan) => {
        operations += await runPlan(plan)
      }),
      { numRuns: runs, ...(process.env.SEED ? { seed: Number(process.env.SEED) } : {}) },
    )
    recordFigure('hold-model', {
      area: 'invariants',
      check: 'model-based: sequences of holds, captures (whole and part), releases by payee and payer, expiries and sweeps, each reply checked exactly',
      cases: operations,
      violations: 0,
      command: `MODEL_RUNS=${runs} npx vitest run test/reliability/invariants`,
      notes: 'after every op: hold statuses, held amounts, balances and the ledger chain as the model says',
    })
  }, 600_000)

  it('hold after every batch, on every path, against the model', async () => {
    let operations = 0
    let sequences = 0
    let violations = 0
    try {
      await fc.assert(
        fc.asyncProperty(batches, async (plan) => {
          sequences++
          operations += await runPlan(plan)
        }),
        { numRuns: runs, ...(process.env.SEED ? { seed: Number(process.env.SEED) } : {}) },
      )
    } catch (error) {
      violations++
      throw error
    } finally {
      recordFigure('ledger-model', {
        area: 'invariants',
        check:
          'model-based: random concurrent mints, transfers (valid and invalid), batches of transfers (all or nothing), holds with captures, releases, expiries and sweeps, consents and status changes via server SDK, client SDK and raw RPCs',
        cases: operations,
        violations,
        command: `MODEL_RUNS=${runs} npx vitest run test/reliability/invariants`,
        notes:
          "after every batch: balances as the model says, every account's running balances chained (private.ledger_chain_violations), and every earlier batch's balances still given by token_balance_at at their instant",
      })
    }
    expect(sequences).toBeGreaterThanOrEqual(runs)
    // Long enough for fast-check to shrink a failure to its minimal sequence.
  }, 600_000)
})
