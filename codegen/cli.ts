import { parseArgs } from 'node:util'
import { runCodegen } from './run-codegen.js'

/** `npm run codegen [-- --check] [--database-url URL] [--out-dir DIR]` */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { check: { type: 'boolean', default: false }, 'database-url': { type: 'string' }, 'out-dir': { type: 'string' } },
    allowPositionals: false,
  })
  const started = Date.now()
  const log = (m: string) => console.log(`codegen: ${m} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  const result = await runCodegen({ check: values.check, databaseUrl: values['database-url'], outDir: values['out-dir'], log })
  if (!values.check) return 0
  if (result.changed.length === 0) {
    log(`generated code is up to date with migrations/ (${result.files.length} files)`)
    return 0
  }
  console.error(
    `codegen: generated code is stale; these files differ from what migrations/ produce:\n` +
      result.changed.map((f) => `  ${f}`).join('\n') +
      `\nRun \`npm run codegen\` and commit the result.`,
  )
  return 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`codegen failed: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  },
)
