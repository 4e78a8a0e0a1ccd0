import pg from 'pg'
import { selectedColumns } from '../src/repositories/row-codec.js'
import { createPostgrestServer } from '../test/support/postgrest/server.js'
import { supabaseAs } from '../test/support/supabase-session.js'
import { signUserToken, testJwtSecret } from '../test/support/tokens.js'
import type { BenchDatabase } from './lib/environment.js'
import { latencies } from './lib/load.js'
import { inOneWrite } from './lib/one-write.js'
import { ROLE_TIMEOUT, selectList, SETUP } from './lib/raw-statements.js'
import { client as clientSdk, server } from './lib/sdk.js'

const readBack = `select ${selectList('user_consent')} from "public"."user_consent" where "id" = $1 limit $2`
const selectParam = selectedColumns('user_consent')
  .map((c) => (c.asText ? `${c.name}::text` : c.name))
  .join(',')

/**
 * record_consent, one caller, through the SDK's server path and through raw `pg` sending the same
 * statements the same way: begin, the set-up and the RPC in one flight and one write (a pipelining pool), then the
 * read-back by the returned id, then commit.
 */
export async function consentServerLatency(db: BenchDatabase, user: string, count: number) {
  const sdk = server.createAvolveDb({ connection: db.apiUrl, pool: { max: 1 } })
  const pool = new pg.Pool({ connectionString: db.apiUrl, max: 1, pipeline: true })
  pool.on('error', () => {})
  const claims = JSON.stringify({ sub: user, role: 'authenticated' })
  try {
    const me = await sdk.asUser({ sub: user, role: 'authenticated', exp: Math.floor(Date.now() / 1000) + 3600 })
    const viaSdk = await latencies(count, () => me.consent.record('data_sharing', ['bench-terms']))
    const viaRaw = await latencies(count, async () => {
      const c = await pool.connect()
      try {
        const [, , { rows }] = await inOneWrite(c, () =>
          Promise.all([
            c.query('begin'),
            c.query(SETUP, ['authenticated', claims, ROLE_TIMEOUT]),
            c.query<{ result: string }>('select public.record_consent(p_user_id => $1::uuid, p_interaction_type => $2::text, p_terms => $3::text[]) as result', [
              user,
              'data_sharing',
              ['bench-terms'],
            ]),
          ]),
        )
        await c.query(readBack, [rows[0]!.result, 1])
        await c.query('commit')
      } finally {
        c.release()
      }
    })
    return { viaSdk, viaRaw }
  } finally {
    await sdk.destroy()
    await pool.end()
  }
}

/**
 * record_consent in the browser's way: the client adapter over HTTP against the loopback PostgREST
 * fixture, and a bare `fetch` sending the same two requests (the RPC, then the read-back).
 */
export async function consentHttpLatency(db: BenchDatabase, user: string, count: number) {
  const api = await createPostgrestServer({ databaseUrl: db.apiUrl, jwtSecret: testJwtSecret })
  try {
    const token = await signUserToken(user)
    const client = clientSdk.createAvolveClient(supabaseAs(api.url, { accessToken: token, userId: user }))
    const viaClient = await latencies(count, () => client.consent.record('data_sharing', ['bench-terms']))
    const headers = { apikey: 'bench', authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-profile': 'public', 'accept-profile': 'public' }
    const viaFetch = await latencies(count, async () => {
      const rpc = await fetch(`${api.url}/rest/v1/rpc/record_consent`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ p_user_id: user, p_interaction_type: 'data_sharing', p_terms: ['bench-terms'] }),
      })
      const id = (await rpc.json()) as string
      const row = await fetch(`${api.url}/rest/v1/user_consent?select=${encodeURIComponent(selectParam)}&id=eq.${id}&limit=1`, { headers })
      await row.json()
    })
    return { viaClient, viaFetch }
  } finally {
    await api.close()
  }
}
