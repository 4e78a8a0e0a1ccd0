import type { TokenCode } from '../generated/vocabularies.js'
import type { TokenType, TokenTypeNode } from './records.js'

/** The 3-6-9 token catalog, read from public.token_types. */
export interface TokenTypeCatalog {
  /**
   * Every token type, by tier then code, each with its children's codes.
   * @example const all = await scope.tokenTypes.list()
   */
  list(): Promise<TokenType[]>
  /**
   * One token type.
   * @throws ValidationError (`unknown_token_type`) when there is no such code.
   * @example const sap = await scope.tokenTypes.get('SAP') // tier 6, parent GEN
   */
  get(code: TokenCode): Promise<TokenType>
  /**
   * The root (tier 3) with its descendants nested: GEN → SAP, SCQ → their tier-9 tokens.
   * @example const root = await scope.tokenTypes.tree()
   */
  tree(): Promise<TokenTypeNode>
}
