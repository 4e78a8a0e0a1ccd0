import type { ApiRole } from '../../api-roles.js'

/**
 * The roles a server request may run as: a signed-in user or the service. Never anon (the server SDK
 * has no anonymous scope) and never the login role or a superuser.
 */
export const serverRoles = ['authenticated', 'service_role'] as const satisfies readonly ApiRole[]
export type ServerRole = (typeof serverRoles)[number]

/** Who a unit of work runs as: the role to switch to and the claims auth.uid()/auth.jwt() read. */
export interface RequestIdentity {
  role: ServerRole
  claims: Record<string, unknown>
  /** The JWT's sub for a user, null for the service role. */
  userId: string | null
  /** Unix seconds after which the claims no longer hold (the JWT's exp, plus the leeway it was verified with). */
  expiresAt?: number
}

export function serviceIdentity(): RequestIdentity {
  return { role: 'service_role', claims: { role: 'service_role' }, userId: null }
}

export function assertServerRole(role: string): asserts role is ServerRole {
  if (!(serverRoles as readonly string[]).includes(role)) {
    throw new Error(`refusing to run as role ${JSON.stringify(role)}: only ${serverRoles.join(', ')} are allowed`)
  }
}
