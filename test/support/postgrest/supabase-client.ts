import { createClient, type SupabaseClient, type SupabaseClientOptions } from '@supabase/supabase-js'
import { SignJWT } from 'jose'
import type { Database } from '../../../src/generated/database.js'
import { testJwtSecret } from '../tokens.js'

export type Transport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>

/**
 * supabase-js 2.109 builds its Realtime client eagerly, and on Node 20 (no global WebSocket)
 * realtime-js's WebSocketFactory throws "Node.js 20 detected without native WebSocket support"
 * unless `realtime.transport` is given. The tests never use Realtime, so this transport refuses loudly.
 */
export class NoRealtime {
  constructor() {
    throw new Error('Realtime is not available against the PostgREST test fixture')
  }
}

/**
 * A real supabase-js client for the fixture at `url` (the base URL: supabase-js appends /rest/v1).
 * With `accessToken`, requests carry `Authorization: Bearer <accessToken>` as a signed-in app's do;
 * without, supabase-js sends the anon key as the bearer token (as it does with no session).
 *
 * The token goes in `global.headers.Authorization`: supabase-js's fetchWithAuth keeps an
 * Authorization header it is given and adds `apikey: <anonKey>`. (The `accessToken` option of
 * 2.109 would work on the wire too, but it replaces `supabase.auth` with a proxy that throws.)
 * No session is stored or refreshed.
 */
export function createSupabaseTestClient(url: string, options: { accessToken?: string; anonKey: string }): SupabaseClient<Database> {
  return createClient<Database>(url, options.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: NoRealtime as unknown as Transport },
    global: { headers: options.accessToken === undefined ? {} : { Authorization: `Bearer ${options.accessToken}` } },
  })
}

/** An anon key shaped like Supabase's (an HS256 JWT with role anon), signed with the tests' secret. */
export async function signAnonKey(secret: string = testJwtSecret): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ role: 'anon', iss: 'supabase' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + 10 * 365 * 24 * 3600)
    .sign(new TextEncoder().encode(secret))
}
