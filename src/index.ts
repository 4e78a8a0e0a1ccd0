/**
 * @avolve/db: the typed data-access SDK for the Avolve platform's Supabase database.
 *
 * This entry is browser-safe and adapter-neutral: the types and vocabularies generated from the
 * migrations, the zod schemas of every input, the error classes and the repository interfaces.
 * Server code imports `@avolve/db/server`; browser apps `@avolve/db/client`.
 * @packageDocumentation
 */
export * from './generated/index.js'
export * from './errors/index.js'
export * from './schemas/index.js'
export type * from './repositories/index.js'
