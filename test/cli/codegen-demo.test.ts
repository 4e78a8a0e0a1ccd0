import { describe, expect, it } from 'vitest'
import { runCli, serverUrl } from './run-cli.js'

describe('avolve-db codegen', () => {
  it('--check passes with its progress (on the test server, no server of its own)', async () => {
    const run = await runCli(['codegen', '--check', '--database-url', serverUrl()])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^codegen: connecting to DATABASE_URL/m)
    expect(run.stdout).toMatch(/^codegen: applying the Supabase base and \d+ migrations/m)
    expect(run.stdout).toMatch(/^codegen: generating types from the catalog/m)
    expect(run.stdout).toMatch(/^codegen: generated code is up to date with migrations\/ \(\d+ files\)/m)
  })
})

// `npm run demo` (scripts/demo.ts) and `avolve-db demo` are one program: each starts its own
// embedded PostgreSQL, and both print the same, but for the ids, times and port.
describe('avolve-db demo', () => {
  const normalise = (out: string) =>
    out
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
      .replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, '<time>')
      .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')

  it('runs the main job end to end, as `npm run demo` does', async () => {
    const [cli, script] = await Promise.all([runCli(['demo']), runCli([], { script: 'scripts/demo.ts' })])
    for (const run of [cli, script]) {
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
    }
    expect(normalise(cli.stdout)).toBe(normalise(script.stdout))
    const out = cli.stdout
    expect(out).toMatch(/^▸ starting an embedded PostgreSQL 17$/m)
    expect(out).toMatch(/^ {2}✓ 20261201090000_private_schema$/m)
    expect(out).toMatch(/^ {2}Alice: approved consent \S+ at \S+$/m)
    expect(out).toContain("Alice's balances: 69.5 GEN")
    expect(out).toContain("Bob's balances: 30.5 GEN")
    expect(out).toMatch(/refused: InsufficientBalanceError \(insufficient_balance, SQLSTATE VT006\)/)
    expect(out).toMatch(/refused: NotFoundError \(consent_not_found\)/)
    expect(out).toContain("Alice's list shows 0 of Bob's records")
    expect(out.trimEnd().endsWith('done.')).toBe(true)
  })
})
