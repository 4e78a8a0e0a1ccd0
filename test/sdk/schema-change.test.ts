import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { packageRoot } from '../../src/tooling/migrations.js'

const run = promisify(execFile)
const root = packageRoot()
let copy: string

/** An app's code using the SDK: each line below depends on one thing the schema says. */
const consumer = `
import type { UserScope } from './src/server.js'
declare const me: UserScope
export async function useTheSdk() {
  await me.consent.record('governance_proposal', ['v1'])
  const tx = await me.tokens.transfer({ to: 'someone', tokenType: 'GEN', amount: '1' })
  return tx.memo
}
`

async function typecheck(): Promise<string> {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  return run(process.execPath, [tsc, '-p', join(copy, 'tsconfig.check.json')], { cwd: copy }).then(
    () => '',
    (e: { stdout: string }) => e.stdout,
  )
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'avolve-schema-change-'))
  for (const dir of ['src', 'codegen', 'migrations', 'supabase-base']) cpSync(join(root, dir), join(copy, dir), { recursive: true })
  cpSync(join(root, 'package.json'), join(copy, 'package.json'))
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'))
  writeFileSync(join(copy, 'consumer.ts'), consumer)
  writeFileSync(join(copy, 'tsconfig.check.json'), JSON.stringify({ extends: join(root, 'tsconfig.json'), compilerOptions: { noEmit: true }, include: ['src', 'consumer.ts'] }))
})
afterAll(() => rmSync(copy, { recursive: true, force: true }))

// Codegen and the compiler run twice: on a loaded shared machine that takes longer than the default.
describe('a schema change, regenerated, shows every affected call site', { timeout: 180_000 }, () => {
  it('compiles against the current schema', async () => {
    expect(await typecheck()).toBe('')
  })

  it('after a migration that retires an interaction type and renames a column, the compiler names both call sites', async () => {
    writeFileSync(
      join(copy, 'migrations', '20991231000000_schema_change_probe.sql'),
      `delete from public.consent_interaction_types where code = 'governance_proposal';\n` + `alter table public.token_transactions rename column memo to note;\n`,
    )
    writeFileSync(join(copy, 'migrations', 'rollback', '20991231000000_schema_change_probe.sql'), `select 1;\n`)
    await run(process.execPath, ['--import', 'tsx', 'codegen/cli.ts', '--database-url', inject('database').serverUrl], { cwd: copy })
    const errors = await typecheck()
    expect(errors).toMatch(/consumer\.ts\(5,\d+\): error TS2345: Argument of type '"governance_proposal"'/)
    expect(errors).toMatch(/consumer\.ts\(7,\d+\): error TS2339: Property 'memo' does not exist/)
  })
})
