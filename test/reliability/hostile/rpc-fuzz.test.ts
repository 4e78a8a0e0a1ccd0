import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { consentStatuses, databaseErrorCodes, interactionTypes, tokenCodes } from '../../../src/index.js'
import { createPostgrestServer, type PostgrestServer } from '../../support/postgrest/server.js'
import { signAnonKey } from '../../support/postgrest/supabase-client.js'
import { recordFigure } from '../../support/reliability-report.js'
import { asRequester, createUsers, mint, queryAs, user } from '../../support/requests.js'
import { useTestDatabase } from '../../support/test-database.js'
import { signUserToken, testJwtSecret } from '../../support/tokens.js'
import { badAmounts, hostileStrings, hostileValues } from './arbitraries.js'
import { assertNoLeak, documentedSqlStates } from './documented-errors.js'

/**
 * Every RPC, called directly (over HTTP as PostgREST serves it, and over SQL), as anon and as a
 * signed-in user, with arguments an attacker or a broken client sends. Each call must be refused
 * with a documented code, change nothing, and say nothing beyond the documented messages.
 */
const db = useTestDatabase()
let api: PostgrestServer
let anonKey: string
let me: string
let other: string
let myToken: string
let othersConsent: string
/** A pending hold the user pays (to other), and one between two other users. */
let myHold: string
let othersHold: string
const runs = Number(process.env.FUZZ_RUNS ?? 40)

beforeAll(async () => {
  api = await createPostgrestServer({ databaseUrl: db().authenticatorUrl, jwtSecret: testJwtSecret })
  anonKey = await signAnonKey()
  ;[me, other] = (await createUsers(db().admin, 2)) as [string, string]
  myToken = await signUserToken(me)
  for (const u of [me, other]) await mint(db().api, u, 'GEN', '100')
  othersConsent = (await queryAs<{ id: string }>(db().api, user(other), `select public.record_consent($1, 'terms_of_service', '{t}') as id`, [other]))[0]!.id
  myHold = (await queryAs<{ id: string }>(db().api, user(me), `select public.hold_tokens($1, $2, 'GEN', 1, 3600, gen_random_uuid()) as id`, [me, other]))[0]!.id
  const [third] = (await createUsers(db().admin, 1)) as [string]
  othersHold = (await queryAs<{ id: string }>(db().api, user(other), `select public.hold_tokens($1, $2, 'GEN', 1, 3600, gen_random_uuid()) as id`, [other, third]))[0]!.id
})
afterAll(() => api?.close())

const notIn = (values: readonly string[]) => hostileValues.filter((v) => !(typeof v === 'string' && values.includes(v)))
const notUuid = hostileValues.filter((v) => !(typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)))
const lazy = (f: () => string) => fc.constant(null).map(f)
const badTerms = fc.oneof(
  fc.constantFrom(
    [],
    [''],
    ['  '],
    [null],
    Array.from({ length: 101 }, (_, i) => `t${i}`),
    ['x'.repeat(10_001)],
    ['a\u0000b'],
    [['nested']],
  ),
  notIn([]).filter((v) => !Array.isArray(v) || v.length === 0 || v.length > 100 || v.some((t) => typeof t !== 'string' || !t.trim() || t.length > 10_000 || t.includes('\u0000'))),
)

/** For each function: a valid call for `me`, and for each argument the values that must be refused. */
const functions = {
  record_consent: {
    valid: () => ({ p_user_id: me, p_interaction_type: 'terms_of_service', p_terms: ['v1'] }),
    refused: () => ({
      p_user_id: fc.oneof(
        notUuid,
        lazy(() => other),
        lazy(() => crypto.randomUUID()),
      ),
      p_interaction_type: notIn(interactionTypes),
      p_terms: badTerms,
    }),
  },
  update_consent_status: {
    valid: () => ({ p_consent_id: othersConsent, p_status: 'withdrawn' }),
    refused: () => ({
      p_consent_id: fc.oneof(
        notUuid,
        lazy(() => othersConsent),
        lazy(() => crypto.randomUUID()),
      ),
      p_status: notIn(consentStatuses),
    }),
  },
  transfer_tokens: {
    valid: () => ({ p_from_user_id: me, p_to_user_id: other, p_token_type: 'GEN', p_amount: '1', p_idempotency_key: crypto.randomUUID(), p_memo: 'm' }),
    refused: () => ({
      p_from_user_id: fc.oneof(
        notUuid,
        lazy(() => other),
        lazy(() => crypto.randomUUID()),
      ),
      p_to_user_id: fc.oneof(
        notUuid,
        lazy(() => me),
        lazy(() => crypto.randomUUID()),
      ),
      p_token_type: notIn(tokenCodes),
      p_amount: badAmounts,
      p_idempotency_key: notUuid,
      p_memo: fc.oneof(
        fc.constant('m'.repeat(501)),
        fc.constant('x'.repeat(1_000_000)),
        hostileStrings.filter((s) => s.includes('\u0000') || s.length > 500),
      ),
    }),
  },
  mint_tokens: {
    valid: () => ({ p_to_user_id: me, p_token_type: 'GEN', p_amount: '1', p_idempotency_key: crypto.randomUUID() }),
    refused: () => ({ p_to_user_id: hostileValues }), // refused to a user whatever the arguments: service_role only
  },
  refresh_user_stats: { valid: () => ({}), refused: () => ({}) },
  hold_tokens: {
    valid: () => ({ p_from_user_id: me, p_to_user_id: other, p_token_type: 'GEN', p_amount: '1', p_expires_in_seconds: 60, p_idempotency_key: crypto.randomUUID(), p_memo: 'm' }),
    refused: () => ({
      p_from_user_id: fc.oneof(
        notUuid,
        lazy(() => other),
        lazy(() => crypto.randomUUID()),
      ),
      p_to_user_id: fc.oneof(
        notUuid,
        lazy(() => me),
        lazy(() => crypto.randomUUID()),
      ),
      p_token_type: notIn(tokenCodes),
      p_amount: badAmounts,
      p_expires_in_seconds: fc.oneof(
        fc.constantFrom(0, -1, 2592001, 1.5, 2 ** 31),
        hostileValues.filter((v) => !((typeof v === 'number' || typeof v === 'string') && v !== '' && Number.isInteger(Number(v)) && Number(v) >= 1 && Number(v) <= 2592000)),
      ),
      p_idempotency_key: notUuid,
      p_memo: fc.oneof(
        fc.constant('m'.repeat(501)),
        hostileStrings.filter((s) => s.includes('\u0000') || s.length > 500),
      ),
    }),
  },
  // The user is the payer of othersHold: neither may capture it, nor release it before it expires.
  capture_hold: {
    valid: () => ({ p_hold_id: myHold }),
    refused: () => ({
      p_hold_id: fc.oneof(
        notUuid,
        lazy(() => othersHold),
        lazy(() => crypto.randomUUID()),
      ),
      p_amount: badAmounts,
    }),
  },
  release_hold: {
    valid: () => ({ p_hold_id: myHold }),
    refused: () => ({
      p_hold_id: fc.oneof(
        notUuid,
        lazy(() => othersHold),
        lazy(() => myHold),
        lazy(() => crypto.randomUUID()),
      ),
    }),
  },
  release_expired_holds: { valid: () => ({ p_limit: 10 }), refused: () => ({ p_limit: hostileValues }) }, // service_role only
} as const

type Fn = keyof typeof functions

/** A valid call with at least one argument replaced by one that must be refused. */
const hostileCall = (fn: Fn) => {
  const refused = functions[fn].refused() as Record<string, fc.Arbitrary<unknown>>
  const names = Object.keys(refused)
  return fc.record(Object.fromEntries(names.map((n) => [n, fc.option(refused[n]!, { nil: undefined, freq: 2 })]))).map((chosen) => {
    const args: Record<string, unknown> = { ...functions[fn].valid() }
    const corrupted = Object.entries(chosen).filter(([, v]) => v !== undefined)
    const forced = corrupted.length ? corrupted : names.length ? [[names[0]!, fc.sample(refused[names[0]!]!, 1)[0]]] : []
    for (const [n, v] of forced) args[n as string] = v
    return args
  })
}

async function stateFingerprint(): Promise<string> {
  const { rows } = await db().admin.query(`select
      (select count(*) from public.user_consent) as consents, (select count(*) from public.consent_history) as history,
      (select count(*) from public.token_transactions) as ledger, (select string_agg(balance::text || '/' || held::text, ',' order by id) from public.token_balances) as balances,
      (select string_agg(status::text, ',' order by id) from public.token_holds) as holds`)
  return JSON.stringify(rows[0])
}

const seen = new Map<string, number>()
let calls = 0
let violations = 0

/** Checks one refusal: documented code, no leak; the caller checks that nothing changed. */
function checkRefusal(path: string, fn: string, code: string | undefined, body: { message?: string; details?: string | null; hint?: string | null }) {
  calls++
  seen.set(`${path} ${code}`, (seen.get(`${path} ${code}`) ?? 0) + 1)
  const problems: string[] = []
  if (!code || !documentedSqlStates.has(code)) problems.push(`${path} ${fn}: undocumented code ${code}: ${body.message}`)
  problems.push(...assertNoLeak(code ?? '', body).map((p) => `${path} ${fn}: ${p}`))
  if (problems.length) violations++
  expect(problems).toEqual([])
}

async function overHttp(fn: Fn, args: unknown, token: string) {
  const res = await fetch(`${api.url}/rest/v1/rpc/${fn}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', apikey: anonKey, authorization: `Bearer ${token}` },
    body: JSON.stringify(args),
  })
  return { status: res.status, body: res.status === 204 ? {} : ((await res.json()) as { code?: string; message?: string; details?: string | null; hint?: string | null }) }
}

describe('hostile input, straight to the RPCs', () => {
  for (const fn of Object.keys(functions) as Fn[]) {
    it(`${fn} over HTTP as anon: always 401, nothing changes`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(hostileCall(fn), fc.constant(functions[fn].valid())), async (args) => {
          const before = await stateFingerprint()
          const { status, body } = await overHttp(fn, args, anonKey)
          expect(status).toBe(401)
          checkRefusal('http anon', fn, body.code, body)
          expect(await stateFingerprint()).toBe(before)
        }),
        { numRuns: Math.ceil(runs / 2) },
      )
    })

    it(`${fn} over HTTP as a user: refused with a documented code, nothing changes, nothing leaks`, async () => {
      await fc.assert(
        fc.asyncProperty(hostileCall(fn), async (args) => {
          const before = await stateFingerprint()
          const { status, body } = await overHttp(fn, args, myToken)
          expect(status, JSON.stringify(body)).toBeGreaterThanOrEqual(400)
          expect(status).toBeLessThan(500)
          checkRefusal('http user', fn, body.code, body)
          expect(await stateFingerprint()).toBe(before)
        }),
        { numRuns: runs },
      )
    })

    it(`${fn} over SQL as a user: refused with a documented code, nothing changes`, async () => {
      const params = Object.keys(functions[fn].valid())
      await fc.assert(
        fc.asyncProperty(hostileCall(fn), async (args) => {
          const before = await stateFingerprint()
          const values = params.map((p) => (args as Record<string, unknown>)[p])
          const text = `select public.${fn}(${params.map((p, i) => `${p} => $${i + 1}`).join(', ')})`
          const error = await asRequester(db().api, user(me), (c) =>
            c.query(
              text,
              values.map((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? JSON.stringify(v) : v)),
            ),
          ).then(
            () => undefined,
            (e: { code?: string; message?: string; detail?: string; hint?: string }) => e,
          )
          expect(error, `${fn}(${JSON.stringify(args).slice(0, 200)}) succeeded`).toBeDefined()
          checkRefusal('sql user', fn, error!.code, { message: error!.message, details: error!.detail ?? null, hint: error!.hint ?? null })
          expect(await stateFingerprint()).toBe(before)
        }),
        { numRuns: runs },
      )
    })
  }

  describe('transfer_tokens_batch: a hostile transfer anywhere in a batch refuses the whole batch', () => {
    const valid = () => ({ to: other, token_type: 'GEN', amount: '1' })
    /** One hostile field in one transfer of an otherwise valid batch, or a hostile batch as a whole. */
    const hostileBatch = fc.oneof(
      fc
        .record({
          at: fc.nat({ max: 4 }),
          field: fc.oneof(
            // A missing or null sender is the caller: not hostile.
            fc.record({
              name: fc.constant('from'),
              value: fc.oneof(
                notUuid.filter((v) => v !== undefined && v !== null),
                lazy(() => other),
              ),
            }),
            fc.record({
              name: fc.constant('to'),
              value: fc.oneof(
                notUuid,
                lazy(() => me),
                lazy(() => crypto.randomUUID()),
              ),
            }),
            fc.record({ name: fc.constant('token_type'), value: notIn(tokenCodes) }),
            fc.record({ name: fc.constant('amount'), value: badAmounts }),
            fc.record({
              name: fc.constant('memo'),
              value: fc.oneof(
                fc.constant('m'.repeat(501)),
                hostileStrings.filter((s) => s.includes('\u0000') || s.length > 500),
              ),
            }),
            fc.record({ name: fc.constant('extra'), value: hostileValues }),
          ),
        })
        .map(({ at, field }) => {
          const transfers: Array<Record<string, unknown>> = Array.from({ length: at + 1 }, valid)
          transfers[at]![field.name] = field.value
          return transfers
        }),
      fc.oneof(hostileValues, fc.constant([]), fc.constant(Array.from({ length: 101 }, valid))),
    )

    /** A refusal: an error with a documented code, or a reply that names its failed transfer's documented code. */
    async function checkBatch(path: string, code: string | undefined, body: { message?: string; details?: string | null; hint?: string | null }, reply: unknown) {
      if (code === undefined) {
        const r = reply as { applied?: boolean; error?: { code: string; message: string; details: string | null; hint: string | null } }
        expect(r.applied, JSON.stringify(reply)).toBe(false)
        checkRefusal(path, 'transfer_tokens_batch', r.error?.code, r.error ?? {})
      } else {
        checkRefusal(path, 'transfer_tokens_batch', code, body)
      }
    }

    it('over HTTP as a user: refused with a documented code, nothing changes, nothing leaks', async () => {
      await fc.assert(
        fc.asyncProperty(hostileBatch, async (transfers) => {
          const before = await stateFingerprint()
          const res = await fetch(`${api.url}/rest/v1/rpc/transfer_tokens_batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', apikey: anonKey, authorization: `Bearer ${myToken}` },
            body: JSON.stringify({ p_transfers: transfers, p_idempotency_key: crypto.randomUUID() }),
          })
          const body = (await res.json()) as { code?: string; message?: string; details?: string | null; hint?: string | null }
          expect(res.status).toBeLessThan(500)
          await checkBatch('http user', res.ok ? undefined : body.code, body, body)
          expect(await stateFingerprint()).toBe(before)
        }),
        { numRuns: runs },
      )
    })

    it('over SQL as a user: refused with a documented code, nothing changes', async () => {
      await fc.assert(
        fc.asyncProperty(hostileBatch, async (transfers) => {
          const before = await stateFingerprint()
          const outcome = await asRequester(db().api, user(me), (c) => c.query('select public.transfer_tokens_batch($1::jsonb, $2) as r', [JSON.stringify(transfers), crypto.randomUUID()])).then(
            (r) => ({ reply: r.rows[0]!.r as unknown, error: undefined }),
            (e: { code?: string; message?: string; detail?: string; hint?: string }) => ({ reply: undefined, error: e }),
          )
          const e = outcome.error
          await checkBatch('sql user', e ? (e.code ?? 'none') : undefined, { message: e?.message, details: e?.detail ?? null, hint: e?.hint ?? null }, outcome.reply)
          expect(await stateFingerprint()).toBe(before)
        }),
        { numRuns: runs },
      )
    })
  })

  it('records what it tried', () => {
    recordFigure('rpc-fuzz', {
      area: 'hostile input',
      check: 'every RPC, directly over HTTP (anon and user) and SQL (user), with malformed, oversized, wrong-typed and foreign arguments',
      cases: calls,
      violations,
      command: `FUZZ_RUNS=${runs} npx vitest run test/reliability/hostile/rpc-fuzz.test.ts`,
      notes: `codes seen: ${[...seen]
        .map(([k, n]) => `${k} ×${n}`)
        .sort()
        .join('; ')}`,
    })
    expect(calls).toBeGreaterThan(0)
    // The documented list is the generated one plus the standard codes of malformed values.
    expect([...documentedSqlStates].filter((c) => databaseErrorCodes.some((e) => e.sqlstate === c)).length).toBe(databaseErrorCodes.length)
  })
})
