import { z } from 'zod'
import { uuidSchema } from './primitives.js'

/**
 * Claims of a signed-in user, as Supabase Auth issues them. Other claims are kept and reach the
 * database in request.jwt.claims, where auth.jwt() reads them.
 */
export const userClaimsSchema = z.looseObject({
  sub: uuidSchema,
  role: z.literal('authenticated', { error: 'a user scope needs a token whose role is "authenticated"' }),
  exp: z.number().int().optional(),
  iat: z.number().int().optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
  email: z.string().optional(),
})
export type UserClaims = z.input<typeof userClaimsSchema>
