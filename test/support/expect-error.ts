import { expect } from 'vitest'
import type { AvolveError } from '../../src/index.js'

type ErrorClass<E> = abstract new (...args: never[]) => E

/** Awaits `promise`, expecting it to reject with an instance of `cls` whose code is `code`. */
export async function expectAvolveError<E extends AvolveError>(promise: Promise<unknown>, cls: ErrorClass<E>, code: string): Promise<E> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected ${cls.name} (${code}), but the call succeeded with ${JSON.stringify(value)}`)
    },
    (e: unknown) => e,
  )
  expect(error, String(error)).toBeInstanceOf(cls)
  expect((error as AvolveError).code, (error as Error).message).toBe(code)
  return error as E
}
