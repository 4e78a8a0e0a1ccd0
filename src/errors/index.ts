export * from './avolve-error.js'
export * from './codes.js'
