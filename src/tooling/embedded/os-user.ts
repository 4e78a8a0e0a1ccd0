import { execFileSync, spawnSync } from 'node:child_process'
import { userInfo } from 'node:os'
import { EmbeddedServerError } from './errors.js'

/** The OS identity the server's processes run as: `undefined` ids mean "as this process". */
export interface RunAs {
  readonly uid?: number
  readonly gid?: number
}

/** The name of the unprivileged OS user PostgreSQL runs as when this process is root. */
export const POSTGRES_OS_USER = 'postgres'

export const isRoot = (): boolean => userInfo().uid === 0

/**
 * Who the server runs as: this process, or (as root, which PostgreSQL refuses) the `postgres` OS
 * user, created as a system user without a home or a shell when it does not exist yet.
 */
export function serverIdentity(): RunAs {
  if (!isRoot()) return {}
  const found = lookUp()
  if (found) return found
  try {
    execFileSync('groupadd', ['--system', POSTGRES_OS_USER], { stdio: 'ignore' })
  } catch {
    // The group may exist without the user.
  }
  try {
    execFileSync('useradd', ['--system', '--gid', POSTGRES_OS_USER, '--no-create-home', '--shell', '/usr/sbin/nologin', POSTGRES_OS_USER], { stdio: 'ignore' })
  } catch (cause) {
    throw new EmbeddedServerError(
      'postgres_user_unavailable',
      `PostgreSQL cannot run as root, and no "${POSTGRES_OS_USER}" OS user exists or could be created (useradd failed). ` +
        `Create one (useradd --system ${POSTGRES_OS_USER}), run as a non-root user, or set DATABASE_URL to a server you run yourself.`,
      { cause },
    )
  }
  const made = lookUp()
  if (!made) throw new EmbeddedServerError('postgres_user_unavailable', `useradd reported success but "${POSTGRES_OS_USER}" is not found.`)
  return made
}

function lookUp(): RunAs | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', POSTGRES_OS_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim())
    const gid = Number(execFileSync('id', ['-g', POSTGRES_OS_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim())
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined
  } catch {
    return undefined
  }
}

/**
 * Whether `who` can use `path` as `test` checks it (`-x` to enter or run, `-w` to write). It asks
 * the kernel under exactly the credentials the server gets, so ACLs and groups count as they will.
 */
export function canAccess(who: RunAs, path: string, test: '-x' | '-w' | '-r' = '-x'): boolean {
  if (who.uid === undefined) return true
  const r = spawnSync('/bin/sh', ['-c', `test ${test} "$1"`, 'sh', path], { uid: who.uid, gid: who.gid, stdio: 'ignore' })
  return !r.error && r.status === 0
}

/** Whether `who` can run `binary` (its folders traversed, its libraries loaded): `--version` answers. */
export function canRun(who: RunAs, binary: string): boolean {
  const r = spawnSync(binary, ['--version'], { uid: who.uid, gid: who.gid, stdio: 'ignore' })
  return !r.error && r.status === 0
}
