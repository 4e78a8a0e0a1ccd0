import type { TokenCode } from '../generated/vocabularies.js'
import type { TokenType, TokenTypeNode, TokenTypeRow } from './records.js'

/** Orders token types by tier then code and links each to its children. */
export function shapeCatalog(rows: readonly TokenTypeRow[]): TokenType[] {
  const sorted = [...rows].sort((a, b) => a.tier - b.tier || a.code.localeCompare(b.code))
  return sorted.map((t) => ({ ...t, children: sorted.filter((c) => c.parent_code === t.code).map((c) => c.code as TokenCode) }))
}

/** The root with every descendant nested under its parent. */
export function catalogTree(types: readonly TokenType[]): TokenTypeNode {
  const root = types.find((t) => t.parent_code === null)
  if (!root) throw new Error('the token catalog has no root (tier 3) token type')
  const byParent = (code: string): TokenTypeNode[] => types.filter((t) => t.parent_code === code).map(({ children: _children, ...row }) => ({ ...row, children: byParent(row.code) }))
  const { children: _children, ...row } = root
  return { ...row, children: byParent(root.code) }
}
