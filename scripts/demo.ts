// `npm run demo`: the main job, now the CLI's `avolve-db demo` (src/cli/commands/demo.ts). Its options
// pass through: `npm run demo -- --allow-external` runs on the server DATABASE_URL names.
import { main } from '../src/cli/main.js'
process.exit(await main(['demo', ...process.argv.slice(2)]))
