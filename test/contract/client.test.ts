import { describe } from 'vitest'
import type { PostgrestVersion } from '../support/postgrest/server.js'
import { clientEnv } from './env.js'
import { contractSuite } from './suite.js'

// The oldest and the newest supported PostgREST lines (README, "Supported PostgREST versions"): 12.2
// reports an expired token as PGRST301, 14 as PGRST303. Every error form of 13 is 12.2's or 14's
// (test/postgrest-parity covers 13 case by case), so two runs keep CI time small.
const versions: PostgrestVersion[] = ['12.2', '14']

describe.each(versions)('PostgREST %s', (version) => {
  contractSuite(clientEnv(version))
})
