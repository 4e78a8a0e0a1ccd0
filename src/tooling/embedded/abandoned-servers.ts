import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs'
import { join } from 'node:path'

/** What the server directories' owner file records. */
export interface OwnerRecord {
  /** The process that started the server. */
  readonly pid: number
}

export const OWNER_FILE = 'owner.json'

/**
 * Removes the embedded servers left in `parent` by processes that died without cleaning up, and stops
 * their postmasters. The shared temp folder is writable by anyone, so nothing there is trusted: a
 * folder counts only if this user owns it and nobody else can write into it, and a process is
 * signalled only when the kernel shows it to be a postgres server running in that folder's data
 * directory as the user the server ran as (`/proc`; where there is none, nothing is signalled).
 *
 * @param serverUid the uid the servers run as (the `postgres` OS user for root, else this user)
 */
export function reapAbandonedServers(parent: string, prefix: string, serverUid: number, log: (m: string) => void): void {
  let entries: string[]
  try {
    entries = readdirSync(parent).filter((e) => e.startsWith(prefix))
  } catch {
    return
  }
  const me = process.getuid?.()
  for (const entry of entries) {
    const dir = join(parent, entry)
    try {
      const stat = lstatSync(dir)
      // Someone else's folder, a link, or one others can write to: not ours to judge.
      if (!stat.isDirectory() || stat.uid !== me || (stat.mode & 0o022) !== 0) continue
      const owner = ownerOf(dir)
      if (!owner || isAlive(owner.pid)) continue
      const postmaster = provenPostmaster(join(dir, 'data'), serverUid)
      if (postmaster !== undefined) process.kill(postmaster, 'SIGQUIT')
      rmSync(dir, { recursive: true, force: true })
      log(`removed an abandoned embedded server in ${dir}`)
    } catch {
      // A folder being created right now, or one that vanished meanwhile: leave it.
    }
  }
}

function ownerOf(dir: string): OwnerRecord | undefined {
  const file = join(dir, OWNER_FILE)
  if (!lstatSync(file).isFile()) return undefined
  const record = JSON.parse(readFileSync(file, 'utf8')) as Partial<OwnerRecord>
  return Number.isSafeInteger(record.pid) && record.pid! > 0 ? { pid: record.pid! } : undefined
}

/**
 * The pid of the postgres server serving `dataDir` as `uid`: the one its postmaster.pid names, when
 * the kernel confirms it (see {@link isPostgresServing}); `undefined` otherwise.
 */
export function provenPostmaster(dataDir: string, uid: number): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
    return Number.isSafeInteger(pid) && pid > 1 && isPostgresServing(pid, dataDir, uid) ? pid : undefined
  } catch {
    return undefined
  }
}

/**
 * Whether the kernel shows `pid` to be a postgres postmaster of `dataDir` running as `uid`: its
 * program is named postgres, its working directory is the data directory (the postmaster changes
 * into it), and its real uid is the server's.
 */
export function isPostgresServing(pid: number, dataDir: string, uid: number): boolean {
  try {
    const proc = `/proc/${pid}`
    if (readFileSync(join(proc, 'comm'), 'utf8').trim() !== 'postgres') return false
    if (readlinkSync(join(proc, 'cwd')) !== realpathSync(dataDir)) return false
    const uidLine = readFileSync(join(proc, 'status'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Uid:'))
    return uidLine !== undefined && Number(uidLine.split(/\s+/)[1]) === uid
  } catch {
    return false
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
