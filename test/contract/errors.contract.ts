import { describe, expect, it } from 'vitest'
import { NotAuthenticatedError, ValidationError } from '../../src/index.js'
import { expectAvolveError } from '../support/expect-error.js'
import type { ContractEnv } from './env.js'

/** Errors that depend on how the adapter talks to the database: the same class and code on both. */
export function errorsContract(env: ContractEnv): void {
  describe('errors', () => {
    it('an expired access token gets nothing (NotAuthenticatedError, token_expired)', async () => {
      const [alice] = await env.users(1)
      await env.service().tokens.mint({ to: alice!.id, tokenType: 'GEN', amount: '5' })
      const call = env.withExpiredToken(alice!.id).then((s) => s.tokens.balances())
      await expectAvolveError(call, NotAuthenticatedError, 'token_expired')
    })

    it('validation issues are the same, path and message', async () => {
      const [alice] = await env.users(1)
      // A wide number, as from JavaScript: the literal 0.5 would not compile (CheckedAmount).
      const error = await expectAvolveError(alice!.scope.tokens.transfer({ to: 'x', tokenType: 'GEN', amount: 0.5 as number }), ValidationError, 'validation_failed')
      expect(error.issues.map((i) => i.path.join('.')).sort()).toEqual(['amount', 'to'])
      expect(error.message).toMatch(/^invalid transfer: /)
    })
  })
}
