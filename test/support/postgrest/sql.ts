/** PostgREST's escapeIdent: always quoted, inner quotes doubled. Used only on names from the catalog. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** Collects bind values; `add` returns the placeholder. Values are sent untyped, like PostgREST's `unknown` params. */
export class Params {
  readonly values: string[] = []
  add(value: string): string {
    return `$${this.values.push(value)}`
  }
}
