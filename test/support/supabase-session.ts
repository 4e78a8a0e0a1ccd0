import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import type { Database } from '../../src/generated/database.js'
import { NoRealtime, type Transport } from './postgrest/supabase-client.js'

function memoryStorage(initial: Record<string, string>) {
  const items = new Map(Object.entries(initial))
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  }
}

const STORAGE_KEY = 'avolve-test-auth'

/**
 * A real supabase-js client for `url`, signed in the way an app is after sign-in: the session
 * (access token and user) sits in the client's storage, and supabase-js sends the token itself.
 * `sessionExpiresAt` lets a test keep the session "fresh" while the token inside has expired.
 */
export function supabaseAs(url: string, session?: { accessToken: string; userId: string; sessionExpiresAt?: number }): SupabaseClient<Database> {
  const stored: Record<string, string> = session
    ? {
        [STORAGE_KEY]: JSON.stringify({
          access_token: session.accessToken,
          refresh_token: 'not-used-in-tests',
          token_type: 'bearer',
          expires_in: 3600,
          expires_at: session.sessionExpiresAt ?? Math.floor(Date.now() / 1000) + 3600,
          user: { id: session.userId, aud: 'authenticated', role: 'authenticated', app_metadata: {}, user_metadata: {}, created_at: new Date().toISOString() },
        }),
      }
    : {}
  return createClient<Database>(url, 'test-anon-key', {
    auth: { storage: memoryStorage(stored), storageKey: STORAGE_KEY, persistSession: true, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: NoRealtime as unknown as Transport },
  })
}
