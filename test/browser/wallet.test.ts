import { createServer, request as httpRequest, type Server } from 'node:http'
import { join } from 'node:path'
import { build } from 'esbuild'
import { readFileSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAvolveDb } from '../../src/server.js'
import { packageRoot } from '../../src/tooling/migrations.js'
import { createPostgrestServer, type PostgrestServer } from '../support/postgrest/server.js'
import { createUsers } from '../support/requests.js'
import { ensureCommand } from '../support/system-tools.js'
import { useTestDatabase } from '../support/test-database.js'
import { signUserToken, testJwtSecret } from '../support/tokens.js'

const db = useTestDatabase()
const appDir = join(packageRoot(), 'test', 'browser', 'app')
let api: PostgrestServer
let site: Server
let siteUrl: string
let browser: Browser

/** Serves the page and its bundle, and forwards /rest/v1 to the PostgREST fixture (one origin, as on Supabase). */
async function serveApp(bundle: string): Promise<void> {
  const target = new URL(api.url)
  site = createServer((req, res) => {
    if (req.url === '/' || req.url === '/index.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end(readFileSync(join(appDir, 'index.html')))
    if (req.url === '/app.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle)
    if (req.url?.startsWith('/rest/v1/')) {
      const forward = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      })
      forward.on('error', () => res.writeHead(502).end())
      return void req.pipe(forward)
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r))
  siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`
}

beforeAll(async () => {
  const executablePath = ensureCommand('chromium', 'chromium')
  api = await createPostgrestServer({ databaseUrl: db().authenticatorUrl, jwtSecret: testJwtSecret })
  // The page imports the client SDK built for the browser, with supabase-js and zod, by esbuild.
  const bundled = await build({ entryPoints: [join(appDir, 'main.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent' })
  await serveApp(bundled.outputFiles[0]!.text)
  browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await new Promise<void>((r) => (site ? site.close(() => r()) : r()))
  await api?.close()
})

describe('the client SDK in a real browser (headless Chromium)', () => {
  it('signs in with a JWT, records a consent, transfers exactly, and shows a refused overdraft', async () => {
    const [alice, bob] = (await createUsers(db().admin, 2)) as [string, string]
    const sdk = createAvolveDb({ connection: db().authenticatorUrl, jwt: { secret: testJwtSecret } })
    // More digits than a double holds: the page must show every one.
    await sdk.asService().tokens.mint({ to: alice, tokenType: 'GEN', amount: '100.000000000000000001' })
    await sdk.destroy()

    const page = await browser.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (e) => pageErrors.push(e.message))
    await page.goto(siteUrl)
    await page.fill('#token', await signUserToken(alice))
    await page.click('#sign-in')
    await expect.poll(() => page.textContent('#status')).toBe(`signed in as ${alice}`)
    await expect.poll(() => page.textContent('#balance')).toBe('100.000000000000000001')
    await expect.poll(() => page.textContent('#has-consent')).toBe('not accepted')

    await page.click('#consent')
    await expect.poll(() => page.textContent('#log')).toMatch(/consent approved [0-9a-f-]{36}/)
    await expect.poll(() => page.textContent('#has-consent')).toBe('accepted')

    await page.fill('#to', bob)
    await page.fill('#amount', '30.5')
    await page.click('#send')
    await expect.poll(() => page.textContent('#log')).toMatch(/sent 30\.5 GEN in [0-9a-f-]{36}/)
    await expect.poll(() => page.textContent('#balance')).toBe('69.500000000000000001')

    await page.fill('#amount', '1000')
    await page.click('#send')
    await expect.poll(() => page.textContent('#error')).toBe('refused: insufficient_balance (available 69.500000000000000001, requested 1000)')
    await expect.poll(() => page.textContent('#balance')).toBe('69.500000000000000001')
    expect(pageErrors).toEqual([])
    await page.close()

    // The database agrees with what the page showed.
    const consents = await db().admin.query('select user_id, interaction_type, terms, status from public.user_consent where user_id = $1', [alice])
    expect(consents.rows).toEqual([{ user_id: alice, interaction_type: 'terms_of_service', terms: ['tos-browser-2026-12'], status: 'approved' }])
    const ledger = await db().admin.query(
      `select kind, from_user_id, to_user_id, trim_scale(amount)::text as amount from public.token_transactions where $1 in (from_user_id, to_user_id) order by created_at`,
      [alice],
    )
    expect(ledger.rows).toEqual([
      { kind: 'mint', from_user_id: null, to_user_id: alice, amount: '100.000000000000000001' },
      { kind: 'transfer', from_user_id: alice, to_user_id: bob, amount: '30.5' },
    ])
    const balances = await db().admin.query('select user_id, trim_scale(balance)::text as balance from public.token_balances where user_id = any($1) order by balance', [[alice, bob]])
    expect(balances.rows).toEqual([
      { user_id: bob, balance: '30.5' },
      { user_id: alice, balance: '69.500000000000000001' },
    ])
  })
})
