import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { packageRoot } from '../../src/tooling/migrations.js'
import { budget, measureClient, readmeLine } from '../../scripts/client-size.js'

describe('the browser bundle (@avolve/db/client)', () => {
  it('holds no pg, no Kysely, no jose and no Node built-ins', async () => {
    const size = await measureClient()
    expect(size.forbiddenInputs).toEqual([])
    expect(size.inputs.some((i) => i.includes('src/adapters/supabase/'))).toBe(true)
  })

  it('stays within its gzip budget, and the README states the current figure', async () => {
    const size = await measureClient()
    expect(size.gzipBytes).toBeLessThanOrEqual(budget.gzipBytes)
    expect(readFileSync(join(packageRoot(), 'README.md'), 'utf8')).toContain(readmeLine(size))
  })
})
