import { z } from 'zod'
import { uuidSchema } from './primitives.js'

/**
 * Claims of a signed-in user, as Supabase Auth issues them. Other claims are kept and reach the
 * database in request.jwt.claims, where auth.jwt() reads them. `exp` is required: claims without
 * one would be good forever.
 *
 * @example
 * ```ts
 * import { userClaimsSchema } from '@avolve/db/schemas'
 *
 * userClaimsSchema.parse({ sub: userId, role: 'authenticated', exp: Math.floor(Date.now() / 1000) + 3600 })
 * // { sub: userId, role: 'authenticated', exp: 1796115600 }
 * ```
 */
export const userClaimsSchema = z.looseObject({
  sub: uuidSchema,
  role: z.literal('authenticated', { error: 'a user scope needs a token whose role is "authenticated"' }),
  exp: z.number({ error: 'an expiry (exp, Unix seconds) is required: claims without one would never expire' }).int(),
  iat: z.number().int().optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
  email: z.string().optional(),
})
/**
 * Claims of a signed-in user that your code verified itself, for `db.asUser(claims)`.
 *
 * @example
 * ```ts
 * import type { UserClaims } from '@avolve/db'
 *
 * const claims: UserClaims = { sub: session.user.id, role: 'authenticated', exp: session.expires_at! }
 * const me = await db.asUser(claims)
 * ```
 */
export type UserClaims = z.input<typeof userClaimsSchema>
