import { compactVerify, errors } from 'jose'
import { ApiError } from './errors.js'

/** Who the request runs as: the JWT's `role` claim (or the anon role) and its claims. */
export interface Identity {
  role: string
  claims: Record<string, unknown>
}

/** PostgREST's `allowedSkewSeconds` (Auth/Jwt.hs). */
const allowedSkewSeconds = 30

/** 401 with PostgREST's v13+ code and its `WWW-Authenticate: Bearer error="invalid_token"` challenge. */
function jwtError(code: 'PGRST301' | 'PGRST303', message: string, details: string | null = null): ApiError {
  const challenge = `Bearer error="invalid_token", error_description=${JSON.stringify(message)}`
  return new ApiError(401, { code, details, hint: null, message }, { 'WWW-Authenticate': challenge })
}

/** wai-extra's `extractBearerAuth`: scheme "bearer" in any case, then the rest without leading spaces. */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const space = header.search(/\s/)
  const scheme = space < 0 ? header : header.slice(0, space)
  if (scheme.toLowerCase() !== 'bearer') return undefined
  return space < 0 ? '' : header.slice(space).trimStart()
}

async function verifiedClaims(token: string, key: Uint8Array): Promise<unknown> {
  if (token === '') throw jwtError('PGRST301', 'Empty JWT is sent in Authorization header')
  const parts = token.split('.').length
  if (parts !== 3) throw jwtError('PGRST301', `Expected 3 parts in JWT; got ${parts}`)
  try {
    // PostgREST accepts any HMAC algorithm for a symmetric secret.
    const { payload } = await compactVerify(token, key, { algorithms: ['HS256', 'HS384', 'HS512'] })
    return JSON.parse(new TextDecoder().decode(payload))
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) throw jwtError('PGRST301', 'JWT cryptographic operation failed')
    if (error instanceof errors.JOSEAlgNotAllowed) throw jwtError('PGRST301', 'No suitable key or wrong key type')
    if (error instanceof SyntaxError) throw jwtError('PGRST303', 'Parsing claims failed')
    throw jwtError('PGRST301', "JWT couldn't be decoded")
  }
}

/** `checkForErrors` (Auth/Jwt.hs): the first failing check wins; absent or null claims pass. */
function claimsError(claims: Record<string, unknown>, now: number): string | undefined {
  // Scientific's toBoundedInteger: a non-integral time counts as 0.
  const seconds = (v: number) => (Number.isInteger(v) ? v : 0)
  const checks: [string, (v: number) => boolean, string][] = [
    ['exp', (v) => now - allowedSkewSeconds > seconds(v), 'JWT expired'],
    ['nbf', (v) => now + allowedSkewSeconds < seconds(v), 'JWT not yet valid'],
    ['iat', (v) => now + allowedSkewSeconds < seconds(v), 'JWT issued at future'],
  ]
  for (const [name, failed, message] of checks) {
    const value = claims[name]
    if (value === undefined || value === null) continue
    if (typeof value !== 'number') return `The JWT '${name}' claim must be a number`
    if (failed(value)) return message
  }
  const aud = claims.aud
  // No jwt-aud is configured (as on Supabase), so any audience matches; only its shape is checked.
  const audOk = aud === undefined || aud === null || typeof aud === 'string' || (Array.isArray(aud) && aud.every((a) => typeof a === 'string'))
  return audOk ? undefined : "The JWT 'aud' claim must be a string or an array of strings"
}

/** Verifies `Authorization: Bearer <jwt>` the way PostgREST v13+ does; no token means the anon role. */
export async function authenticate(authorization: string | undefined, key: Uint8Array, anonRole: string): Promise<Identity> {
  const token = bearerToken(authorization)
  if (token === undefined) return { role: anonRole, claims: {} }
  const claims = await verifiedClaims(token, key)
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw jwtError('PGRST303', 'Parsing claims failed')
  const record = claims as Record<string, unknown>
  const problem = claimsError(record, Math.floor(Date.now() / 1000))
  if (problem) throw jwtError('PGRST303', problem)
  const role = record.role
  // jwt-role-claim-key is `.role`; a non-string claim is used as its JSON text, as PostgREST does.
  return { role: role === undefined ? anonRole : typeof role === 'string' ? role : JSON.stringify(role), claims: record }
}
