import { describe, expect, it } from 'vitest'
import { closedPort, runCli, serverUrl, silentServer } from './run-cli.js'

describe('avolve-db usage', () => {
  it('--help lists every command and exits 0; `help CMD` and `CMD --help` show the command', async () => {
    const top = await runCli(['--help'])
    expect(top.code).toBe(0)
    for (const name of ['migrate', 'codegen', 'demo', 'inspect', 'maintain']) expect(top.stdout).toMatch(new RegExp(`^  ${name} `, 'm'))
    expect(top.stdout).toContain('DATABASE_URL')

    const viaHelp = await runCli(['help', 'migrate'])
    const viaFlag = await runCli(['migrate', '--help'])
    expect(viaHelp.code).toBe(0)
    expect(viaFlag.code).toBe(0)
    expect(viaFlag.stdout).toBe(viaHelp.stdout)
    // The base flag carries its warning.
    expect(viaFlag.stdout).toMatch(/--with-supabase-base[\s\S]*PLAIN POSTGRESQL ONLY[\s\S]*NEVER use it on a Supabase project/)
    for (const flag of ['--database-url', '--dry-run', '--allow-unknown', '--migrations-dir', 'rollback --to VERSION']) expect(viaFlag.stdout).toContain(flag)

    const rollbackHelp = await runCli(['migrate', 'rollback', '--help'])
    expect(rollbackHelp.code).toBe(0)
    expect(rollbackHelp.stdout).toContain('migrate rollback --to VERSION')
  })

  it.each([
    ['codegen', ['--check', '--database-url', '--out']],
    ['demo', ['embedded PostgreSQL']],
    ['inspect', ['--json', '--long-running-seconds', '--database-url']],
    ['maintain', ['refresh', 'VACUUM (ANALYZE)', '--database-url']],
  ])('%s --help', async (name, expected) => {
    const run = await runCli([name, '-h'])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(new RegExp(`^Usage: avolve-db ${name}`))
    for (const text of expected) expect(run.stdout).toContain(text)
  })

  it('no command, an unknown command and an unknown flag: usage on stderr, exit 2', async () => {
    const none = await runCli([])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('no command given')
    expect(none.stderr).toContain('Usage: avolve-db <command>')

    const unknown = await runCli(['migrat'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown command "migrat"')
    expect(unknown.stderr).toContain('Usage: avolve-db <command>')

    const flag = await runCli(['inspect', '--jsn'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain("Unknown option '--jsn'")
    expect(flag.stderr).toContain('Usage: avolve-db inspect')

    const missingValue = await runCli(['migrate', '--database-url'])
    expect(missingValue.code).toBe(2)
    expect(missingValue.stderr).toContain('--database-url')

    const stray = await runCli(['maintain', 'now'])
    expect(stray.code).toBe(2)
    expect(stray.stderr).toContain('Usage: avolve-db maintain')

    const badNumber = await runCli(['inspect', '--long-running-seconds', 'soon', '--database-url', serverUrl()])
    expect(badNumber.code).toBe(2)
    expect(badNumber.stderr).toContain('--long-running-seconds must be a number of seconds')
  })

  it('no database: says how to give one, exit 2', async () => {
    for (const command of ['migrate', 'inspect', 'maintain']) {
      const run = await runCli([command])
      expect(run.code, command).toBe(2)
      expect(run.stderr).toContain('no database given: pass --database-url')
      expect(run.stderr).toContain('or set DATABASE_URL')
    }
  })
})

describe('avolve-db connection errors', () => {
  it('a URL that is not a postgres:// URL, from the flag or from DATABASE_URL: exit 2, nothing attempted', async () => {
    const http = await runCli(['migrate', '--database-url', 'https://example.com/db'])
    expect(http.code).toBe(2)
    expect(http.stderr).toContain('--database-url must be a postgres:// URL, not https://')
    expect(http.stderr).toContain('postgres://USER:PASSWORD@HOST:5432/DATABASE')

    const garbage = await runCli(['inspect'], { env: { DATABASE_URL: 'the staging database' } })
    expect(garbage.code).toBe(2)
    expect(garbage.stderr).toContain('DATABASE_URL is not a URL')

    // The password never appears in a message.
    const secret = await runCli(['maintain', '--database-url', 'mysql://root:s3cret-pw@db/x'])
    expect(secret.code).toBe(2)
    expect(secret.stderr).not.toContain('s3cret-pw')
  })

  it('an unreachable server: host and port named, exit 1', async () => {
    const port = await closedPort()
    const run = await runCli(['migrate', '--database-url', `postgres://postgres:pw@127.0.0.1:${port}/postgres`])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`cannot reach PostgreSQL at 127.0.0.1:${port}: connection refused`)
    expect(run.stderr).toContain('is the port right?')
  })

  it('a server that does not answer: a timeout naming host, port and PGCONNECT_TIMEOUT', async () => {
    const silent = await silentServer()
    try {
      const started = Date.now()
      const run = await runCli(['inspect', '--database-url', `postgres://postgres:pw@127.0.0.1:${silent.port}/postgres`], {
        env: { PGCONNECT_TIMEOUT: '1' },
      })
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`PostgreSQL at 127.0.0.1:${silent.port} did not answer within 1 s`)
      expect(run.stderr).toContain('PGCONNECT_TIMEOUT')
      expect(Date.now() - started).toBeLessThan(15_000)
    } finally {
      await silent.close()
    }
  })

  it('a wrong password (28P01): the user and server named, exit 1', async () => {
    const url = serverUrl('postgres', { password: 'not-the-password' })
    const run = await runCli(['maintain', '--database-url', url])
    expect(run.code).toBe(1)
    const { hostname, port } = new URL(url)
    expect(run.stderr).toContain(`password authentication failed for user "postgres" at ${hostname}:${port}: check the password in the URL`)
    expect(run.stderr).not.toContain('not-the-password')
  })

  it('a missing database (3D000): says to create it or fix the name, exit 1', async () => {
    const run = await runCli(['inspect', '--database-url', serverUrl('no_such_database_here')])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('database "no_such_database_here" does not exist')
    expect(run.stderr).toContain('create database no_such_database_here')
  })

  it('codegen names an unreachable server too', async () => {
    const port = await closedPort()
    const run = await runCli(['codegen', '--check', '--database-url', `postgres://postgres:pw@127.0.0.1:${port}/postgres`])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`codegen failed: cannot reach PostgreSQL at 127.0.0.1:${port}`)
  })
})
