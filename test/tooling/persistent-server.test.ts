import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { EmbeddedServerError, startDatabaseServer, withClient } from '../../src/tooling/embedded-server.js'

/** A loopback port nothing listens on right now. */
async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as { port: number }).port
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

describe('a persistent embedded server (avolve-db dev)', () => {
  const folders: string[] = []
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'avolve-persistent-'))
    // As an app's folder is: others may pass through (as root the server runs as the postgres user).
    chmodSync(dir, 0o755)
    folders.push(dir)
    return join(dir, 'dev')
  }
  afterAll(() => {
    for (const f of folders) rmSync(f, { recursive: true, force: true })
  })

  it('keeps its data and its password in the folder between runs, on the port asked for, and stop() keeps the folder', async () => {
    const directory = folder()
    const port = await freePort()
    const first = await startDatabaseServer({ persistent: { directory, port } })
    const url = first.url()
    expect(new URL(url).port).toBe(String(port))
    await withClient(url, (c) => c.query(`create table kept (v text); insert into kept values ('still here')`))
    await first.stop()
    expect(existsSync(join(directory, 'data', 'PG_VERSION'))).toBe(true)
    // Only its owner may read the kept superuser password.
    expect(statSync(join(directory, 'avolve-server.json')).mode & 0o077).toBe(0)

    const second = await startDatabaseServer({ persistent: { directory, port } })
    try {
      expect(second.url()).toBe(url)
      const { rows } = await withClient(second.url(), (c) => c.query<{ v: string }>('select v from kept'))
      expect(rows).toEqual([{ v: 'still here' }])
      const { rows: settings } = await withClient(second.url(), (c) => c.query<{ fsync: string }>(`select current_setting('fsync') as fsync`))
      expect(settings[0]!.fsync).toBe('on')
    } finally {
      await second.stop()
    }
    expect(existsSync(join(directory, 'data', 'PG_VERSION'))).toBe(true)
  })

  it('says what to do when, as root, the postgres user cannot reach the folder', async () => {
    if (process.getuid?.() !== 0) return
    const privateDir = mkdtempSync(join(tmpdir(), 'avolve-persistent-'))
    folders.push(privateDir)
    const refused = await startDatabaseServer({ persistent: { directory: join(privateDir, 'dev') } }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(refused).toBeInstanceOf(EmbeddedServerError)
    expect((refused as EmbeddedServerError).code).toBe('postgres_user_cannot_reach')
    expect((refused as Error).message).toContain('--data-dir')
  })

  it('refuses a second server on the same folder, and a port in use, with a typed error', async () => {
    const directory = folder()
    const server = await startDatabaseServer({ persistent: { directory } })
    try {
      const again = await startDatabaseServer({ persistent: { directory } }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(again).toBeInstanceOf(EmbeddedServerError)
      expect((again as EmbeddedServerError).code).toBe('server_start_failed')
      expect((again as Error).message).toMatch(/already running on .*dev\/data \(pid \d+\)/)

      const busyPort = Number(new URL(server.url()).port)
      const other = await startDatabaseServer({ persistent: { directory: folder(), port: busyPort } }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(other).toBeInstanceOf(EmbeddedServerError)
      expect((other as Error).message).toContain(`Port ${busyPort} on 127.0.0.1 is in use`)
    } finally {
      await server.stop()
    }
  })
})
