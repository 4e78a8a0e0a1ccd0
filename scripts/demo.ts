// `npm run demo`: the main job, now the CLI's `avolve-db demo` (src/cli/commands/demo.ts).
import { main } from '../src/cli/main.js'
process.exit(await main(['demo']))
