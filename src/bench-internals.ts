/**
 * Internal pieces the benchmarks time on the built package (bench/overhead-probe.mjs). Not a public
 * entry: not in the package's exports map.
 */
export { InsufficientBalanceError } from './errors/avolve-error.js'
export { classifyDatabaseError } from './errors/database-errors.js'
export { parseInput } from './errors/validation.js'
export { decodeRow } from './repositories/row-codec.js'
export { recordConsentInputSchema, transferInputSchema } from './schemas/index.js'
