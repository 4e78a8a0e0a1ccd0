/**
 * Compares this project's generated supabase-js `Database` type with the official generator's
 * (`supabase gen types typescript`) for the same database: both files are parsed with TypeScript and
 * every declaration is brought to a canonical form (member order, quotes, separators, parentheses
 * and union order do not count), then compared member by member down the `Database` type.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import ts from 'typescript'
import { packageRoot } from '../../src/tooling/migrations.js'

/** One difference: where, and the canonical type on each side (`undefined`: absent on that side). */
export interface TypeDifference {
  path: string
  ours: string | undefined
  official: string | undefined
}

/** A narrowing: a difference where ours names a vocabulary union (or enum) where the official type has `string`/`number`. */
export interface Narrowing {
  path: string
  /** The union or enum ours uses (`TokenCode`, `Database['public']['Enums']['consent_status']`). */
  to: string
}

const run = promisify(execFile)

/**
 * Runs the official generator (the `supabase` CLI this package has as a dev dependency; no Docker)
 * on the database at `url` and returns its TypeScript.
 */
export async function officialDatabaseType(url: string, schema = 'public'): Promise<string> {
  const bin = join(packageRoot(), 'node_modules', '.bin', 'supabase')
  const { stdout } = await run(bin, ['gen', 'types', 'typescript', `--remote=${url}`, '--schema', schema], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, DO_NOT_TRACK: '1', SUPABASE_TELEMETRY_DISABLED: '1' },
    timeout: 90_000,
  })
  // The CLI may print a notice (about TLS) before the code.
  const start = stdout.indexOf('export type Json')
  if (start < 0) throw new Error(`the official generator printed no types:\n${stdout.slice(0, 2000)}`)
  return stdout.slice(start)
}

type Tree = { kind: 'object'; members: Map<string, { optional: boolean; value: Tree }> } | { kind: 'leaf'; text: string }

function propertyName(name: ts.PropertyName | ts.BindingName): string {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text
  return name.getText()
}

/** A canonical text for any type node: what TypeScript means, not how it is written. */
function canon(node: ts.Node): string {
  if (ts.isParenthesizedTypeNode(node)) return canon(node.type)
  if (ts.isUnionTypeNode(node)) return [...new Set(node.types.map(canon))].sort().join(' | ')
  if (ts.isIntersectionTypeNode(node)) return node.types.map(canon).join(' & ')
  if (ts.isLiteralTypeNode(node)) return ts.isStringLiteral(node.literal) ? JSON.stringify(node.literal.text) : node.literal.getText()
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return JSON.stringify(node.text)
  if (ts.isArrayTypeNode(node)) {
    const inner = canon(node.elementType)
    return inner.includes(' ') ? `(${inner})[]` : `${inner}[]`
  }
  if (ts.isTypeLiteralNode(node)) {
    const members = node.members.map((m) => {
      if (ts.isPropertySignature(m) && m.name) return `${JSON.stringify(propertyName(m.name))}${m.questionToken ? '?' : ''}: ${m.type ? canon(m.type) : 'any'}`
      return canon(m)
    })
    return `{ ${members.sort().join('; ')} }`
  }
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText()
    return node.typeArguments ? `${name}<${node.typeArguments.map(canon).join(', ')}>` : name
  }
  if (ts.isTupleTypeNode(node)) return `[${node.elements.map(canon).join(', ')}]`
  if (ts.isObjectLiteralExpression(node)) {
    return `{ ${node.properties
      .map((p) => (ts.isPropertyAssignment(p) ? `${JSON.stringify(propertyName(p.name))}: ${canon(p.initializer)}` : canon(p)))
      .sort()
      .join('; ')} }`
  }
  if (ts.isArrayLiteralExpression(node)) return `[${node.elements.map(canon).join(', ')}]`
  if (ts.isAsExpression(node)) return `${canon(node.expression)} as ${canon(node.type)}`
  if (ts.isIndexedAccessTypeNode(node)) return `${canon(node.objectType)}[${canon(node.indexType)}]`
  if (ts.isTypeOperatorNode(node)) return `${ts.tokenToString(node.operator)} ${canon(node.type)}`
  if (ts.isIdentifier(node)) return node.text
  const parts: string[] = []
  ts.forEachChild(node, (child) => {
    parts.push(canon(child))
  })
  const kind = ts.SyntaxKind[node.kind]
  return parts.length ? `${kind}(${parts.join(', ')})` : node.getText() || kind
}

function tree(node: ts.TypeNode): Tree {
  if (ts.isTypeLiteralNode(node) && node.members.every((m) => ts.isPropertySignature(m))) {
    const members = new Map<string, { optional: boolean; value: Tree }>()
    for (const m of node.members as ts.NodeArray<ts.PropertySignature>) {
      members.set(propertyName(m.name), { optional: !!m.questionToken, value: m.type ? tree(m.type) : { kind: 'leaf', text: 'any' } })
    }
    return { kind: 'object', members }
  }
  return { kind: 'leaf', text: canon(node) }
}

function render(t: Tree): string {
  if (t.kind === 'leaf') return t.text
  return `{ ${[...t.members].map(([k, m]) => `${k}${m.optional ? '?' : ''}: ${render(m.value)}`).join('; ')} }`
}

/** The top-level declarations of a file, by name: type aliases as trees, everything else canonical. */
function declarations(source: string): Map<string, Tree> {
  const file = ts.createSourceFile('types.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const out = new Map<string, Tree>()
  for (const s of file.statements) {
    if (ts.isTypeAliasDeclaration(s)) {
      const params = s.typeParameters?.map(canon).join(', ')
      out.set(s.name.text, params ? { kind: 'leaf', text: `<${params}> ${canon(s.type)}` } : tree(s.type))
    } else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) out.set(propertyName(d.name), { kind: 'leaf', text: d.initializer ? canon(d.initializer) : '' })
    } else if (ts.isInterfaceDeclaration(s)) {
      out.set(s.name.text, { kind: 'leaf', text: canon(s) })
    }
  }
  return out
}

function diffTrees(path: string, ours: Tree | undefined, official: Tree | undefined, out: TypeDifference[]): void {
  if (ours?.kind === 'object' && official?.kind === 'object') {
    for (const key of new Set([...ours.members.keys(), ...official.members.keys()])) {
      const a = ours.members.get(key)
      const b = official.members.get(key)
      const sub = `${path}.${key}`
      if (a && b && a.optional !== b.optional) out.push({ path: sub, ours: `${a.optional ? 'optional' : 'required'}`, official: `${b.optional ? 'optional' : 'required'}` })
      diffTrees(sub, a?.value, b?.value, out)
    }
    return
  }
  const a = ours && render(ours)
  const b = official && render(official)
  if (a !== b) out.push({ path, ours: a, official: b })
}

/**
 * Every difference between the two files' declarations (imports aside), down to single members of
 * `Database`: `Database.public.Tables.token_balances.Row.token_type: TokenCode vs string`.
 */
export function compareDatabaseTypes(oursSource: string, officialSource: string): TypeDifference[] {
  const ours = declarations(oursSource)
  const official = declarations(officialSource)
  const out: TypeDifference[] = []
  for (const name of new Set([...ours.keys(), ...official.keys()])) diffTrees(name, ours.get(name), official.get(name), out)
  return out
}

/**
 * The narrowing a difference is, if it is one: ours names `union` (or an enum of the schema) where
 * the official type has `string` or `number`, the same otherwise (nullability, arrays).
 */
export function asNarrowing(d: TypeDifference, unions: readonly string[]): Narrowing | undefined {
  if (d.ours === undefined || d.official === undefined) return undefined
  const enumRef = /Database\["\w+"\]\["Enums"\]\["\w+"\]/.source
  for (const to of [...unions, ...(d.ours.match(new RegExp(enumRef)) ?? [])]) {
    for (const base of ['string', 'number']) {
      const widened = d.ours.split(to).join(base)
      const normalise = (t: string) => t.split(' | ').sort().join(' | ')
      if (widened !== d.ours && normalise(widened) === normalise(d.official)) return { path: d.path, to }
    }
  }
  return undefined
}
