/**
 * The CLI's two kinds of failure, which decide the exit code: a {@link UsageError} (exit 2) means
 * the command line itself is wrong and the usage is printed; a {@link CliError} (exit 1) means the
 * work failed, with a message that says what went wrong and what to do about it.
 */

/** A wrong command line (unknown command or flag, a missing or malformed value): exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
  /**
   * @param message what is wrong with the command line
   * @param usage the usage text of the command concerned, printed after the message
   */
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message)
  }
}

/** A failure of the work itself, its message naming what to do: exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError'
  /**
   * @param message what went wrong and what to do
   * @param options the underlying error, kept for `AVOLVE_DB_DEBUG=1`
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}
