/** Plain-text tables for terminal output: a header, a rule, one line per row, columns aligned. */

export interface TableOptions {
  /** The columns to show, in order (default: the keys of the first row). */
  columns?: readonly string[]
  /** Longer cells are cut to this many characters, ending in `…` (default 60). */
  maxCellWidth?: number
  /** Printed instead of a table when there are no rows (default `(none)`). */
  empty?: string
}

/**
 * Formats `rows` as an aligned table. Numeric columns are right-aligned; `null` prints as `-`;
 * line breaks and runs of spaces in a cell (SQL text) fold to one space.
 *
 * @example
 * formatTable([{ name: 'tables', ratio: 0.99 }])
 * // name    ratio
 * // ------  -----
 * // tables   0.99
 */
export function formatTable(rows: readonly Record<string, unknown>[], options: TableOptions = {}): string {
  if (rows.length === 0) return options.empty ?? '(none)'
  const columns = options.columns ?? Object.keys(rows[0] ?? {})
  const maxWidth = options.maxCellWidth ?? 60
  const cells = rows.map((row) => columns.map((c) => cellText(row[c], maxWidth)))
  const numeric = columns.map((c) => rows.every((row) => row[c] === null || row[c] === undefined || typeof row[c] === 'number' || typeof row[c] === 'bigint'))
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)))
  const line = (values: readonly string[], alignRight: readonly boolean[]) =>
    values
      .map((v, i) => (alignRight[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [
    line(columns, numeric),
    line(
      widths.map((w) => '-'.repeat(w)),
      numeric,
    ),
    ...cells.map((r) => line(r, numeric)),
  ].join('\n')
}

function cellText(value: unknown, maxWidth: number): string {
  let text: string
  if (value === null || value === undefined) text = '-'
  else if (value instanceof Date) text = value.toISOString()
  else if (typeof value === 'object') text = JSON.stringify(value)
  else text = String(value)
  text = text.replace(/\s+/g, ' ').trim()
  return text.length > maxWidth ? `${text.slice(0, Math.max(1, maxWidth - 1))}…` : text
}
