import { createServer, type Server } from 'node:http'
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAvolveDb, NotAuthenticatedError, NotFoundError } from '../../src/server.js'
import { expectAvolveError } from '../support/expect-error.js'
import { recordFigure } from '../support/reliability-report.js'
import { createUsers } from '../support/requests.js'
import { signedInUsers, useSdk } from '../support/sdk.js'
import { useTestDatabase } from '../support/test-database.js'
import { inAnHour, signUserToken, testJwtSecret } from '../support/tokens.js'

const db = useTestDatabase()
const sdk = useSdk(db)

describe('asUser with an access token (HS256, the project JWT secret)', () => {
  it('verifies the token and runs as its subject', async () => {
    const [id] = await createUsers(db().admin, 1)
    const me = await sdk().asUser(await signUserToken(id!, { extra: { email: 'a@example.test' } }))
    expect(me.userId).toBe(id)
    expect(me.claims.email).toBe('a@example.test')
    expect((await me.consent.record('terms_of_service', ['v1'])).user_id).toBe(id)
  })

  it.each([
    ['an expired token', () => signUserToken(crypto.randomUUID(), { expiresIn: -120 }), 'token_expired'],
    ['a token signed with another secret', () => signUserToken(crypto.randomUUID(), { secret: 'x'.repeat(40) }), 'invalid_token'],
    ['a malformed token', async () => 'not.a.jwt', 'invalid_token'],
    ['an empty token', async () => '', 'invalid_token'],
    ['a token for another audience', () => signUserToken(crypto.randomUUID(), { audience: 'someone-else' }), 'invalid_token'],
    ['a service_role token', () => signUserToken(crypto.randomUUID(), { role: 'service_role' }), 'invalid_token'],
    ['an anon token', () => signUserToken(crypto.randomUUID(), { role: 'anon' }), 'invalid_token'],
    ['a token whose sub is not a UUID', () => signUserToken('user-1'), 'invalid_token'],
  ])('refuses %s (NotAuthenticatedError)', async (_label, token, code) => {
    await expectAvolveError(sdk().asUser(await token()), NotAuthenticatedError, code)
  })

  it('refuses an unsigned token (alg none) and a token whose payload was edited', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')
    const payload = Buffer.from(JSON.stringify({ sub: a, role: 'authenticated', aud: 'authenticated', exp: 9999999999 })).toString('base64url')
    await expectAvolveError(sdk().asUser(`${header}.${payload}.`), NotAuthenticatedError, 'invalid_token')
    const [h, , s] = (await signUserToken(a!)).split('.')
    const forged = Buffer.from(JSON.stringify({ sub: b, role: 'authenticated', aud: 'authenticated', exp: 9999999999 })).toString('base64url')
    await expectAvolveError(sdk().asUser(`${h}.${forged}.${s}`), NotAuthenticatedError, 'invalid_token')
  })

  it('refuses a signed token without exp: it would never expire', async () => {
    const [id] = await createUsers(db().admin, 1)
    const forever = await new SignJWT({ role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(id!)
      .setAudience('authenticated')
      .setIssuedAt()
      .sign(new TextEncoder().encode(testJwtSecret))
    const error = await expectAvolveError(sdk().asUser(forever), NotAuthenticatedError, 'invalid_token')
    expect(error.message).toMatch(/"exp"/)
    recordFigure('tokens-without-exp', {
      area: 'security',
      check: 'asUser refuses a signed token without exp (it would never expire)',
      cases: 1,
      violations: 0,
      command: 'npx vitest run test/sdk/auth.test.ts',
      notes: 'NotAuthenticatedError invalid_token; a token 10 s past its exp is still taken (30 s leeway)',
    })
  })

  it('keeps 30 s of leeway for a token that expired a moment ago', async () => {
    const [id] = await createUsers(db().admin, 1)
    const me = await sdk().asUser(await signUserToken(id!, { expiresIn: -10 }))
    expect(me.userId).toBe(id)
    expect(await me.tokens.balance('GEN')).toBe('0')
  })

  it('stops a scope once its token expires', async () => {
    const [id] = await createUsers(db().admin, 1)
    const now = Math.floor(Date.now() / 1000)
    const me = await sdk().asUser({ sub: id!, role: 'authenticated', exp: now + 1 })
    expect(await me.consent.has('terms_of_service')).toBe(false)
    await new Promise((r) => setTimeout(r, 1100))
    await expectAvolveError(me.consent.has('terms_of_service'), NotAuthenticatedError, 'token_expired')
  })

  it('says what to configure when no way to verify tokens was given', async () => {
    const bare = createAvolveDb(db().authenticatorUrl)
    try {
      await expectAvolveError(bare.asUser(await signUserToken(crypto.randomUUID())), NotAuthenticatedError, 'verification_not_configured')
    } finally {
      await bare.destroy()
    }
  })
})

describe('asUser with claims the caller verified', () => {
  it("runs as the claims' subject, passing other claims to auth.jwt()", async () => {
    const [id] = await createUsers(db().admin, 1)
    const me = await sdk().asUser({ sub: id!, role: 'authenticated', exp: inAnHour(), app_metadata: { plan: 'pro' } })
    expect((await me.consent.record('data_sharing', ['d1'])).user_id).toBe(id)
  })

  it("refuses claims that are not a signed-in user's, or are expired", async () => {
    await expectAvolveError(sdk().asUser({ sub: 'x', role: 'authenticated', exp: inAnHour() }), NotAuthenticatedError, 'invalid_token')
    await expectAvolveError(sdk().asUser({ sub: crypto.randomUUID(), role: 'service_role' } as never), NotAuthenticatedError, 'invalid_token')
    await expectAvolveError(sdk().asUser({ sub: crypto.randomUUID(), role: 'authenticated', exp: 1 }), NotAuthenticatedError, 'token_expired')
  })

  it('refuses claims without exp (they would never expire), or with an exp that is not a time', async () => {
    const sub = crypto.randomUUID()
    const missing = await expectAvolveError(sdk().asUser({ sub, role: 'authenticated' } as never), NotAuthenticatedError, 'invalid_token')
    expect(missing.message).toMatch(/exp/)
    const malformed = [null, '9999999999', 1.5, Number.POSITIVE_INFINITY]
    for (const exp of malformed) {
      await expectAvolveError(sdk().asUser({ sub, role: 'authenticated', exp } as never), NotAuthenticatedError, 'invalid_token')
    }
    recordFigure('tokens-without-exp', {
      area: 'security',
      check: 'asUser refuses claims passed in without exp, or with an exp that is not a whole number of seconds',
      cases: 1 + malformed.length,
      violations: 0,
      command: 'npx vitest run test/sdk/auth.test.ts',
      notes: 'NotAuthenticatedError invalid_token for each',
    })
  })
})

describe('asUser with a JWKS URL (asymmetric signing keys, fetched over HTTP)', () => {
  let server: Server
  let jwksUrl: string
  let privateKey: KeyLike
  let strangerKey: KeyLike

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256')
    privateKey = pair.privateKey
    strangerKey = (await generateKeyPair('ES256')).privateKey
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' }
    server = createServer((req, res) => {
      if (req.url !== '/auth/v1/.well-known/jwks.json') return void res.writeHead(404).end()
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const address = server.address() as { port: number }
    jwksUrl = `http://127.0.0.1:${address.port}/auth/v1/.well-known/jwks.json`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  const es256 = (sub: string, key: KeyLike) =>
    new SignJWT({ role: 'authenticated' }).setProtectedHeader({ alg: 'ES256', kid: 'key-1' }).setSubject(sub).setAudience('authenticated').setExpirationTime('1h').sign(key)

  it('verifies with the published key and refuses a token signed by any other', async () => {
    const jwksDb = createAvolveDb({ connection: db().authenticatorUrl, jwt: { jwksUrl } })
    try {
      const [id] = await createUsers(db().admin, 1)
      const me = await jwksDb.asUser(await es256(id!, privateKey))
      expect(await me.tokens.balance('GEN')).toBe('0')
      await expectAvolveError(jwksDb.asUser(await es256(id!, strangerKey)), NotAuthenticatedError, 'invalid_token')
      await expectAvolveError(jwksDb.asUser(await signUserToken(id!)), NotAuthenticatedError, 'invalid_token') // HS256 not accepted here
    } finally {
      await jwksDb.destroy()
    }
  })
})

describe('row level security through the SDK', () => {
  it("never shows one user another's records, balances or ledger rows", async () => {
    const [alice, bob] = await signedInUsers(db(), sdk(), 2)
    const bobs = await bob!.scope.consent.record('privacy_policy', ['bob-only'])
    await sdk().asService().tokens.mint({ to: bob!.id, tokenType: 'GEN', amount: '50' })
    expect((await alice!.scope.consent.list()).items).toEqual([])
    expect(await alice!.scope.tokens.balances()).toEqual([])
    expect((await alice!.scope.tokens.history()).items).toEqual([])
    await expectAvolveError(alice!.scope.consent.history(bobs.id), NotFoundError, 'consent_not_found')
    await expectAvolveError(alice!.scope.consent.updateStatus(bobs.id, 'withdrawn'), NotFoundError, 'consent_not_found')
    expect(await bob!.scope.tokens.balance('GEN')).toBe('50')
  })

  it('runs as the authenticated role, not as the login role or a superuser', async () => {
    const [alice] = await signedInUsers(db(), sdk(), 1)
    await alice!.scope.consent.record('terms_of_service', ['v'])
    const { rows } = await db().admin.query('select actor_role from public.consent_history where user_id = $1', [alice!.id])
    expect(rows).toEqual([{ actor_role: 'authenticated' }])
  })
})
