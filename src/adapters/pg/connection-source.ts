import type { CompiledQuery, Kysely, QueryResult } from 'kysely'
import type pg from 'pg'
import type { QueryRunner } from './statements.js'

export type { QueryRunner }

/** One connection, for the length of a unit of work. */
export interface Connection extends QueryRunner {
  /**
   * Runs `issue`, which issues statements without awaiting them, and sends them all in one write
   * where the connection can (rather than one write, and one packet, per statement).
   */
  inOneWrite<T>(issue: () => T): T
}

/** Hands out one database connection for the length of a unit of work. */
export interface ConnectionSource {
  /** Whether its connections pipeline: send a query at once, before the one ahead has answered. */
  readonly pipelined: boolean
  withConnection<T>(fn: (connection: Connection) => Promise<T>): Promise<T>
}

/** The row a COMMIT or ROLLBACK answers with: its command tag (ROLLBACK when the commit rolled back). */
export type Command = { command?: string }

/**
 * A checked-out `pg` client as a QueryRunner, running the SDK's compiled statements as Kysely's
 * PostgreSQL driver would (COMMIT and ROLLBACK answer with their command tag, so a commit that
 * rolled back can be told apart), without its per-statement async wrapper and copy of the
 * parameters: under load those layers cost Node CPU on every statement (README, Performance).
 */
function clientConnection(client: pg.PoolClient, pipelined: boolean): Connection {
  const stream = client.connection?.stream
  const send = <R>(query: CompiledQuery<R>): Promise<QueryResult<R>> => {
    // A rejection, never a throw: the runner holds on to every statement's promise (a commit sent
    // early must be awaited before the client goes back to the pool).
    try {
      return client.query(query.sql, query.parameters as unknown[]).then(resultOf) as Promise<QueryResult<R>>
    } catch (error) {
      return Promise.reject(error)
    }
  }
  return {
    executeQuery: pipelined ? send : oneAtATime(send),
    inOneWrite(issue) {
      // pg writes each statement as it is issued; a corked socket collects them into one write.
      if (!stream?.cork || !stream.uncork) return issue()
      stream.cork()
      try {
        return issue()
      } finally {
        stream.uncork()
      }
    },
  }
}

/**
 * `send`, with each statement sent once the one before has answered. Reads the SDK issues together
 * (a statement's three) would otherwise reach a client that does not pipeline while it is busy, which
 * `pg` queues only with a deprecation warning, and which pg 9 removes.
 */
function oneAtATime(send: <R>(query: CompiledQuery<R>) => Promise<QueryResult<R>>): <R>(query: CompiledQuery<R>) => Promise<QueryResult<R>> {
  let last: Promise<unknown> = Promise.resolve()
  return (query) => {
    const result = last.then(() => send(query))
    last = result.catch(() => {})
    return result
  }
}

function resultOf(result: pg.QueryResult): QueryResult<unknown> {
  const { command } = result
  return command === 'COMMIT' || command === 'ROLLBACK' ? { rows: [{ command } satisfies Command] } : { rows: result.rows }
}

/** Connections of a `pg` Pool: the SDK's own, or one the app passed in. One acquire, the statements, one release. */
export function poolSource(pool: pg.Pool): ConnectionSource {
  const pipelined = pool.options?.pipeline === true
  return {
    pipelined,
    async withConnection(fn) {
      const client = await pool.connect()
      try {
        return await fn(clientConnection(client, pipelined))
      } finally {
        client.release()
      }
    },
  }
}

/** Connections of a Kysely instance the app passed in (its plugins are removed first). */
export function kyselySource(db: Kysely<any>): ConnectionSource {
  // Whether the app's driver pipelines cannot be seen from here: statements go one at a time.
  return {
    pipelined: false,
    withConnection: (fn) => db.connection().execute((conn) => fn({ executeQuery: oneAtATime((q) => conn.executeQuery(q)), inOneWrite: (issue) => issue() })),
  }
}
