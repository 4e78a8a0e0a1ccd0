import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAvolveClient } from '../../../src/client.js'
import { AvolveError, consentStatuses, databaseErrorCodes, interactionTypes, tokenCodes, TransientError, UnexpectedError, type UserRepositories } from '../../../src/index.js'
import { createAvolveDb, type AvolveDb } from '../../../src/server.js'
import { createPostgrestServer, type PostgrestServer } from '../../support/postgrest/server.js'
import { recordFigure } from '../../support/reliability-report.js'
import { createUsers } from '../../support/requests.js'
import { supabaseAs } from '../../support/supabase-session.js'
import { useTestDatabase } from '../../support/test-database.js'
import { inAnHour, signUserToken, testJwtSecret } from '../../support/tokens.js'
import { badSdkAmounts, hostileValues } from './arbitraries.js'
import { assertNoLeak } from './documented-errors.js'

/**
 * Every SDK function, on both adapters, with hostile inputs: each call is refused with a typed error
 * whose code is documented (or, for reads, answers), nothing changes, and no message leaks internals.
 */
const db = useTestDatabase()
let api: PostgrestServer
let sdk: AvolveDb
let me: string
let other: string
let othersConsent: string
const scopes: Record<string, UserRepositories> = {}
const runs = Number(process.env.FUZZ_RUNS ?? 40)
const documentedCodes = new Set<string>(['validation_failed', ...databaseErrorCodes.map((e) => e.name)])

beforeAll(async () => {
  api = await createPostgrestServer({ databaseUrl: db().authenticatorUrl, jwtSecret: testJwtSecret })
  sdk = createAvolveDb({ connection: db().authenticatorUrl, jwt: { secret: testJwtSecret } })
  ;[me, other] = (await createUsers(db().admin, 2)) as [string, string]
  for (const u of [me, other]) await sdk.asService().tokens.mint({ to: u, tokenType: 'GEN', amount: '100' })
  othersConsent = (await (await sdk.asUser({ sub: other, role: 'authenticated', exp: inAnHour() })).consent.record('privacy_policy', ['t'])).id
  scopes.server = await sdk.asUser(await signUserToken(me))
  scopes.client = createAvolveClient(supabaseAs(api.url, { accessToken: await signUserToken(me), userId: me }), { retry: false })
})
afterAll(async () => {
  await sdk?.destroy()
  await api?.close()
})

const notIn = (values: readonly unknown[]) => hostileValues.filter((v) => !values.includes(v as never))
const foreignIds = fc.oneof(
  hostileValues,
  fc.constant(null).map(() => crypto.randomUUID()),
  fc.constant(null).map(() => othersConsent),
)
const options = fc.oneof(
  hostileValues,
  fc.dictionary(fc.constantFrom('limit', 'cursor', 'since', 'until', 'status', 'interactionType', 'tokenType', 'orderBy', '__proto__'), hostileValues, { maxKeys: 3 }),
)
const transferInput = fc
  .record(
    {
      to: fc.oneof(
        hostileValues,
        fc.constant(null).map(() => crypto.randomUUID()),
        fc.constant(null).map(() => me),
      ),
      tokenType: notIn(tokenCodes),
      amount: badSdkAmounts,
      idempotencyKey: hostileValues,
      memo: fc.constant('m'.repeat(501)),
      extra: hostileValues,
    },
    { requiredKeys: [] },
  )
  .filter((o) => Object.keys(o).length > 0)
  .map((corrupt) => ({ to: other, tokenType: 'GEN', amount: '1', ...corrupt }))

/** Each SDK function with inputs it must refuse (`mustRefuse`), or that may also be a harmless read. */
const calls: Array<{ name: string; input: fc.Arbitrary<unknown>; mustRefuse: boolean; run: (s: UserRepositories, input: any) => Promise<unknown> }> = [
  {
    name: 'consent.record',
    mustRefuse: true,
    input: fc
      .tuple(fc.oneof(notIn(interactionTypes), fc.constant('terms_of_service')), hostileValues)
      .filter(
        ([t, terms]) =>
          t !== 'terms_of_service' ||
          !Array.isArray(terms) ||
          terms.length === 0 ||
          terms.some((x) => typeof x !== 'string' || !x.trim() || x.length > 10_000 || x.includes('\u0000')) ||
          terms.length > 100,
      ),
    run: (s, [t, terms]) => s.consent.record(t, terms),
  },
  {
    name: 'consent.updateStatus',
    mustRefuse: true,
    input: fc.tuple(foreignIds, fc.oneof(notIn(consentStatuses), fc.constantFrom(...consentStatuses))),
    run: (s, [id, status]) => s.consent.updateStatus(id, status),
  },
  { name: 'consent.list', mustRefuse: false, input: options, run: (s, o) => s.consent.list(o) },
  { name: 'consent.has', mustRefuse: true, input: notIn(interactionTypes), run: (s, t) => s.consent.has(t) },
  { name: 'consent.history', mustRefuse: true, input: foreignIds, run: (s, id) => s.consent.history(id) },
  { name: 'tokens.balance', mustRefuse: true, input: notIn(tokenCodes), run: (s, t) => s.tokens.balance(t) },
  { name: 'tokens.transfer', mustRefuse: true, input: transferInput, run: (s, i) => s.tokens.transfer(i) },
  { name: 'tokens.history', mustRefuse: false, input: options, run: (s, o) => s.tokens.history(o) },
  { name: 'tokenTypes.get', mustRefuse: true, input: notIn(tokenCodes), run: (s, c) => s.tokenTypes.get(c) },
]

async function fingerprint(): Promise<string> {
  const { rows } = await db().admin.query(`select (select count(*) from public.user_consent) c, (select count(*) from public.consent_history) h,
    (select count(*) from public.token_transactions) l, (select string_agg(balance::text, ',' order by id) from public.token_balances) b,
    (select string_agg(status::text, ',' order by id) from public.user_consent) s`)
  return JSON.stringify(rows[0])
}

let tried = 0
let violations = 0
const codes = new Map<string, number>()

describe('hostile input through the SDK', () => {
  for (const adapter of ['server', 'client'] as const) {
    for (const call of calls) {
      it(`${adapter}: ${call.name}`, async () => {
        await fc.assert(
          fc.asyncProperty(call.input, async (input) => {
            tried++
            const before = await fingerprint()
            const problems: string[] = []
            const error = await call.run(scopes[adapter]!, input).then(
              () => undefined,
              (e: unknown) => e,
            )
            if (error === undefined) {
              if (call.mustRefuse) problems.push('accepted an input it must refuse')
            } else if (!(error instanceof AvolveError) || error instanceof UnexpectedError || error instanceof TransientError) {
              problems.push(`not a documented refusal: ${String(error)}`)
            } else {
              codes.set(error.code, (codes.get(error.code) ?? 0) + 1)
              if (!documentedCodes.has(error.code)) problems.push(`undocumented code ${error.code}`)
              problems.push(...assertNoLeak('', { message: error.message, details: error.details ?? null, hint: error.hint ?? null }))
            }
            if ((await fingerprint()) !== before) problems.push('the call changed state')
            if (problems.length) violations++
            expect(problems, JSON.stringify(input)?.slice(0, 300)).toEqual([])
          }),
          { numRuns: runs },
        )
      })
    }
  }

  it('records what it tried', () => {
    recordFigure('sdk-fuzz', {
      area: 'hostile input',
      check: 'every SDK function on both adapters with malformed, oversized, wrong-typed and foreign inputs',
      cases: tried,
      violations,
      command: `FUZZ_RUNS=${runs} npx vitest run test/reliability/hostile/sdk-fuzz.test.ts`,
      notes: `codes seen: ${[...codes]
        .map(([c, n]) => `${c} ×${n}`)
        .sort()
        .join('; ')}`,
    })
    expect(tried).toBeGreaterThan(0)
  })
})
