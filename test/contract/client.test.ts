import { clientEnv } from './env.js'
import { contractSuite } from './suite.js'

contractSuite(clientEnv())
