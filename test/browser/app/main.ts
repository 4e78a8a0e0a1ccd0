// The browser test page's app: a real supabase-js client wrapped by the built @avolve/db/client.
import { createClient } from '@supabase/supabase-js'
import { AvolveError, createAvolveClient, InsufficientBalanceError, type AvolveClient, type Database } from '../../../src/client.js'

const STORAGE_KEY = 'avolve-browser-test-auth'
const el = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T
const log = (line: string) => el('log').append(Object.assign(document.createElement('li'), { textContent: line }))
let avolve: AvolveClient

function claimsOf(token: string): { sub: string; exp: number } {
  const part = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')
  return JSON.parse(atob(part + '='.repeat((4 - (part.length % 4)) % 4)))
}

async function showBalance() {
  el('balance').textContent = await avolve.tokens.balance('GEN')
  el('has-consent').textContent = (await avolve.consent.has('terms_of_service')) ? 'accepted' : 'not accepted'
}

function showError(e: unknown) {
  el('error').textContent = e instanceof InsufficientBalanceError ? `refused: ${e.code} (${e.details})` : e instanceof AvolveError ? `error: ${e.code}: ${e.message}` : `error: ${String(e)}`
}

el('sign-in').addEventListener('click', async () => {
  const token = el<HTMLInputElement>('token').value.trim()
  const { sub, exp } = claimsOf(token)
  // What signing in leaves behind: the session in supabase-js's storage, restored from there.
  localStorage.setItem(
    STORAGE_KEY,
    JSON.stringify({
      access_token: token,
      refresh_token: 'unused',
      token_type: 'bearer',
      expires_in: exp - Math.floor(Date.now() / 1000),
      expires_at: exp,
      user: { id: sub, aud: 'authenticated', role: 'authenticated', app_metadata: {}, user_metadata: {}, created_at: new Date().toISOString() },
    }),
  )
  const supabase = createClient<Database>(location.origin, 'anon-key', { auth: { storageKey: STORAGE_KEY, autoRefreshToken: false, detectSessionInUrl: false } })
  avolve = createAvolveClient(supabase)
  el('status').textContent = `signed in as ${sub}`
  for (const id of ['consent', 'send']) el<HTMLButtonElement>(id).disabled = false
  await showBalance()
})

el('consent').addEventListener('click', async () => {
  try {
    const record = await avolve.consent.record('terms_of_service', ['tos-browser-2026-12'])
    log(`consent ${record.status} ${record.id}`)
    await showBalance()
  } catch (e) {
    showError(e)
  }
})

el('send').addEventListener('click', async () => {
  el('error').textContent = ''
  try {
    const tx = await avolve.tokens.transfer({ to: el<HTMLInputElement>('to').value.trim(), tokenType: 'GEN', amount: el<HTMLInputElement>('amount').value.trim() })
    log(`sent ${tx.amount} ${tx.token_type} in ${tx.id}`)
  } catch (e) {
    showError(e)
  }
  await showBalance()
})
