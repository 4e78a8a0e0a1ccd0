// `npm run codegen [-- --check] [--database-url URL] [--out-dir DIR]`: the CLI's `avolve-db codegen`
// (src/cli/commands/codegen.ts), which runs codegen/run-codegen.ts with its progress.
import { main } from '../src/cli/main.js'

process.exit(await main(['codegen', ...process.argv.slice(2)]))
