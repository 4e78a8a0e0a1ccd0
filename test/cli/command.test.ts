import { describe, expect, it } from 'vitest'
import { createAvolveDb } from '../../src/server.js'
import { databaseUrlOption, defineCommand, type CliContext } from '../../src/cli/command.js'
import { withConnection, withDatabase } from '../../src/cli/connect.js'
import { UsageError } from '../../src/cli/errors.js'
import { readConnectionUrl } from '../../src/values/connection-url.js'
import { useTestDatabase } from '../support/test-database.js'

function context(env: NodeJS.ProcessEnv = {}): CliContext & { lines: string[] } {
  const lines: string[] = []
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(`err: ${l}`), env }
}

/**
 * The preamble every command shares (src/cli/command.ts, connect.ts): help, strict flags,
 * subcommands, the database from --database-url or DATABASE_URL, and a connection that is closed
 * whatever the work does.
 */
describe('defineCommand', () => {
  const ran: unknown[] = []
  const sub = defineCommand({
    name: 'demo sub',
    summary: 's',
    usage: 'Usage: sub',
    options: { to: { type: 'string' } },
    run: async ({ values }) => {
      ran.push(['sub', values.to])
      return 3
    },
  })
  const command = defineCommand({
    name: 'demo',
    summary: 'a command',
    usage: 'Usage: demo [--database-url URL] [--fast]',
    options: { ...databaseUrlOption, fast: { type: 'boolean', default: false } },
    subcommands: { sub },
    run: async ({ values }) => {
      ran.push(['main', values.fast, values['database-url']])
      return 7
    },
  })

  it('answers --help and -h with the usage, without running', async () => {
    for (const flag of ['--help', '-h']) {
      const c = context()
      expect(await command.run([flag], c)).toBe(0)
      expect(c.lines).toEqual(['Usage: demo [--database-url URL] [--fast]'])
    }
    expect(ran).toEqual([])
  })

  it('runs with the parsed flags, and a subcommand with its own', async () => {
    expect(await command.run(['--fast', '--database-url', 'postgres://h/db'], context())).toBe(7)
    expect(await command.run(['sub', '--to', '5'], context())).toBe(3)
    expect(ran).toEqual([
      ['main', true, 'postgres://h/db'],
      ['sub', '5'],
    ])
  })

  it('refuses an unknown flag or a stray argument as a usage error carrying the usage', async () => {
    for (const argv of [['--slow'], ['extra']]) {
      const error = await command.run(argv, context()).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(UsageError)
      expect((error as UsageError).usage).toBe('Usage: demo [--database-url URL] [--fast]')
    }
  })
})

describe('withDatabase and withConnection', () => {
  const db = useTestDatabase()

  it('connect to --database-url, else DATABASE_URL, and refuse neither as a usage error', async () => {
    const name = (url: string | undefined, env: NodeJS.ProcessEnv) =>
      withDatabase(url, context(env), { applicationName: 'avolve-db test' }, async (client) => (await client.query<{ n: string }>('select current_database() as n')).rows[0]!.n)
    const database = new URL(db().adminUrl).pathname.slice(1)
    expect(await name(db().adminUrl, {})).toBe(database)
    expect(await name(undefined, { DATABASE_URL: db().adminUrl })).toBe(database)
    await expect(name(undefined, {})).rejects.toBeInstanceOf(UsageError)
  })

  it('close the connection when the work fails', async () => {
    const target = { url: db().adminUrl, host: '', port: 0, database: '', user: '', display: '' }
    let pid = 0
    const failure = await withConnection(target, { applicationName: 'avolve-db close-test' }, async (client) => {
      pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid
      throw new Error('the work failed')
    }).catch((e: Error) => e.message)
    expect(failure).toBe('the work failed')
    // The backend goes once the client has said goodbye.
    for (let i = 0; i < 50; i++) {
      const { rowCount } = await db().admin.query('select from pg_stat_activity where pid = $1', [pid])
      if (rowCount === 0) return
      await new Promise((r) => setTimeout(r, 20))
    }
    throw new Error(`backend ${pid} still connected`)
  })
})

describe('connection strings', () => {
  it('are read once for the CLI and for createAvolveDb: a URL, and a postgres one', () => {
    expect(readConnectionUrl('postgres://u:p@h:5432/d')).toMatchObject({ ok: true })
    expect(readConnectionUrl('postgresql://h/d')).toMatchObject({ ok: true })
    expect(readConnectionUrl('not a url')).toEqual({ ok: false, problem: 'not_a_url' })
    expect(readConnectionUrl('mysql://h/d')).toEqual({ ok: false, problem: 'not_postgres', protocol: 'mysql:' })
    expect(() => createAvolveDb('not a url')).toThrow(/createAvolveDb: the connection string is not a URL; expected postgres:\/\/USER:PASSWORD@HOST:5432\/DATABASE/)
    expect(() => createAvolveDb('mysql://h/d')).toThrow(/must start with postgres:\/\/ or postgresql:\/\/ \(got mysql:\/\/\)/)
  })
})
