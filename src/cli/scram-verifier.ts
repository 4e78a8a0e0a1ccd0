import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password`, computed here (as psql's `\password`
 * does) so that `create role … password '<verifier>'` sends no password in SQL text, where
 * pg_stat_statements, the server log and `log_statement` would keep it. The verifier lets the server
 * check a login; it does not let anyone log in. `password` must be ASCII (SASLprep leaves it as is).
 *
 * @example
 * ```ts
 * const password = randomBytes(24).toString('hex')
 * await client.query(`create role demo login password '${scramVerifier(password)}'`)
 * ```
 */
export function scramVerifier(password: string, iterations = 4096): string {
  if (!/^[\x20-\x7e]*$/.test(password)) throw new TypeError('scramVerifier: the password must be printable ASCII')
  const salt = randomBytes(16)
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256')
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest()
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest()
  const serverKey = hmac(salted, 'Server Key')
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`
}
