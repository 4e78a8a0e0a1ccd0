import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from './errors.js'

/** Where a command writes and what it reads from its environment (the process's, by default). */
export interface CliContext {
  /** Prints one line of output (results, progress). */
  out(line: string): void
  /** Prints one line of diagnostics (warnings, errors). */
  err(line: string): void
  /** The environment (`DATABASE_URL`, `PGCONNECT_TIMEOUT`). */
  readonly env: NodeJS.ProcessEnv
}

/** One `avolve-db <name>` command. */
export interface Command {
  readonly name: string
  /** One line for the top-level help. */
  readonly summary: string
  /** The command's `--help` text. */
  readonly usage: string
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(argv: string[], context: CliContext): Promise<number>
}

/**
 * `util.parseArgs` in strict mode, with its complaints (unknown flag, missing value, stray
 * argument) turned into a {@link UsageError} that carries the command's usage.
 *
 * @example
 * const { values } = parseCommandArgs(argv, { 'dry-run': { type: 'boolean' } }, usage)
 */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, usage: string, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals })
  } catch (error) {
    const code = (error as { code?: string }).code
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, '.'), usage)
    }
    throw error
  }
}

type Options = NonNullable<ParseArgsConfig['options']>

/** What every command takes: `-h`/`--help` prints its usage and exits 0. */
export const helpOption = { help: { type: 'boolean', short: 'h', default: false } } as const

/** The database a command works on; `DATABASE_URL` when left out (see connect.ts). */
export const databaseUrlOption = { 'database-url': { type: 'string' } } as const

/** A command's flags and arguments, as {@link parseCommandArgs} parses them. */
export type CommandArgs<O extends Options> = ReturnType<typeof parseCommandArgs<O & typeof helpOption>>

/** How {@link defineCommand} makes a command: its texts, its flags, and what it does with them. */
export interface CommandSpec<O extends Options> {
  readonly name: string
  readonly summary: string
  readonly usage: string
  /** Its flags, `--help` aside (every command has it). */
  readonly options: O
  /** Whether arguments other than flags are allowed (default: none). */
  readonly positionals?: boolean
  /** Subcommands by their name, the first argument (`migrate rollback`); each parses the rest itself. */
  readonly subcommands?: Readonly<Record<string, Pick<Command, 'run'>>>
  /** The work, once the flags are parsed and `--help` was not asked for; resolves to the exit code. */
  run(args: CommandArgs<O>, context: CliContext): Promise<number>
}

/**
 * A command with the preamble every command shares: its subcommands chosen by the first argument,
 * flags parsed strictly ({@link parseCommandArgs}: a wrong flag is a usage error), and `--help`
 * answered with its usage.
 *
 * @example
 * export const pingCommand = defineCommand({
 *   name: 'ping',
 *   summary: 'connect and say so',
 *   usage: 'Usage: avolve-db ping [--database-url URL]',
 *   options: databaseUrlOption,
 *   run: ({ values }, context) =>
 *     withDatabase(values['database-url'], context, { applicationName: 'avolve-db ping' }, async (client, target) => {
 *       await client.query('select 1')
 *       context.out(`pong from ${target.display}`)
 *       return 0
 *     }),
 * })
 */
export function defineCommand<const O extends Options>(spec: CommandSpec<O>): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: spec.usage,
    async run(argv, context) {
      const subcommand = argv[0] === undefined ? undefined : spec.subcommands?.[argv[0]]
      if (subcommand) return subcommand.run(argv.slice(1), context)
      const args = parseCommandArgs(argv, { ...spec.options, ...helpOption }, spec.usage, spec.positionals ?? false)
      if ((args.values as { help?: boolean }).help) {
        context.out(spec.usage)
        return 0
      }
      return spec.run(args, context)
    },
  }
}

/** The process's own streams and environment. */
export function processContext(): CliContext {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  }
}

/** Milliseconds since `started`, for progress lines: "12 ms" or "3.4 s". */
export function elapsed(started: number): string {
  const ms = Date.now() - started
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`
}
