import { databaseErrorCodes } from '../../../src/index.js'

/**
 * The codes a refused call may come back with: the Avolve list (private.error_codes) and the
 * standard SQLSTATEs PostgreSQL gives values of the wrong form before any function runs. README's
 * error section lists the same.
 */
export const standardRefusals: Record<string, RegExp> = {
  '42501': /^permission denied( for function [a-z_]+)?$/,
  '22P02': /^((invalid input syntax for type [a-z ]+|malformed array literal): ".*"|expected JSON array|invalid input syntax for type json)$/s,
  '22P05': /^unsupported Unicode escape sequence$/,
  '22021': /^invalid byte sequence for encoding "UTF8": 0x00$/,
  '22003': /^(value overflows numeric format|numeric field overflow|value ".*" is out of range for type (smallint|integer|bigint))$/,
  '2202E': /^(array subscript out of range|wrong number of array subscripts)$/,
  '54000': /^(array size exceeds the maximum allowed \(\d+\)|.*exceeds.*)$/,
}

export const documentedSqlStates = new Set([...databaseErrorCodes.map((e) => e.sqlstate), ...Object.keys(standardRefusals)])

/** SQL text or internals in what a caller is told: a statement, PL/pgSQL context, private objects. */
const LEAKS = [/\b(select|insert|update|delete)\b[\s\S]*\b(from|into|set|where)\b/i, /PL\/pgSQL/i, /\bline \d+\b/i, /\bprivate\./, /pg_catalog/, /SQL statement/i, /\bstack\b/i]

/** Problems with what a refusal says: a message other than the documented one, or a leak. */
export function assertNoLeak(code: string, body: { message?: string; details?: string | null; hint?: string | null }): string[] {
  const problems: string[] = []
  const listed = databaseErrorCodes.find((e) => e.sqlstate === code)
  const message = body.message ?? ''
  if (listed && code !== '42501') {
    if (message !== listed.message) problems.push(`message ${JSON.stringify(message)} is not the documented ${JSON.stringify(listed.message)}`)
    if ((body.hint ?? '') !== listed.hint) problems.push(`hint ${JSON.stringify(body.hint)} is not the documented one`)
  } else if (standardRefusals[code] && !standardRefusals[code]!.test(message)) {
    problems.push(`message ${JSON.stringify(message.slice(0, 200))} is not one documented for ${code}`)
  }
  // Echoed input is the caller's own; judge only what the database added around it.
  const own = (text: string) => text.replace(/"[\s\S]*"/g, '""')
  for (const [field, text] of [
    ['message', message],
    ['details', body.details ?? ''],
    ['hint', body.hint ?? ''],
  ] as const) {
    if (LEAKS.some((l) => l.test(own(text)))) problems.push(`${field} leaks internals: ${JSON.stringify(text.slice(0, 200))}`)
  }
  return problems
}
