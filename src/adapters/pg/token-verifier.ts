import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose'
import { NotAuthenticatedError, TransientError, type AvolveError } from '../../errors/avolve-error.js'
import { userClaimsSchema, type UserClaims } from '../../schemas/auth.js'

/**
 * How access tokens are checked: the project's JWT secret (HS256), or its JWKS URL (asymmetric keys).
 *
 * @example
 * ```ts
 * import { createAvolveDb, type JwtVerification } from '@avolve/db/server'
 *
 * const jwt: JwtVerification = { jwksUrl: `${process.env.SUPABASE_URL}/auth/v1/.well-known/jwks.json`, clockToleranceSeconds: 10 }
 * const db = createAvolveDb({ connection: process.env.DATABASE_URL!, jwt })
 * ```
 */
export type JwtVerification = ({ secret: string | Uint8Array } | { jwksUrl: string | URL }) & {
  /** Required `aud`; Supabase issues `authenticated`. Pass `null` to skip the check. */
  audience?: string | string[] | null
  /** Required `iss`, e.g. `https://<project>.supabase.co/auth/v1`. */
  issuer?: string
  /** Leeway for `exp`/`nbf`, in seconds (PostgREST allows 30). A token must have an `exp`. */
  clockToleranceSeconds?: number
}

/**
 * The claims of a verified access token, as the database sees them in `request.jwt.claims`.
 *
 * @example
 * ```ts
 * const me = await db.asUser(accessToken)
 * me.claims // { sub: '…', role: 'authenticated', exp: 1796115600, aud: 'authenticated', email: 'ada@example.com', … }
 * ```
 */
export type VerifiedClaims = UserClaims & { sub: string; role: 'authenticated' }

/**
 * Verifies a user's access token: signature, expiry (a token without `exp` is refused: it would
 * never expire), audience; then the claims a user scope needs.
 */
export class TokenVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey
  private readonly algorithms: string[]
  /** Seconds a token stays good past its `exp` (and before its `nbf`): clock skew between servers. */
  readonly leewaySeconds: number

  constructor(private readonly options: JwtVerification) {
    this.leewaySeconds = options.clockToleranceSeconds ?? 30
    if ('secret' in options) {
      this.key = typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret
      this.algorithms = ['HS256']
    } else {
      this.key = createRemoteJWKSet(new URL(options.jwksUrl))
      this.algorithms = ['ES256', 'RS256', 'EdDSA']
    }
  }

  async verify(token: string): Promise<VerifiedClaims> {
    let payload: unknown
    try {
      const audience = this.options.audience === undefined ? 'authenticated' : (this.options.audience ?? undefined)
      const result = await jwtVerify(token, this.key as Uint8Array, {
        algorithms: this.algorithms,
        ...(audience === undefined ? {} : { audience }),
        ...(this.options.issuer === undefined ? {} : { issuer: this.options.issuer }),
        clockTolerance: this.leewaySeconds,
        requiredClaims: ['exp'],
      })
      payload = result.payload
    } catch (error) {
      throw tokenError(error)
    }
    return claimsOfUser(payload, this.leewaySeconds)
  }
}

/**
 * Checks claims a caller vouches for (already verified): a signed-in user, with an `exp` not passed
 * by more than `leewaySeconds` (none for claims passed in: their verifier allowed for skew already).
 */
export function claimsOfUser(payload: unknown, leewaySeconds = 0): VerifiedClaims {
  const parsed = userClaimsSchema.safeParse(payload)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new NotAuthenticatedError({
      code: 'invalid_token',
      message: `the token's claims do not describe a signed-in user (${issue?.path.join('.') || 'claims'}: ${issue?.message}); use asService() for back-office work`,
      cause: parsed.error,
    })
  }
  const claims = parsed.data as VerifiedClaims
  if ((claims.exp + leewaySeconds) * 1000 <= Date.now()) {
    throw new NotAuthenticatedError({ code: 'token_expired', message: 'the access token has expired: refresh the session and retry' })
  }
  return claims
}

function tokenError(error: unknown): AvolveError {
  if (error instanceof joseErrors.JWTExpired) {
    return new NotAuthenticatedError({ code: 'token_expired', message: 'the access token has expired: refresh the session and retry', cause: error })
  }
  if (error instanceof joseErrors.JWKSTimeout || (error instanceof Error && /fetch|ECONNREFUSED|network/i.test(error.message) && !(error instanceof joseErrors.JOSEError))) {
    return new TransientError({ code: 'jwks_unavailable', message: `the signing keys (JWKS) could not be fetched: ${(error as Error).message}; retry`, cause: error })
  }
  const reason = error instanceof Error ? error.message : String(error)
  return new NotAuthenticatedError({ code: 'invalid_token', message: `the access token was refused (${reason}): sign in again`, cause: error })
}
