/**
 * @avolve/db: the typed data-access SDK for the Avolve platform's Supabase database.
 *
 * This entry is browser-safe: the types and vocabularies generated from the migrations.
 * @packageDocumentation
 */
export * from './generated/index.js'
