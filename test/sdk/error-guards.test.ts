import { describe, expect, expectTypeOf, it } from 'vitest'
import * as ours from '../../src/errors/avolve-error.js'
import { autoRetriedCodes } from '../../src/retry/backoff.js'
import { sdkErrorCodes } from '../../src/errors/codes.js'
import { databaseErrorCodes } from '../../src/generated/error-codes.js'

// A second copy of the module, as an app gets when it loads both the ESM and the CJS build.
const copyUrl = new URL('../../src/errors/avolve-error.ts?second-copy', import.meta.url).href
const theirs = (await import(/* @vite-ignore */ copyUrl)) as typeof ours

describe('error guards across two copies of the package', () => {
  const foreign = new theirs.InsufficientBalanceError({ code: 'insufficient_balance', message: 'not enough GEN' })

  it('instanceof fails across the copies, which is why the guard exists', () => {
    expect(theirs.InsufficientBalanceError).not.toBe(ours.InsufficientBalanceError)
    expect(foreign instanceof ours.InsufficientBalanceError).toBe(false)
  })

  it('isAvolveError recognises the class and its ancestors, from either copy', () => {
    expect(ours.isAvolveError(foreign)).toBe(true)
    expect(ours.isAvolveError(foreign, ours.InsufficientBalanceError)).toBe(true)
    expect(ours.isAvolveError(foreign, ours.AvolveError)).toBe(true)
    expect(theirs.isAvolveError(new ours.ValidationError({ code: 'validation_failed', message: 'x' }), theirs.ValidationError)).toBe(true)
  })

  it('and refuses other classes and other things', () => {
    expect(ours.isAvolveError(foreign, ours.ValidationError)).toBe(false)
    expect(ours.isAvolveError(new ours.TransientError({ code: 'lock_timeout', message: 'x' }), ours.InsufficientBalanceError)).toBe(false)
    for (const other of [new Error('x'), { code: 'insufficient_balance' }, null, undefined, 'insufficient_balance']) expect(ours.isAvolveError(other)).toBe(false)
  })

  it('narrows the type', () => {
    const e: unknown = foreign
    if (ours.isAvolveError(e, ours.IdempotencyConflictError)) expectTypeOf(e.fields).toEqualTypeOf<readonly string[]>()
    if (ours.isAvolveError(e)) expectTypeOf(e.code).toEqualTypeOf<ours.AvolveErrorInit['code']>()
  })
})

describe('codes are one union', () => {
  it('the SDK coins no code the database also names, and retries only listed codes', () => {
    const database = new Set<string>(databaseErrorCodes.map((c) => c.name))
    expect(sdkErrorCodes.filter((c) => database.has(c))).toEqual([])
    const known = new Set<string>([...sdkErrorCodes, ...database])
    expect([...autoRetriedCodes].filter((c) => !known.has(c))).toEqual([])
  })
})
