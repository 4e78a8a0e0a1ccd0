import type { TokenCode } from '../generated/vocabularies.js'
import type { TokenType, TokenTypeNode } from './records.js'

/**
 * The 3-6-9 token catalog, read from public.token_types.
 *
 * @example
 * ```ts
 * import { createAvolveClient } from '@avolve/db/client'
 *
 * const catalog = createAvolveClient(supabase).tokenTypes // on the server: (await db.asUser(token)).tokenTypes
 * ```
 */
export interface TokenTypeCatalog {
  /**
   * Every token type, by tier then code, each with its children's codes.
   * @example
   * ```ts
   * const all = await me.tokenTypes.list()
   * // [{ code: 'GEN', tier: 3, parent_code: null, children: ['SAP', 'SCQ'], … }, { code: 'SAP', tier: 6, … }, …]
   * ```
   */
  list(): Promise<TokenType[]>
  /**
   * One token type.
   * @throws ValidationError (`unknown_token_type`) when there is no such code.
   * @example
   * ```ts
   * const sap = await me.tokenTypes.get('SAP') // { code: 'SAP', tier: 6, parent_code: 'GEN', children: ['BSP', 'PSP', 'SMS'], … }
   * ```
   */
  get(code: TokenCode): Promise<TokenType>
  /**
   * The root (tier 3) with its descendants nested: GEN → SAP, SCQ → their tier-9 tokens.
   * @example
   * ```ts
   * const root = await me.tokenTypes.tree() // { code: 'GEN', children: [{ code: 'SAP', children: [{ code: 'BSP', children: [] }, …] }, …], … }
   * ```
   */
  tree(): Promise<TokenTypeNode>
}
