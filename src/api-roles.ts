/**
 * The roles the API runs requests as, as Supabase defines them: `anon` (no session), `authenticated`
 * (a signed-in user, under RLS) and `service_role` (back-office, bypasses RLS). PostgREST switches to
 * one of them per request; the server SDK to `authenticated` or `service_role`.
 */
export const apiRoles = ['anon', 'authenticated', 'service_role'] as const
export type ApiRole = (typeof apiRoles)[number]

/** The login role PostgREST (and the SDK's app connection) connects as, a member of every API role. */
export const loginRole = 'authenticator'
