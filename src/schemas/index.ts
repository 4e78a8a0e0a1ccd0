/** zod schemas of every SDK input, for reuse in forms. They accept exactly what the SDK accepts. */
export { amountSchema, type AmountInput } from './amount.js'
export { userClaimsSchema, type UserClaims } from './auth.js'
export * from './consent.js'
export { limits } from './limits.js'
export { cursorSchema, pageSizeSchema, type CursorPosition, type Page } from './pagination.js'
export { storableText, timestampInputSchema, uuidSchema } from './primitives.js'
export * from './tokens.js'
