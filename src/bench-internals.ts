/**
 * Internal pieces the benchmarks time on the built package (bench/overhead-probe.mjs). Not a public
 * entry: not in the package's exports map.
 */
export { classifyDatabaseError, InsufficientBalanceError } from './errors/index.js'
export { parseInput } from './errors/validation.js'
export { decodeRow } from './repositories/row-codec.js'
export { recordConsentInputSchema, transferInputSchema } from './schemas/index.js'
