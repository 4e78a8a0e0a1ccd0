import { z } from 'zod'
import { ValidationError } from './avolve-error.js'

/** The ValidationError for inputs a zod schema refused, before any request was made. */
export function validationErrorFrom(error: z.ZodError, what: string): ValidationError {
  const issues = error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message, code: i.code }))
  const first = issues[0]
  const where = first?.path.length ? `${first.path.join('.')}: ` : ''
  return new ValidationError({
    code: 'validation_failed',
    message: `invalid ${what}: ${where}${first?.message ?? 'refused'}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
    issues,
    cause: error,
  })
}

const compiledSchemas = new WeakMap<z.ZodType, z.ZodType>()

/**
 * `schema` with zod's compiled fast path (`z.compile`, zod 4.5 and later: the same results and the
 * same issues, faster), built on first use. Older zod, or a page whose CSP forbids
 * `new Function`, gets the schema itself.
 */
function compiled<S extends z.ZodType>(schema: S): S {
  let fast = compiledSchemas.get(schema)
  if (fast === undefined) compiledSchemas.set(schema, (fast = typeof z.compile === 'function' ? z.compile(schema) : schema))
  return fast as S
}

/** Parses `input` with `schema`, throwing a ValidationError that names `what` was invalid. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = compiled(schema).safeParse(input)
  if (!result.success) throw validationErrorFrom(result.error, what)
  return result.data
}
