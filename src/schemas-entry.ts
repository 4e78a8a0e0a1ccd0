/**
 * @avolve/db/schemas: the zod schemas of every SDK input and the generated vocabularies they are
 * built from, for forms and API handlers that validate without the SDK itself.
 * @packageDocumentation
 */
export * from './schemas/index.js'
export * from './generated/vocabularies.js'
