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
