import { parseCommandArgs, type Command } from '../command.js'
import { connect, explainConnectionError, optionalDatabaseTarget, type DatabaseTarget } from '../connect.js'
import { CliError } from '../errors.js'

const usage = `Usage: avolve-db codegen [--database-url URL] [--check] [--out-dir DIR]

Regenerates src/generated/ from migrations/: applies the Supabase base and the migrations to a
scratch database, runs kysely-codegen and reads the catalog (RPC signatures, vocabularies, error
codes, the supabase-js Database type). The scratch database is dropped afterwards.

Options:
  --database-url URL   a PostgreSQL server to make the scratch database on (needs CREATEDB);
                       default: $DATABASE_URL, else an embedded PostgreSQL started for the run
  --check              write nothing; fail (exit 1), naming the files, when src/generated/ is stale
  --out-dir DIR        where the files go (default: src/generated)
  -h, --help           show this help`

/** `avolve-db codegen`: the package's codegen (codegen/run-codegen.ts) with its progress. */
export const codegenCommand: Command = {
  name: 'codegen',
  summary: 'regenerate src/generated/ from migrations/ (`--check`: fail when it is stale)',
  usage,
  async run(argv, context) {
    const { values } = parseCommandArgs(
      argv,
      {
        'database-url': { type: 'string' },
        check: { type: 'boolean', default: false },
        'out-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      usage,
    )
    if (values.help) {
      context.out(usage)
      return 0
    }
    const target = optionalDatabaseTarget(values['database-url'], context.env)
    if (target) await checkServer(target, context.env)

    // Loaded here, not at the top: codegen needs dev tools (kysely-codegen) that the other commands do not.
    const { runCodegen } = await import('../../../codegen/run-codegen.js')
    const started = Date.now()
    const log = (m: string) => context.out(`codegen: ${m} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
    let result: Awaited<ReturnType<typeof runCodegen>>
    try {
      result = await runCodegen({ check: values.check, databaseUrl: target?.url, outDir: values['out-dir'], log })
    } catch (error) {
      throw target ? explainConnectionError(error, target) : error
    }
    if (!values.check) return 0
    if (result.changed.length === 0) {
      log(`generated code is up to date with migrations/ (${result.files.length} files)`)
      return 0
    }
    context.err(
      `codegen: generated code is stale; these files differ from what migrations/ produce:\n` +
        result.changed.map((f) => `  ${f}`).join('\n') +
        '\nRun `npm run codegen` (or `avolve-db codegen`) and commit the result.',
    )
    return 1
  },
}

/** Connects once first, so a wrong URL fails with a clear message before any work starts. */
async function checkServer(target: DatabaseTarget, env: NodeJS.ProcessEnv): Promise<void> {
  const client = await connect(target, { env, applicationName: 'avolve-db codegen' })
  try {
    const { rows } = await client.query<{ ok: boolean }>(
      `select rolsuper or rolcreatedb as ok from pg_catalog.pg_roles where rolname = current_user`,
    )
    if (rows[0]?.ok !== true) {
      throw new CliError(
        `codegen makes a scratch database on ${target.host}:${target.port}, and "${target.user}" may not create databases: use a role with CREATEDB (or a local server).`,
      )
    }
  } finally {
    await client.end().catch(() => {})
  }
}
