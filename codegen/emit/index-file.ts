/** src/generated/index.ts: what the package's root exports of the generated code. */
export function emitIndex(): string {
  return [
    "export type { DB } from './kysely.js'",
    '/**',
    " * kysely-codegen's table interfaces, as one namespace (their enum names repeat the vocabularies').",
    ' *',
    ' * @example',
    ' * ```ts',
    " * import type { KyselyTables } from '@avolve/db'",
    ' *',
    " * type Balances = KyselyTables.TokenBalances // DB['token_balances']",
    ' * ```',
    ' */',
    "export type * as KyselyTables from './kysely.js'",
    "export type { CompositeTypes, Database, Enums, Json, PublicSchema, Tables, TablesInsert, TablesUpdate } from './database.js'",
    "export { Constants } from './database.js'",
    "export * from './vocabularies.js'",
    "export * from './error-codes.js'",
    "export * from './rpc.js'",
    '',
  ].join('\n')
}
