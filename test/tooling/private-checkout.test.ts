import { execFileSync, spawn } from 'node:child_process'
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// As root the server runs as the `postgres` OS user, which cannot pass through a 0700 folder such as
// /root. Only root meets this, so only root can show it fixed; CI runs as root.
const asRoot = userInfo().uid === 0
if (!asRoot) console.warn('skipped: starting from a private checkout is a root-only case and this run is not root')

/** A checkout of this working tree (tracked and new files, node_modules hard-linked) inside a 0700 folder. */
function privateCheckout(): { privateDir: string; checkout: string } {
  const privateDir = mkdtempSync(join(tmpdir(), 'avolve-private-'))
  chmodSync(privateDir, 0o700)
  const checkout = join(privateDir, 'avolve-db')
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && existsSync(f))
  for (const file of files) {
    mkdirSync(join(checkout, dirname(file)), { recursive: true })
    cpSync(file, join(checkout, file))
  }
  try {
    execFileSync('cp', ['-al', 'node_modules', join(checkout, 'node_modules')])
  } catch {
    cpSync('node_modules', join(checkout, 'node_modules'), { recursive: true, verbatimSymlinks: true })
  }
  return { privateDir, checkout }
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.on('close', (code) => resolve({ code, output }))
  })
}

describe.runIf(asRoot)('as root, from a checkout in a private (0700) folder', () => {
  let place: ReturnType<typeof privateCheckout>
  beforeAll(() => {
    place = privateCheckout()
  }, 120_000)
  afterAll(() => rmSync(place.privateDir, { recursive: true, force: true }))

  it('the folder really is out of the postgres user’s reach', () => {
    expect(statSync(place.privateDir).mode & 0o777).toBe(0o700)
    const reach = execFileSync('/bin/sh', ['-c', `su -s /bin/sh postgres -c 'test -x "$0" && echo yes || echo no' ${place.checkout}/node_modules`], { encoding: 'utf8' }).trim()
    expect(reach).toBe('no')
  })

  it('`npm run demo` starts the embedded server, runs and stops, with a private TMPDIR too', async () => {
    const privateTmp = join(place.privateDir, 'tmp')
    mkdirSync(privateTmp, { mode: 0o700 })
    const env = { ...process.env, DATABASE_URL: '', TMPDIR: privateTmp }
    const { code, output } = await run('npm', ['run', 'demo'], place.checkout, env)
    expect(output).not.toMatch(/EACCES|Unhandled 'error' event/)
    expect(output).toContain('starting embedded PostgreSQL')
    expect(code, output).toBe(0)
  }, 180_000)
})
