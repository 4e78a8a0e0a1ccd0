import type pg from 'pg'

/** Runs `issue` on a corked socket, so that the statements it issues leave in one write. */
export function inOneWrite<T>(client: pg.PoolClient, issue: () => T): T {
  const stream = client.connection.stream
  stream.cork()
  try {
    return issue()
  } finally {
    stream.uncork()
  }
}
