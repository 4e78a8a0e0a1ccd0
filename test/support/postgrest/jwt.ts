import { createHmac, timingSafeEqual } from 'node:crypto'
import { ApiError } from './errors.js'
import type { PostgrestVersion } from './version.js'

/** Who the request runs as: the JWT's `role` claim (or the anon role) and its claims. */
export interface Identity {
  role: string
  claims: Record<string, unknown>
}

/** `allowedSkewSeconds` (Auth/Jwt.hs; jose's allowedSkew in 12.2). */
const allowedSkewSeconds = 30

/**
 * One JWT failure, with its form in each release line. 13+: PGRST301 when the token cannot be
 * decoded or verified, PGRST303 when its claims fail (messages from Error.hs). 12.2: everything is
 * PGRST301 with hs-jose's `show` of the error, except expiry, which is "JWT expired".
 */
interface JwtFailure {
  code: 'PGRST301' | 'PGRST303'
  message: string
  details?: string
  /** The 12.2 message. */
  v12: string
}

/** 401 with the `WWW-Authenticate: Bearer error="invalid_token"` challenge carrying the message. */
function jwtError(failure: JwtFailure, version: PostgrestVersion): ApiError {
  const [code, message, details] = version === '12.2' ? (['PGRST301', failure.v12, null] as const) : ([failure.code, failure.message, failure.details ?? null] as const)
  const challenge = `Bearer error="invalid_token", error_description=${JSON.stringify(message)}`
  return new ApiError(401, { code, details, hint: null, message }, { 'WWW-Authenticate': challenge })
}

// 12.2's texts other than "JWT expired", the parts count (both in 12.2's spec) and a bad signature's
// "JWSError JWSInvalidSignature" (quoted in PostgREST's and Supabase's issue trackers) follow hs-jose's error
// constructors as its derived Show prints them; the quoted inner texts are placeholders for Aeson's
// parser messages. Not established against a 12.2 binary: see the README's browser-adapter section.
const failures = {
  parts: (n: number): JwtFailure => ({
    code: 'PGRST301',
    message: `Expected 3 parts in JWT; got ${n}`,
    v12: `JWSError (CompactDecodeError Invalid number of parts: Expected 3 parts; got ${n})`,
  }),
  /** jose-jwt's parser fails (bad base64, a header that is not a JWS header): BadCrypto. */
  undecodable: { code: 'PGRST301', message: 'JWT cryptographic operation failed', v12: 'JWSError (JSONDecodeError "Failed reading: not a valid json value")' },
  /** `alg: none`: jose-jwt refuses an unsecured token unless none is expected; hs-jose finds no signature it may check. */
  unsecured: { code: 'PGRST301', message: 'Wrong or unsupported encoding algorithm', details: "JWT is unsecured but expected 'alg' was not 'none'", v12: 'JWSError JWSNoSignatures' },
  /** An asymmetric alg against the symmetric secret. */
  noKey: { code: 'PGRST301', message: 'No suitable key or wrong key type', details: 'No suitable key was found to decode the JWT', v12: 'JWSError JWSInvalidSignature' },
  /** A well-formed HS* token signed with another secret. */
  badSignature: { code: 'PGRST301', message: 'No suitable key or wrong key type', details: 'None of the keys was able to decode the JWT', v12: 'JWSError JWSInvalidSignature' },
  parsingClaims: { code: 'PGRST303', message: 'Parsing claims failed', v12: 'JWTClaimsSetDecodeError "parsing the claims failed"' },
  expired: { code: 'PGRST303', message: 'JWT expired', v12: 'JWT expired' },
  notYetValid: { code: 'PGRST303', message: 'JWT not yet valid', v12: 'JWTNotYetValid' },
  issuedAtFuture: { code: 'PGRST303', message: 'JWT issued at future', v12: 'JWTIssuedAtFuture' },
  notANumber: (claim: string): JwtFailure => ({ code: 'PGRST303', message: `The JWT '${claim}' claim must be a number`, v12: `JWTClaimsSetDecodeError "the '${claim}' claim is not a number"` }),
  audShape: { code: 'PGRST303', message: "The JWT 'aud' claim must be a string or an array of strings", v12: 'JWTClaimsSetDecodeError "the \'aud\' claim is not a string or an array of strings"' },
} satisfies Record<string, JwtFailure | ((x: never) => JwtFailure)>

/** wai-extra's `extractBearerAuth`: scheme "bearer" in any case, then the rest without leading spaces. */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const space = header.search(/\s/)
  const scheme = space < 0 ? header : header.slice(0, space)
  if (scheme.toLowerCase() !== 'bearer') return undefined
  return space < 0 ? '' : header.slice(space).trimStart()
}

/** Unpadded base64url, strictly (as jose-jwt's decoder): anything else is undefined. */
function base64url(part: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(part) || part.length % 4 === 1) return undefined
  return Buffer.from(part, 'base64url')
}

function jsonOf(bytes: Buffer): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return undefined
  }
}

const hmacAlgorithms: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }
const otherAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']

/** Decodes and verifies the token (jose-jwt's `decode` in 13+); the claims' JSON text when it verifies. */
function verifiedPayload(token: string, key: Uint8Array): Buffer | JwtFailure {
  const parts = token.split('.')
  if (parts.length !== 3) return failures.parts(parts.length)
  const [head, body, signature] = parts as [string, string, string]
  const headerBytes = base64url(head)
  const header = headerBytes === undefined ? undefined : jsonOf(headerBytes)
  const payload = base64url(body)
  const sig = base64url(signature)
  const alg = typeof header === 'object' && header !== null && !Array.isArray(header) ? (header as { alg?: unknown }).alg : undefined
  // jose-jwt's parser reads all three parts first; only then is an unsecured header refused.
  if (typeof alg !== 'string' || payload === undefined || sig === undefined) return failures.undecodable
  if (alg === 'none') return failures.unsecured
  if (otherAlgorithms.includes(alg)) return failures.noKey
  const hash = hmacAlgorithms[alg]
  if (hash === undefined) return failures.undecodable
  const expected = createHmac(hash, key).update(`${head}.${body}`).digest()
  return expected.length === sig.length && timingSafeEqual(expected, sig) ? payload : failures.badSignature
}

/** `checkForErrors` (Auth/Jwt.hs): the first failing check wins. */
function claimsFailure(claims: Record<string, unknown>, now: number, version: PostgrestVersion): JwtFailure | undefined {
  // Scientific's toBoundedInteger: a non-integral time counts as 0.
  const seconds = (v: number) => (Number.isInteger(v) ? v : 0)
  const checks: [string, (v: number) => boolean, JwtFailure][] = [
    ['exp', (v) => now - allowedSkewSeconds > seconds(v), failures.expired],
    ['nbf', (v) => now + allowedSkewSeconds < seconds(v), failures.notYetValid],
    ['iat', (v) => now + allowedSkewSeconds < seconds(v), failures.issuedAtFuture],
  ]
  for (const [name, failed, failure] of checks) {
    const value = claims[name]
    // 14 reads the claims with `.:?`, so null is "absent"; 13 looked the key up and refused a null.
    if (value === undefined || (value === null && version !== '13')) continue
    if (typeof value !== 'number') return failures.notANumber(name)
    if (failed(value)) return failure
  }
  const aud = claims.aud
  // No jwt-aud is configured (as on Supabase), so any audience matches; only its shape is checked.
  const audOk = aud === undefined || aud === null || typeof aud === 'string' || (Array.isArray(aud) && aud.every((a) => typeof a === 'string'))
  return audOk ? undefined : failures.audShape
}

/**
 * Verifies `Authorization: Bearer <jwt>` with the project's HS256 secret the way the given release
 * line does; no token means the anon role. 12.2 also treats an empty token as no token.
 */
export function authenticate(authorization: string | undefined, key: Uint8Array, anonRole: string, version: PostgrestVersion): Identity {
  const token = bearerToken(authorization)
  if (token === undefined || (token === '' && version === '12.2')) return { role: anonRole, claims: {} }
  if (token === '') throw jwtError({ code: 'PGRST301', message: 'Empty JWT is sent in Authorization header', v12: '' }, version)
  const payload = verifiedPayload(token, key)
  if (!Buffer.isBuffer(payload)) throw jwtError(payload as JwtFailure, version)
  const claims = jsonOf(payload)
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw jwtError(failures.parsingClaims, version)
  const record = claims as Record<string, unknown>
  const problem = claimsFailure(record, Math.floor(Date.now() / 1000), version)
  if (problem) throw jwtError(problem, version)
  const role = record.role
  // jwt-role-claim-key is `.role`; a non-string claim is used as its JSON text, as PostgREST does.
  return { role: role === undefined ? anonRole : typeof role === 'string' ? role : JSON.stringify(role), claims: record }
}
