/** What a PostgreSQL connection string looks like, for messages. */
export const CONNECTION_STRING_EXAMPLE = 'postgres://USER:PASSWORD@HOST:5432/DATABASE'

/** A connection string read as a URL, or why it is not a PostgreSQL one. */
export type ConnectionUrl = { ok: true; url: URL } | { ok: false; problem: 'not_a_url' } | { ok: false; problem: 'not_postgres'; protocol: string }

/**
 * Reads `value` as a `postgres://` (or `postgresql://`) URL, so that a typo is reported as one before
 * anything connects instead of as a confusing network error. Each caller words the refusal for its
 * own audience (a TypeError for code, a usage error for the CLI).
 */
export function readConnectionUrl(value: string): ConnectionUrl {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return { ok: false, problem: 'not_a_url' }
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return { ok: false, problem: 'not_postgres', protocol: url.protocol }
  return { ok: true, url }
}
