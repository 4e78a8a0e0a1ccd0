import { serverEnv } from './env.js'
import { contractSuite } from './suite.js'

contractSuite(serverEnv())
