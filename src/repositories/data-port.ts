import type { RelationName, relationColumns } from '../generated/columns.js'
import type { RpcArgs, RpcName, RpcReturns } from '../generated/rpc.js'

/**
 * The little each adapter must provide for the shared repositories: calling a generated RPC and
 * running a select described as data. Everything else (validation, ids, keys, paging, decoding,
 * error meaning) lives once, in the shared repositories, so both adapters behave the same.
 */

export type FilterOperator = 'eq' | 'gte' | 'lt' | 'lte'

/**
 * A column of `R`, as the generated column list names it: a misspelt column does not compile. Of a
 * union of relations, a column of any of them: `SelectQuery` (all relations) is what a port accepts.
 */
export type ColumnOf<R extends RelationName> = { [Q in RelationName]: keyof (typeof relationColumns)[Q] & string }[R]

/** One condition on a column: a comparison with one value. */
export interface Filter<R extends RelationName = RelationName> {
  column: ColumnOf<R>
  op: FilterOperator
  value: string | number | boolean
}

/**
 * A select described as data, generic in its relation so that every column it names is one of the
 * relation's; `SelectQuery` without a relation is any relation's, what a port accepts. Adapters compile it (text and values together) and cache the text by {@link shapeOf}.
 *
 * ```ts
 * const query: SelectQuery<'user_consent'> = {
 *   relation: 'user_consent',
 *   where: [[{ column: 'user_id', op: 'eq', value: userId }]],
 *   orderBy: [{ column: 'created_at', descending: true }],
 *   limit: 10,
 * }
 * ```
 */
export interface SelectQuery<R extends RelationName = RelationName> {
  relation: R
  /** Rows matching all filters of at least one branch (an OR of ANDs). One branch is a plain WHERE. */
  where: Filter<R>[][]
  /**
   * Keyset position: only rows strictly after it in the order below, whose first key (the time
   * column) says the direction: before it when descending, after it when ascending.
   */
  after?: { timeColumn: ColumnOf<R>; at: string; idColumn: ColumnOf<R>; id: string }
  orderBy: Array<{ column: ColumnOf<R>; descending: boolean }>
  limit?: number
  /**
   * `shapeOf(this query)`, computed once by a caller that sends queries of one shape over and over
   * (so the adapter finds its compiled text without building the key on every call).
   */
  shape?: string
}

/** The relations that have column `C`. */
export type RelationWith<C extends string> = { [R in RelationName]: C extends ColumnOf<R> ? R : never }[RelationName]

/** Whether a keyset position reads forward (rows after it, ascending) rather than back: the first key's direction. */
export function keysetAscending(query: SelectQuery): boolean {
  return query.orderBy[0]?.descending === false
}

/** A key naming the shape of a query (everything but its values): adapters cache compiled text by it. */
export function shapeOf(query: SelectQuery): string {
  let key: string = query.relation
  for (const branch of query.where) {
    key += '|'
    for (const f of branch) key += `${f.column} ${f.op},`
  }
  if (query.after) key += `|after ${query.after.timeColumn} ${query.after.idColumn}`
  for (const o of query.orderBy) key += `|${o.column} ${o.descending ? 'desc' : 'asc'}`
  return query.limit === undefined ? key : `${key}|limit`
}

/** One connection's worth of data access, valid inside a unit of work. */
export interface DataPort {
  /** The signed-in user the work runs as (the JWT's sub); null for the service role. */
  readonly userId: string | null
  /**
   * Whether statements may be issued without awaiting the one before: they then travel in one
   * flight and run in issue order, in one transaction. True on a pipelining server connection, so
   * a read that needs only the inputs of a call goes with the call; false on other connections (pg
   * deprecates queueing a query behind another) and over HTTP (each request its own transaction).
   */
  readonly pipelines: boolean
  /**
   * Says the work will send no more statements. A unit of work that may end early (idempotent work
   * on a pipelining connection, not inside transaction()) sends its commit right behind them, so the
   * whole unit is one round trip; elsewhere it does nothing.
   */
  sentAll(): void
  call<F extends RpcName>(fn: F, args: RpcArgs<F>): Promise<RpcReturns<F>>
  /** Rows as the database sent them, exact values as text (see row-codec.ts). */
  select(query: SelectQuery): Promise<Array<Record<string, unknown>>>
}

export interface UnitOfWorkOptions {
  /** Whether running the work twice is harmless (so a retry after an unknown outcome is safe). */
  idempotent: boolean
}

/**
 * Runs work as one unit for one user: on the server one database transaction as the user (retried
 * as a whole where safe); on the client a sequence of requests with the user's session.
 */
export interface UnitOfWork {
  run<T>(work: (port: DataPort) => Promise<T>, options: UnitOfWorkOptions): Promise<T>
}
