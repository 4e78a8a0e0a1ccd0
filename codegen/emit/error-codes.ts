import type { Catalog } from '../catalog/types.js'
import { literal } from './ts.js'

/** src/generated/error-codes.ts: the errors the database functions raise (private.error_codes). */
export function emitErrorCodes(catalog: Catalog): string {
  return [
    '/** Every error the database functions raise: SQLSTATE, stable name, message and hint. */',
    `export const databaseErrorCodes = ${literal(catalog.errorCodes)} as const`,
    '',
    'export type DatabaseErrorName = (typeof databaseErrorCodes)[number][\'name\']',
    'export type DatabaseErrorSqlState = (typeof databaseErrorCodes)[number][\'sqlstate\']',
    '',
  ].join('\n')
}
