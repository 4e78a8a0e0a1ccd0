export * from './avolve-error.js'
export { errorClassByName, errorFromDatabase, type DatabaseErrorFields } from './database-errors.js'
export { parseInput, validationErrorFrom } from './validation.js'
