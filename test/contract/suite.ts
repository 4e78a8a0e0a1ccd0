import { describe } from 'vitest'
import { consentContract } from './consent.contract.js'
import type { ContractEnv } from './env.js'
import { errorsContract } from './errors.contract.js'
import { tokensContract } from './tokens.contract.js'

/** The one contract both adapters implement: same inputs, same results, same typed errors. */
export function contractSuite(env: ContractEnv): void {
  describe(`contract: ${env.adapter}`, () => {
    consentContract(env)
    tokensContract(env)
    errorsContract(env)
  })
}
