/**
 * @avolve/db/client: the browser SDK over the app's supabase-js client. Its bundle holds no `pg`,
 * no Kysely and no Node built-ins.
 * @packageDocumentation
 */
export { createAvolveClient, type AvolveClient, type AvolveClientOptions } from './adapters/supabase/create-avolve-client.js'
export type { UserIdSource } from './adapters/supabase/unit-of-work.js'
export type { RetryPolicy } from './retry/backoff.js'
export * from './index.js'
