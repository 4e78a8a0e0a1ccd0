/** Small helpers for writing TypeScript source deterministically (stable order, one quote style). */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

export function key(name: string): string {
  return IDENTIFIER.test(name) ? name : str(name)
}

export function str(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`
}

/** A literal for JSON-like data, formatted one property per line. */
export function literal(value: unknown, indent = ''): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return str(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    if (value.every((v) => typeof v !== 'object' || v === null)) return `[${value.map((v) => literal(v)).join(', ')}]`
    return `[\n${value.map((v) => `${inner}${literal(v, inner)},`).join('\n')}\n${indent}]`
  }
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.length === 0) return '{}'
  const flat = `{ ${entries.map(([k, v]) => `${key(k)}: ${literal(v)}`).join(', ')} }`
  if (flat.length + indent.length <= 100 && entries.every(([, v]) => typeof v !== 'object' || v === null)) return flat
  return `{\n${entries.map(([k, v]) => `${inner}${key(k)}: ${literal(v, inner)},`).join('\n')}\n${indent}}`
}

/** `first_second` -> `FirstSecond`. */
export function pascal(name: string): string {
  return name
    .split(/[_\s.]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('')
}

/** `first_second` -> `firstSecond`. */
export function camel(name: string): string {
  const p = pascal(name)
  return p[0]!.toLowerCase() + p.slice(1)
}

/** A doc comment: `summary`, then `example` as a fenced TypeScript block under `@example`. */
export function docComment(summary: string, example: readonly string[]): string[] {
  const safe = (line: string) => line.replace(/\*\//g, '* /')
  return ['/**', ...summary.split('\n').map((l) => ` * ${safe(l)}`), ' *', ' * @example', ' * ```ts', ...example.map((l) => (l ? ` * ${safe(l)}` : ' *')), ' * ```', ' */']
}
