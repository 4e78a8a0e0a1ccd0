import { PostgresDialect, type DatabaseConnection, type Driver, type Kysely } from 'kysely'
import type pg from 'pg'
import type { QueryRunner } from '../../generated/rpc-kysely.js'

export type { QueryRunner }

/** Hands out one database connection for the length of a unit of work. */
export interface ConnectionSource {
  /** Whether its connections pipeline: send a query at once, before the one ahead has answered. */
  readonly pipelined: boolean
  withConnection<T>(fn: (connection: QueryRunner) => Promise<T>): Promise<T>
}

/**
 * Connections straight from Kysely's PostgreSQL driver over a `pg` Pool. The SDK's statements are
 * compiled already, so they skip the query builder's executor layers (plugins, per-query connection
 * provider): one acquire, the statements, one release.
 */
export function driverSource(pool: pg.Pool): ConnectionSource {
  const driver: Driver = new PostgresDialect({ pool }).createDriver()
  // Awaited until it has settled once: after that, a call costs no extra turn of the event loop.
  let ready: Promise<void> | undefined = driver.init().then(() => {
    ready = undefined
  })
  return {
    pipelined: pool.options?.pipeline === true,
    async withConnection(fn) {
      if (ready) await ready
      const connection: DatabaseConnection = await driver.acquireConnection()
      try {
        return await fn(connection)
      } finally {
        await driver.releaseConnection(connection)
      }
    },
  }
}

/** Connections of a Kysely instance the app passed in (its plugins are removed first). */
export function kyselySource(db: Kysely<any>): ConnectionSource {
  // Whether the app's driver pipelines cannot be seen from here: statements go one at a time.
  return { pipelined: false, withConnection: (fn) => db.connection().execute((conn) => fn(conn)) }
}
