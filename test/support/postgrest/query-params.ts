import { notImplemented, pgrstError } from './errors.js'

/** A field of `select`: a column (or `*`) with an optional alias and cast. */
export interface SelectItem {
  column: string
  alias?: string
  cast?: string
}

export type Operation = { kind: 'in'; values: string[] } | { kind: 'is'; value: 'null' | 'not_null' | 'true' | 'false' | 'unknown' } | { kind: 'compare'; op: string; value: string }

export interface Filter {
  column: string
  negate: boolean
  operation: Operation
}

export type LogicTree = { filter: Filter } | { negate: boolean; op: 'and' | 'or'; children: LogicTree[] }

export interface OrderTerm {
  column: string
  direction?: 'asc' | 'desc'
  nulls?: 'nullsfirst' | 'nullslast'
}

export interface QueryParams {
  select: SelectItem[]
  /** Top-level filters and and/or trees, ANDed together. */
  where: LogicTree[]
  order: OrderTerm[]
  limit?: string
  offset?: string
  /** GET /rpc/fn: parameters without an operator are the function's arguments. */
  args: [string, string][]
}

/** The comparison operators (QueryParams.hs) and their SQL; quantifiers `(any)`/`(all)` are not supported. */
export const operators: Record<string, string> = {
  eq: '=',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  neq: '<>',
  like: 'like',
  ilike: 'ilike',
  match: '~',
  imatch: '~*',
  cs: '@>',
  cd: '<@',
  ov: '&&',
  sl: '<<',
  sr: '>>',
  nxr: '&<',
  nxl: '&>',
  adj: '-|-',
  isdistinct: 'IS DISTINCT FROM',
}
const isValues = ['null', 'not_null', 'true', 'false', 'unknown'] as const

/** A position in one parameter's text; failures are PGRST100 in Parsec's "(line 1, column n)" form. */
class Cursor {
  i = 0
  constructor(
    readonly text: string,
    readonly what: string,
  ) {}
  get rest() {
    return this.text.slice(this.i)
  }
  eat(s: string): boolean {
    const ok = this.text.startsWith(s, this.i)
    if (ok) this.i += s.length
    return ok
  }
  take(re: RegExp): string {
    const sticky = new RegExp(re.source, 'uy')
    sticky.lastIndex = this.i
    const found = sticky.exec(this.text)?.[0] ?? ''
    this.i += found.length
    return found
  }
  done = () => this.i >= this.text.length
  /** The details only approximate Parsec's wording; code, status and message form are PostgREST's. */
  fail(expecting: string): never {
    const next = this.done() ? 'end of input' : JSON.stringify(this.text[this.i])
    throw pgrstError(400, 'PGRST100', `"failed to parse ${this.what} (${this.text})" (line 1, column ${this.i + 1})`, `unexpected ${next} ${expecting}`)
  }
}

/** pQuotedValue: `"..."` with `\` escapes. */
function quoted(c: Cursor): string {
  c.eat('"')
  const value = c.take(/(?:[^\\"]|\\.)*/).replace(/\\(.)/gu, '$1')
  if (!c.eat('"')) c.fail('expecting "\\""')
  return value
}

/** pField: a quoted name, or [letters digits _ space $] joined by dashes; JSON paths are out of scope. */
function field(c: Cursor): string {
  c.take(/[ \t]*/)
  const name =
    c.text[c.i] === '"'
      ? quoted(c)
      : c
          .take(/[\p{L}0-9_ $]+(?:-(?!>)[\p{L}0-9_ $]+)*/u)
          .split('-')
          .map((p) => p.trim())
          .join('-')
  if (name === '') c.fail('expecting field name (* or [a..z0..9_$])')
  if (c.rest.startsWith('->')) throw notImplemented('JSON path operators (->, ->>)')
  c.take(/[ \t]*/)
  return name
}

/** A value inside `in.(...)` or `or=(...)`: quoted if a `,` or `)` follows the quote, else up to `,` or `)`. */
function element(c: Cursor, allowArray: boolean): string {
  const start = c.i
  if (c.text[c.i] === '"') {
    const value = quoted(c)
    if (c.done() || ',)'.includes(c.text[c.i]!)) return value
    c.i = start
  }
  // pLogicSingleVal also takes a `{...}` array literal whole, commas included.
  return (allowArray && c.take(/\{[^{}]*\}/)) || c.take(/[^,)]*/)
}

/** pOpExpr: `[not.]op.value`; `value` reads the single value (at top level, the whole rest). */
function opExpr(c: Cursor, value: (c: Cursor) => string): { negate: boolean; operation: Operation } {
  const negate = c.eat('not.')
  const start = c.i
  const op = c.take(/[a-z]+/)
  if (op === 'in' && c.eat('.')) {
    c.take(/[ \t]*/)
    if (!c.eat('(')) c.fail('expecting "("')
    const values: string[] = []
    do values.push(element(c, false))
    while (c.eat(','))
    if (!c.eat(')')) c.fail('expecting "," or ")"')
    return { negate, operation: { kind: 'in', values } }
  }
  if (op === 'is' && c.eat('.')) {
    const v = isValues.find((x) => x === c.take(/[A-Za-z_]+/).toLowerCase())
    if (!v) c.fail('expecting isVal: (null, not_null, true, false, unknown)')
    return { negate, operation: { kind: 'is', value: v } }
  }
  if (['fts', 'plfts', 'phfts', 'wfts'].includes(op)) throw notImplemented('Full-text search operators')
  if (op in operators && c.eat('.')) return { negate, operation: { kind: 'compare', op, value: value(c) } }
  c.i = start
  c.fail(`expecting ${negate ? '' : '"not" or '}operator (eq, gt, ...)`)
}

/** pLogicTree: a filter `field.op.value`, or `[not.]and(...)` / `[not.]or(...)`, nested. */
function logicTree(c: Cursor): LogicTree {
  const start = c.i
  const negate = c.eat('not.')
  const op = c.eat('and') ? 'and' : c.eat('or') ? 'or' : undefined
  if (op && c.eat('(')) {
    const children: LogicTree[] = []
    do children.push(logicTree(c))
    while (c.eat(','))
    if (!c.eat(')')) c.fail('expecting "," or ")"')
    return { negate, op, children }
  }
  c.i = start
  const column = field(c)
  if (!c.eat('.')) c.fail('expecting delimiter (.)')
  return { filter: { column, ...opExpr(c, (c) => element(c, true)) } }
}

/** pFieldForest without embedding: `*`, `col`, `alias:col`, `col::type`; aggregates are disabled on Supabase. */
function selectList(text: string): SelectItem[] {
  const c = new Cursor(text, 'select parameter')
  const items: SelectItem[] = []
  while (!c.done()) {
    c.take(/[ \t]*/)
    if (c.eat('*')) items.push({ column: '*' })
    else {
      if (c.rest.startsWith('...')) throw notImplemented('Spreading embedded resources (...)')
      const start = c.i
      let alias: string | undefined = field(c)
      if (!c.eat(':') || c.text[c.i] === ':') [alias, c.i] = [undefined, start]
      if (/^count\(\)/.test(c.rest)) throw pgrstError(400, 'PGRST123', 'Use of aggregate functions is not allowed')
      const column = field(c)
      if (/^[(!]/.test(c.rest)) throw notImplemented('Embedding related resources')
      const cast = c.eat('::') ? c.take(/[\p{L}0-9_ $]+/u).trim() : undefined
      if (cast === '') c.fail('expecting letter or digit')
      if (/^\.(sum|avg|count|max|min)\(\)/.test(c.rest)) throw pgrstError(400, 'PGRST123', 'Use of aggregate functions is not allowed')
      items.push({ column, ...(alias === undefined ? {} : { alias }), ...(cast === undefined ? {} : { cast }) })
    }
    c.take(/[ \t]*/)
    if (!c.done() && !c.eat(',')) c.fail('expecting "," or end of input')
  }
  return items
}

/** pOrder: `col[.asc|.desc][.nullsfirst|.nullslast],...` */
function orderList(text: string): OrderTerm[] {
  const c = new Cursor(text, 'order')
  const terms: OrderTerm[] = []
  do {
    const column = field(c)
    if (c.rest.startsWith('(')) throw notImplemented('Ordering by an embedded resource')
    const direction = c.eat('.asc') ? 'asc' : c.eat('.desc') ? 'desc' : undefined
    const nulls = c.eat('.nullsfirst') ? 'nullsfirst' : c.eat('.nullslast') ? 'nullslast' : undefined
    c.take(/[ \t]*/)
    if (!c.done() && c.text[c.i] !== ',') c.fail('expecting "asc", "desc", "nullsfirst" or "nullslast"')
    terms.push({ column, ...(direction ? { direction } : {}), ...(nulls ? { nulls } : {}) })
  } while (c.eat(','))
  return terms
}

/** Percent-decoding that leaves bad escapes as they are, as Haskell's urlDecode does. */
export function decodeComponent(s: string): string {
  return s.replace(/(%[0-9A-Fa-f]{2})+/g, (m) => {
    try {
      return decodeURIComponent(m)
    } catch {
      return m
    }
  })
}

/** HTTP.parseQueryReplacePlus: `+` is a space; keys without `=` are dropped. */
function queryPairs(search: string): [string, string][] {
  const decode = (s: string) => decodeComponent(s.replace(/\+/g, ' '))
  return search
    .replace(/^\?/, '')
    .split('&')
    .filter((p) => p.includes('='))
    .map((p) => [decode(p.slice(0, p.indexOf('='))), decode(p.slice(p.indexOf('=') + 1))])
}

/** A key with a `.` path (`rel.col`, `rel.order`) names an embedded resource: there are none here. */
function rootKey(key: string): string {
  const path = key.split('.').filter((p) => p !== 'not')
  if (path.length > 1) {
    throw pgrstError(400, 'PGRST108', `'${path[0]}' is not an embedded resource in this request`, null, `Verify that '${path[0]}' is included in the 'select' query parameter.`)
  }
  if (key.includes('->')) throw notImplemented('JSON path operators (->, ->>)')
  return key
}

/** Keys whose last `.`-segment is one of these are not filters. */
const embeddable = ['order', 'limit', 'offset', 'and', 'or']

/** Parses a query string per QueryParams.hs. `isRpcRead`: GET/HEAD /rpc, where op-less params are arguments. */
export function parseQueryParams(search: string, isRpcRead: boolean): QueryParams {
  const pairs = queryPairs(search)
  const ending = (word: string) => pairs.filter(([k]) => k.split('.').at(-1) === word).map(([k, v]) => [rootKey(k), v] as const)
  const params: QueryParams = {
    select: selectList(pairs.find(([k]) => k === 'select')?.[1] ?? '*'),
    where: [],
    order: ending('order')
      .slice(0, 1)
      .flatMap(([, v]) => orderList(v)),
    args: [],
  }
  params.limit = ending('limit').at(-1)?.[1]
  params.offset = ending('offset').at(-1)?.[1]
  for (const [key, value] of [...ending('and'), ...ending('or')]) {
    // As PostgREST: `or=(...)` is parsed as the tree `or(...)`, `not.and=(...)` as `not.and(...)`.
    const c = new Cursor(key + value, 'logic tree')
    params.where.push(logicTree(c))
    if (!c.done()) c.fail('expecting end of input')
  }
  for (const [key, value] of pairs) {
    if (['select', 'columns', 'on_conflict'].includes(key) || embeddable.includes(key.split('.').at(-1)!)) continue
    try {
      const rest = (c: Cursor) => c.rest // pSingleVal: everything after the operator, dots and quotes included
      params.where.push({ filter: { column: rootKey(key), ...opExpr(new Cursor(value, 'filter'), rest) } })
    } catch (error) {
      // GET /rpc/fn?a=1: a value that is not an operator expression is an argument (NoOpExpr).
      if (!isRpcRead) throw error
      params.args.push([key, value])
    }
  }
  return params
}
