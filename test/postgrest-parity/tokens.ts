import { createHmac, randomBytes } from 'node:crypto'
import { testJwtSecret } from '../support/tokens.js'

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** An HS256 token over exactly these claims (no defaults), so a test can give any claim any JSON value. */
export function hs256(claims: unknown, secret: string = testJwtSecret): string {
  const signingInput = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`
}

const now = () => Math.floor(Date.now() / 1000)

/** The tokens the parity cases send, one per JWT form PostgREST distinguishes. */
export function parityTokens(sub: string) {
  const user = { sub, role: 'authenticated', aud: 'authenticated' }
  return {
    valid: hs256({ ...user, exp: now() + 3600 }),
    /** Beyond the 30 seconds of allowed clock skew. */
    expired: hs256({ ...user, exp: now() - 120 }),
    wrongSecret: hs256({ ...user, exp: now() + 3600 }, 'another-secret-that-is-long-enough-for-hs256!'),
    twoParts: `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(user)}`,
    /** Three dot-separated parts that are no base64url JSON (the first is 21 characters long). */
    randomCharacters: 'mzkqvbwrtplxhgdnscfja.qwhrtbnmzpx.lkjhgfdsapo',
    algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${b64(user)}.${randomBytes(32).toString('base64url')}`,
    rs256: `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(user)}.${randomBytes(256).toString('base64url')}`,
    notYetValid: hs256({ ...user, exp: now() + 3600, nbf: now() + 120 }),
    issuedInFuture: hs256({ ...user, exp: now() + 3600, iat: now() + 120 }),
    expNotANumber: hs256({ ...user, exp: 'tomorrow' }),
    expNull: hs256({ ...user, exp: null }),
    audNotAString: hs256({ ...user, exp: now() + 3600, aud: 42 }),
    claimsNotAnObject: hs256([user]),
    unknownRole: hs256({ ...user, exp: now() + 3600, role: 'parity_no_such_role' }),
  }
}

export type ParityTokens = ReturnType<typeof parityTokens>
