import { NotAuthenticatedError } from '../../errors/avolve-error.js'
import type { DataPort } from '../data-port.js'

/** The user a repository acts for: its own (service scopes) or the unit of work's signed-in user. */
export function actingUser(port: DataPort, userId: string | undefined): string {
  const id = userId ?? port.userId
  if (!id) throw new NotAuthenticatedError({ code: 'not_authenticated', message: 'not authenticated: this call needs a signed-in user; sign in and retry' })
  return id
}
