#!/usr/bin/env node
/**
 * `avolve-db`: the package's command line. This module parses the command name, dispatches to
 * one module per command (src/cli/commands/), and maps every failure to a message and an exit code:
 * 0 success, 1 failure (the message says what to do), 2 a wrong command line (usage printed).
 */
import { readFileSync, realpathSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MigrationError, packageRoot } from '../tooling/migrations.js'
import { processContext, type CliContext, type Command } from './command.js'
import { codegenCommand } from './commands/codegen.js'
import { demoCommand } from './commands/demo.js'
import { devCommand } from './commands/dev.js'
import { inspectCommand } from './commands/inspect.js'
import { maintainCommand } from './commands/maintain.js'
import { migrateCommand } from './commands/migrate.js'
import { errorCode } from './connect.js'
import { CliError, UsageError } from './errors.js'

/** The commands, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [migrateCommand, codegenCommand, devCommand, demoCommand, inspectCommand, maintainCommand]

/** The top-level `--help` text. */
export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'Usage: avolve-db <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show this help (`avolve-db <command> --help` for a command)',
    '  -v, --version  print the version',
    '',
    'The database is --database-url postgres://USER:PASSWORD@HOST:5432/DATABASE, or $DATABASE_URL.',
    'Exit codes: 0 success, 1 failure, 2 wrong usage. AVOLVE_DB_DEBUG=1 adds stack traces to errors.',
  ].join('\n')
}

/**
 * Runs the CLI with `argv` (the arguments after the program name) and resolves to the exit code;
 * it never throws and never exits the process itself.
 *
 * @example
 * process.exit(await main(['migrate', '--dry-run']))
 */
export async function main(argv: string[] = process.argv.slice(2), context: CliContext = processContext()): Promise<number> {
  const [name, ...rest] = argv
  let command: Command | undefined
  try {
    if (name === undefined) throw new UsageError('no command given', usage())
    if (name === '-h' || name === '--help') {
      context.out(usage())
      return 0
    }
    if (name === 'help') return help(rest[0], context)
    if (name === '-v' || name === '--version') {
      context.out(version())
      return 0
    }
    if (name.startsWith('-')) throw new UsageError(`unknown option "${name}" (options go after the command)`, usage())
    command = COMMANDS.find((c) => c.name === name)
    if (!command) throw new UsageError(`unknown command "${name}"`, usage())
    return await command.run(rest, context)
  } catch (error) {
    return report(error, command, context)
  }
}

function help(topic: string | undefined, context: CliContext): number {
  if (topic === undefined) {
    context.out(usage())
    return 0
  }
  const command = COMMANDS.find((c) => c.name === topic)
  if (!command) throw new UsageError(`unknown command "${topic}"`, usage())
  context.out(command.usage)
  return 0
}

/** Prints `error` the way its kind calls for and returns the exit code. */
function report(error: unknown, command: Command | undefined, context: CliContext): number {
  const prefix = command ? `${command.name} failed` : 'avolve-db'
  if (error instanceof UsageError) {
    context.err(`avolve-db${command ? ` ${command.name}` : ''}: ${error.message}`)
    // The whole usage for a wrong flag or command; for a wrong value, where to find it.
    if (error.usage) context.err(`\n${error.usage}`)
    else context.err(`Run \`avolve-db ${command ? `${command.name} ` : ''}--help\` for the options.`)
    return 2
  }
  if (error instanceof MigrationError) {
    context.err(`${prefix}: ${error.message}`)
    if (error.statement?.includes('\n')) {
      const lines = error.statement.split('\n')
      const shown = lines.slice(0, 12).map((l) => `    ${l}`)
      if (lines.length > 12) shown.push(`    … (${lines.length - 12} more lines)`)
      context.err(`  the statement:\n${shown.join('\n')}`)
    }
    debug(error, context)
    return 1
  }
  if (error instanceof CliError) {
    context.err(`${prefix}: ${error.message}`)
    debug(error, context)
    return 1
  }
  const code = errorCode(error)
  const message = error instanceof Error ? error.message : String(error)
  const sqlstate = code && /^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : ''
  context.err(`${prefix}: ${message}${sqlstate}`)
  debug(error, context)
  return 1
}

function debug(error: unknown, context: CliContext): void {
  if (!context.env.AVOLVE_DB_DEBUG) {
    return
  }
  const seen = new Set<unknown>()
  for (let e: unknown = error; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e)
    context.err(e.stack ?? String(e))
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { name: string; version: string }
  return `${pkg.name} ${pkg.version}`
}

/** Whether this module is the program (`avolve-db …`, `node src/cli/main.ts`) rather than imported. */
function isEntryPoint(): boolean {
  const script = process.argv[1]
  if (!script) return false
  try {
    // npm's bin is a symlink to this file; compare real paths.
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isEntryPoint()) {
  main().then((code) => process.exit(code))
}
