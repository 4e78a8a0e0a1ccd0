import type { Catalog } from '../catalog/types.js'
import { key } from './ts.js'

/**
 * src/generated/columns.ts: each relation's columns and their database types, so both adapters can
 * select every column and bring exact numbers and timestamps as text.
 */
export function emitColumns(catalog: Catalog): string {
  const lines = ["/** Each relation's columns with their database type (`[]` marks an array). */", 'export const relationColumns = {']
  for (const r of catalog.relations) {
    const name = r.schema === 'public' ? r.name : `${r.schema}.${r.name}`
    lines.push(`  ${key(name)}: {`)
    for (const c of r.columns) lines.push(`    ${key(c.name)}: '${c.type.name}${c.type.array ? '[]' : ''}',`)
    lines.push('  },')
  }
  lines.push('} as const', '', 'export type RelationName = keyof typeof relationColumns', '')
  return lines.join('\n')
}
