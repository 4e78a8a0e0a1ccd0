import type { Catalog } from '../catalog/types.js'
import { docComment, literal, str } from './ts.js'

/** src/generated/error-codes.ts: the errors the database functions raise (private.error_codes). */
export function emitErrorCodes(catalog: Catalog): string {
  const first = catalog.errorCodes[0] ?? { sqlstate: 'P0001', name: 'none', message: '', hint: '' }
  return [
    ...docComment('Every error the database functions raise: SQLSTATE, stable name, message and hint.', [
      "import { databaseErrorCodes } from '@avolve/db'",
      '',
      `databaseErrorCodes.find((e) => e.name === ${str(first.name)}) // { sqlstate: ${str(first.sqlstate)}, name: ${str(first.name)}, message: ${str(first.message)}, hint: … }`,
    ]),
    `export const databaseErrorCodes = ${literal(catalog.errorCodes)} as const`,
    '',
    ...docComment("The stable name of a database error: an AvolveError's `code` when the database raised it.", [
      "import { isAvolveError, type DatabaseErrorName } from '@avolve/db'",
      '',
      `const shown: DatabaseErrorName[] = [${str(first.name)}]`,
      'if (isAvolveError(error) && (shown as string[]).includes(error.code)) showMessage(error.message)',
    ]),
    "export type DatabaseErrorName = (typeof databaseErrorCodes)[number]['name']",
    ...docComment("The SQLSTATE of a database error: an AvolveError's `sqlstate` when the database raised it.", [
      "import type { DatabaseErrorSqlState } from '@avolve/db'",
      '',
      `const state: DatabaseErrorSqlState = ${str(first.sqlstate)} // ${first.name}`,
    ]),
    "export type DatabaseErrorSqlState = (typeof databaseErrorCodes)[number]['sqlstate']",
    '',
  ].join('\n')
}
