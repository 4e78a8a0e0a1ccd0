/**
 * The package as a consumer gets it: `npm pack`, install the tarball into a fresh temporary project
 * (with the peer dependencies an app has), import every entry from ESM and from CJS at run time, run
 * the CLI's --help, and typecheck a small consumer that uses both adapters. Run by .ci/run.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packageRoot } from '../src/tooling/migrations.js'

const root = packageRoot()
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> }
const sh = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })

const dir = mkdtempSync(join(tmpdir(), 'avolve-pack-'))
try {
  const tarball = join(dir, sh('npm', ['pack', '--silent', '--pack-destination', dir], root).trim().split('\n').at(-1)!)
  console.log(`packed ${tarball}`)
  const app = join(dir, 'app')
  execFileSync('mkdir', ['-p', app])
  const peers = ['@supabase/supabase-js', 'kysely', 'pg', 'zod', 'typescript', '@types/pg', '@types/node'].map((p) => `${p}@${pkg.devDependencies[p]}`)
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  sh('npm', ['install', '--no-audit', '--no-fund', '--silent', tarball, ...peers], app)

  const entries = ['@avolve/db', '@avolve/db/server', '@avolve/db/client', '@avolve/db/schemas', '@avolve/db/testing']
  writeFileSync(
    join(app, 'esm.mjs'),
    `${entries.map((e, i) => `import * as m${i} from '${e}'\nif (!Object.keys(m${i}).length) throw new Error('${e}: no exports')`).join('\n')}\nconsole.log('esm ok')\n`,
  )
  writeFileSync(join(app, 'cjs.cjs'), `${entries.map((e) => `if (!Object.keys(require('${e}')).length) throw new Error('${e}: no exports')`).join('\n')}\nconsole.log('cjs ok')\n`)
  console.log(sh('node', ['esm.mjs'], app).trim())
  console.log(sh('node', ['cjs.cjs'], app).trim())
  console.log(sh('npx', ['avolve-db', '--version'], app).trim())

  writeFileSync(
    join(app, 'consumer.ts'),
    `import { createClient } from '@supabase/supabase-js'
import { createAvolveClient, InsufficientBalanceError, type Database } from '@avolve/db/client'
import { createAvolveDb, type UserScope } from '@avolve/db/server'
import { transferInputSchema, type TransferInput } from '@avolve/db/schemas'
import type { TokenTransaction } from '@avolve/db'

export async function onServer(token: string): Promise<TokenTransaction> {
  const db = createAvolveDb({ connection: 'postgres://localhost/app', jwt: { secret: 'x'.repeat(32) } })
  const me: UserScope = await db.asUser(token)
  const input: TransferInput = transferInputSchema.parse({ to: '2b1a5e1c-4d52-4d3b-9a3e-5f7e3c2a1b0d', tokenType: 'GEN', amount: '1' })
  return me.tokens.transfer(input)
}

export async function inBrowser(): Promise<string> {
  const avolve = createAvolveClient(createClient<Database>('https://example.supabase.co', 'anon'))
  try {
    await avolve.consent.record('terms_of_service', ['v1'])
    return await avolve.tokens.balance('GEN')
  } catch (e) {
    if (e instanceof InsufficientBalanceError) return e.code
    throw e
  }
}
`,
  )
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, skipLibCheck: false, types: ['node'] },
      files: ['consumer.ts'],
    }),
  )
  sh('npx', ['tsc', '-p', 'tsconfig.json'], app)
  console.log('typecheck ok (NodeNext, both adapters)')
  // Apps that still resolve modules as Node 10 did (`moduleResolution: node`) find the subpaths' types through typesVersions.
  writeFileSync(
    join(app, 'tsconfig.node10.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'CommonJS',
        moduleResolution: 'node10',
        target: 'ES2022',
        noEmit: true,
        skipLibCheck: false,
        esModuleInterop: true,
        types: ['node'],
        ignoreDeprecations: '5.0',
      },
      files: ['consumer.ts'],
    }),
  )
  sh('npx', ['tsc', '-p', 'tsconfig.node10.json'], app)
  console.log('typecheck ok (moduleResolution node10, both adapters)')
} finally {
  rmSync(dir, { recursive: true, force: true })
}
