export * from './avolve-error.js'
export * from './codes.js'
export { classifyDatabaseError, errorClassByName, errorFromDatabase, type DatabaseErrorFields, type ErrorClass, type ErrorMeaning } from './database-errors.js'
export { parseInput, validationErrorFrom } from './validation.js'
