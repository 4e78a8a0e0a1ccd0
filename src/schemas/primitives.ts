import { z } from 'zod'
import { timestampInput } from '../values/timestamp.js'

/** A UUID in the 8-4-4-4-12 hex form (any version: the database accepts them all). */
export const uuidSchema = z
  .string({ error: 'expected a UUID string' })
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { error: 'expected a UUID like 123e4567-e89b-12d3-a456-426614174000' })
  .transform((s) => s.toLowerCase())

/** Text PostgreSQL can store: no NUL characters. */
export const storableText = z
  .string({ error: 'expected a string' })
  .refine((s) => !s.includes('\u0000'), { error: 'text cannot contain NUL (\\u0000) characters' })

/** A point in time: an ISO 8601 string with an offset, or a Date; normalised to canonical UTC. */
export const timestampInputSchema = z
  .union([z.iso.datetime({ offset: true, error: 'expected an ISO 8601 timestamp with an offset, like 2026-12-01T09:00:00Z' }), z.date()])
  .transform((v, ctx) => {
    try {
      return timestampInput(v)
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a valid timestamp' })
      return z.NEVER
    }
  })
