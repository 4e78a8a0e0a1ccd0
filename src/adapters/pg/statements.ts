import { CompiledQuery, createQueryId, type QueryResult } from 'kysely'

/** Runs a compiled query: a Kysely instance, a transaction, or a connection of a Kysely driver. */
export interface QueryRunner {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>
}

/** SQL text with its query node: binding values to it is all that is left to do per call. */
export interface FixedStatement {
  readonly sql: string
  readonly query: CompiledQuery['query']
}

/**
 * A statement of fixed text. `CompiledQuery.raw` builds and freezes a query node on every call; a
 * statement's node depends on its text only, so it is built once per text and shared by every call.
 */
export function fixedStatement(sql: string): FixedStatement {
  return { sql, query: CompiledQuery.raw(sql).query }
}

/** `statement` with its values: a compiled query of its own, with its own query id. */
export function bind<R>(statement: FixedStatement, parameters: readonly unknown[]): CompiledQuery<R> {
  return { sql: statement.sql, query: statement.query, queryId: createQueryId(), parameters }
}
