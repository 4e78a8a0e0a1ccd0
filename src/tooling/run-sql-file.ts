import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import type pg from 'pg'
import { splitStatementsWithOffsets, type SplitStatement } from './split-statements.js'

/** A migration that failed, with the file, the line and the statement PostgreSQL rejected. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError'
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly statement: string | undefined,
    override readonly cause: unknown,
  ) {
    const pgMessage = cause instanceof Error ? cause.message : String(cause)
    super(
      `${basename(file)}${line ? `:${line}` : ''}: ${pgMessage}` +
        (statement ? `\n  in: ${statement.split('\n')[0]?.trim()}` : '') +
        `\n  nothing from this file was applied (it ran in one transaction); fix it and run again.`,
    )
  }
}

/**
 * Runs the SQL file `path` statement by statement (split as `supabase db push` splits it) in one
 * transaction, then `finish` if given (the CLI records or deletes the history row there, getting the
 * statements it ran) in that same transaction, and commits. On any failure everything is rolled back,
 * so the file is applied (with its history row) or not at all, and the error is a
 * {@link MigrationError} naming the file, the line and the statement PostgreSQL rejected.
 *
 * Statement by statement rather than the whole file in one query: it is how the Supabase CLI
 * executes a migration, and it tells which statement failed even when PostgreSQL gives no position
 * (a runtime error in a `do` block, a constraint violated by seeded rows).
 */
export async function runSqlFile(
  client: pg.ClientBase,
  path: string,
  sql: string = readFileSync(path, 'utf8'),
  finish?: (client: pg.ClientBase, statements: readonly string[]) => Promise<void>,
): Promise<void> {
  const statements = splitStatementsWithOffsets(sql)
  // Settings a previous file changed for the session (set search_path …) must not leak into this
  // one; the Supabase CLI does the same before each migration.
  await client.query('reset all')
  await client.query('begin')
  let current: SplitStatement | undefined
  try {
    for (const statement of statements) {
      current = statement
      await client.query(statement.text)
    }
    current = undefined
    await finish?.(
      client,
      statements.map((s) => s.text),
    )
    await client.query('commit')
  } catch (error) {
    await client.query('rollback').catch(() => {})
    throw locate(path, sql, current, error)
  }
}

function locate(path: string, sql: string, statement: SplitStatement | undefined, error: unknown): MigrationError {
  if (!statement) return new MigrationError(path, undefined, undefined, error)
  // Point at the first line of SQL, not at the comments the statement carries in front of it.
  const code = skipLeadingComments(statement.text)
  const codeOffset = statement.offset + (statement.text.length - code.length)
  let line = lineAt(sql, codeOffset)
  const position = Number((error as { position?: string }).position)
  if (Number.isFinite(position) && position > 0) line = lineAt(sql, statement.offset + position - 1)
  return new MigrationError(path, line, code, error)
}

function lineAt(text: string, offset: number): number {
  let line = 1
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

function skipLeadingComments(text: string): string {
  let rest = text
  for (;;) {
    const trimmed = rest.replace(/^\s+/, '')
    if (trimmed.startsWith('--')) {
      const eol = trimmed.indexOf('\n')
      rest = eol < 0 ? '' : trimmed.slice(eol + 1)
    } else if (trimmed.startsWith('/*')) {
      const close = trimmed.indexOf('*/')
      rest = close < 0 ? '' : trimmed.slice(close + 2)
    } else {
      return trimmed || text
    }
  }
}
