import { SignJWT } from 'jose'

/** The JWT secret the tests' "project" signs user tokens with (HS256, as Supabase's legacy secret). */
export const testJwtSecret = 'test-only-jwt-secret-with-at-least-32-characters!'

export interface TokenOptions {
  role?: string
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number
  audience?: string
  secret?: string
  extra?: Record<string, unknown>
}

/** An `exp` an hour from now: claims passed to `asUser` must expire, as a token must. */
export function inAnHour(): number {
  return Math.floor(Date.now() / 1000) + 3600
}

/** A real signed access token for `sub`, shaped like Supabase Auth's. */
export async function signUserToken(sub: string, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ role: options.role ?? 'authenticated', ...options.extra })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setAudience(options.audience ?? 'authenticated')
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 3600))
    .sign(new TextEncoder().encode(options.secret ?? testJwtSecret))
}
