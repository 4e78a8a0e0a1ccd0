/** The roles a request may run as: Supabase's API roles, nothing else. */
export const apiRoles = ['anon', 'authenticated', 'service_role'] as const
export type ApiRole = (typeof apiRoles)[number]

/** Who a unit of work runs as: the role to switch to and the claims auth.uid()/auth.jwt() read. */
export interface RequestIdentity {
  role: ApiRole
  claims: Record<string, unknown>
  /** The JWT's sub for a user, null for the service role and anon. */
  userId: string | null
  /** Unix seconds after which the claims no longer hold (the JWT's exp, plus the leeway it was verified with). */
  expiresAt?: number
}

export function serviceIdentity(): RequestIdentity {
  return { role: 'service_role', claims: { role: 'service_role' }, userId: null }
}

export function anonIdentity(): RequestIdentity {
  return { role: 'anon', claims: { role: 'anon' }, userId: null }
}

export function assertApiRole(role: string): asserts role is ApiRole {
  if (!(apiRoles as readonly string[]).includes(role)) {
    throw new Error(`refusing to run as role ${JSON.stringify(role)}: only ${apiRoles.join(', ')} are allowed`)
  }
}
