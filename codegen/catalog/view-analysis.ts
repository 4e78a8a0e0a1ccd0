/**
 * What PostgREST and Supabase's type generator infer about views from their stored query trees
 * (`pg_rewrite.ev_action`, a pg_node_tree): which view columns are plain copies of NOT NULL columns
 * (so never null), and which table columns a view column comes from (so a view inherits its tables'
 * foreign keys). Follows postgres-meta's typegen, which follows PostgREST's schema cache.
 */

/** A node of a pg_node_tree: `{TYPE :field value ...}`. Lists are arrays, `<>` is null, scalars are strings. */
export type TreeValue = { type: string; fields: Record<string, TreeValue> } | TreeValue[] | string | null
type TreeNode = { type: string; fields: Record<string, TreeValue> }

interface Token {
  raw: string
  text: string
}

function tokenize(source: string): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < source.length) {
    const ch = source.charAt(i)
    if (' \t\n'.includes(ch)) {
      i++
      continue
    }
    if ('(){}'.includes(ch)) {
      out.push({ raw: ch, text: ch })
      i++
      continue
    }
    const start = i
    let text = ''
    while (i < source.length) {
      const c = source.charAt(i)
      if (c === '\\' && i + 1 < source.length) {
        text += source.charAt(i + 1)
        i += 2
        continue
      }
      if (' \t\n'.includes(c) || '(){}'.includes(c)) break
      text += c
      i++
    }
    out.push({ raw: source.slice(start, i), text })
  }
  return out
}

/** Integer, oid, bitmapset and xid lists start with a marker: `(i 1 2)`. */
const LIST_MARKERS = new Set(['i', 'o', 'b', 'x'])

/** Parses PostgreSQL's text form of a node tree (`ev_action::text`). */
export function parseNodeTree(source: string): TreeValue {
  const tokens = tokenize(source)
  let at = 0
  const peek = () => tokens[at]
  const next = () => {
    const t = tokens[at++]
    if (t === undefined) throw new Error('Unexpected end of pg_node_tree')
    return t
  }
  const ends = (t: Token | undefined) => t === undefined || t.raw === '}' || t.raw.startsWith(':')
  const value = (): TreeValue => {
    const t = next()
    if (t.raw === '{') {
      const type = next().text
      const fields: Record<string, TreeValue> = {}
      while (peek()?.raw !== '}') {
        const name = next().raw.slice(1)
        fields[name] = ends(peek()) ? null : value()
        while (!ends(peek())) value()
      }
      next()
      return { type, fields }
    }
    if (t.raw === '(') {
      const list: TreeValue[] = []
      const first = peek()
      if (first !== undefined && LIST_MARKERS.has(first.raw)) next()
      while (peek()?.raw !== ')') list.push(value())
      next()
      return list
    }
    if (t.raw === '<>') return null
    return t.text
  }
  const root = value()
  if (at !== tokens.length) throw new Error('Trailing tokens after pg_node_tree')
  return root
}

const isNode = (v: TreeValue | undefined, type?: string): v is TreeNode => typeof v === 'object' && v !== null && !Array.isArray(v) && (type === undefined || v.type === type)
const list = (v: TreeValue | undefined): TreeValue[] => (Array.isArray(v) ? v : [])

/** The top-level query of a view's stored definition. */
function viewQuery(action: string): TreeNode | undefined {
  const tree = parseNodeTree(action)
  const first = Array.isArray(tree) ? tree[0] : tree
  return isNode(first, 'QUERY') ? first : undefined
}

export interface ViewDefinition {
  oid: number
  schema: string
  name: string
  /** `pg_rewrite.ev_action::text` of its `_RETURN` rule. */
  action: string
  /** Columns (relation oid, attnum) it depends on that are NOT NULL (or of a NOT NULL domain). */
  nonNullColumns: Array<[number, number]>
}

const RTE_RELATION = '0'
const RTE_SUBQUERY = '1'
const RTE_JOIN = '2'
const RTE_CTE = '6'
const RTE_GROUP = '9'
const JOIN_INNER = '0'
const JOIN_LEFT = '1'
const JOIN_RIGHT = '3'

/** Range table indexes on the nullable side of an outer join. */
function nullableRangeEntries(query: TreeNode): Set<number> {
  const out = new Set<number>()
  const walk = (node: TreeValue | undefined, nullable: boolean) => {
    if (isNode(node, 'RANGETBLREF')) {
      if (nullable) out.add(Number(node.fields.rtindex))
    } else if (isNode(node, 'FROMEXPR')) {
      for (const item of list(node.fields.fromlist)) walk(item, nullable)
    } else if (isNode(node, 'JOINEXPR')) {
      const type = node.fields.jointype
      if (nullable) out.add(Number(node.fields.rtindex))
      walk(node.fields.larg, nullable || (type !== JOIN_INNER && type !== JOIN_LEFT))
      walk(node.fields.rarg, nullable || (type !== JOIN_INNER && type !== JOIN_RIGHT))
    }
  }
  walk(query.fields.jointree, false)
  return out
}

const simpleQuery = (q: TreeNode) => q.fields.setOperations === null && list(q.fields.groupingSets).length === 0

/**
 * The view columns that can never be null: plain references, through subqueries, joins and
 * non-recursive CTEs but not the nullable side of an outer join, to NOT NULL columns of tables (or
 * to such columns of other views). Returns `viewOid.attnum` keys.
 */
export function nonNullViewColumns(views: ViewDefinition[]): Set<string> {
  const actions = new Map(views.map((v) => [String(v.oid), v.action]))
  const nonNull = new Set(views.flatMap((v) => v.nonNullColumns.map(([rel, att]) => `${rel}.${att}`)))
  const perView = new Map<string, Set<number>>()
  const nullableCache = new Map<TreeNode, Set<number>>()
  const nullableOf = (q: TreeNode) => {
    let s = nullableCache.get(q)
    if (s === undefined) nullableCache.set(q, (s = nullableRangeEntries(q)))
    return s
  }
  const columnsOf = (viewId: string): Set<number> => {
    const known = perView.get(viewId)
    if (known !== undefined) return known
    const found = new Set<number>()
    perView.set(viewId, found)
    try {
      const q = viewQuery(actions.get(viewId) ?? '')
      if (q && simpleQuery(q)) {
        for (const entry of list(q.fields.targetList)) {
          if (isNode(entry, 'TARGETENTRY') && entry.fields.resjunk !== 'true' && varNotNull(entry.fields.expr, [q])) found.add(Number(entry.fields.resno))
        }
      }
    } catch {
      found.clear()
    }
    return found
  }
  const relationColumnNotNull = (relid: string, attno: number) => (actions.has(relid) ? columnsOf(relid).has(attno) : nonNull.has(`${relid}.${attno}`))
  const varNotNull = (expr: TreeValue | undefined, stack: TreeNode[]): boolean => {
    const q = stack.at(-1)
    if (q === undefined || !isNode(expr, 'VAR') || expr.fields.varlevelsup !== '0') return false
    const varno = Number(expr.fields.varno)
    const attno = Number(expr.fields.varattno)
    if (attno <= 0 || nullableOf(q).has(varno)) return false
    const rte = list(q.fields.rtable)[varno - 1]
    if (!isNode(rte, 'RANGETBLENTRY')) return false
    switch (rte.fields.rtekind) {
      case RTE_RELATION:
        return typeof rte.fields.relid === 'string' && relationColumnNotNull(rte.fields.relid, attno)
      case RTE_SUBQUERY:
        return subqueryColumnNotNull(rte.fields.subquery, attno, stack)
      case RTE_JOIN:
        return varNotNull(list(rte.fields.joinaliasvars)[attno - 1], stack)
      case RTE_GROUP:
        return varNotNull(list(rte.fields.groupexprs)[attno - 1], stack)
      case RTE_CTE: {
        const levelsUp = Number(rte.fields.ctelevelsup)
        const owner = stack.at(-1 - levelsUp)
        const cte = list(owner?.fields.cteList).find((c) => isNode(c, 'COMMONTABLEEXPR') && c.fields.ctename === rte.fields.ctename)
        return isNode(cte) && cte.fields.cterecursive !== 'true' && subqueryColumnNotNull(cte.fields.ctequery, attno, stack.slice(0, stack.length - levelsUp))
      }
      default:
        return false
    }
  }
  const subqueryColumnNotNull = (sub: TreeValue | undefined, attno: number, stack: TreeNode[]): boolean => {
    if (!isNode(sub, 'QUERY') || !simpleQuery(sub)) return false
    const entry = list(sub.fields.targetList).find((e) => isNode(e, 'TARGETENTRY') && Number(e.fields.resno) === attno)
    return isNode(entry) && varNotNull(entry.fields.expr, [...stack, sub])
  }
  const out = new Set<string>()
  for (const id of actions.keys()) for (const attno of columnsOf(id)) out.add(`${id}.${attno}`)
  return out
}

/** A view column and the table column it comes from (possibly through other views). */
export interface ViewColumnOrigin {
  viewOid: number
  viewColumn: number
  tableOid: number
  tableColumn: number
}

/**
 * Where each view column comes from, as PostgREST's schema cache finds it: the `resorigtbl` and
 * `resorigcol` of the view's target list, followed through views of views (cycles cut). Every step
 * is kept, as PostgREST keeps it.
 */
export function viewColumnOrigins(views: ViewDefinition[], startSchemas: ReadonlySet<string>): ViewColumnOrigin[] {
  const results: Array<{ view: ViewDefinition; viewColumn: number; origTable: number; origColumn: number }> = []
  for (const view of views) {
    let q: TreeNode | undefined
    try {
      q = viewQuery(view.action)
    } catch {
      continue
    }
    for (const entry of list(q?.fields.targetList)) {
      if (!isNode(entry, 'TARGETENTRY')) continue
      results.push({ view, viewColumn: Number(entry.fields.resno), origTable: Number(entry.fields.resorigtbl), origColumn: Number(entry.fields.resorigcol) })
    }
  }
  const out: ViewColumnOrigin[] = []
  type Step = { view: ViewDefinition; viewColumn: number; origTable: number; origColumn: number; path: number[] }
  let frontier: Step[] = results.filter((r) => startSchemas.has(r.view.schema)).map((r) => ({ ...r, path: [r.origTable] }))
  while (frontier.length) {
    const nextSteps: Step[] = []
    for (const step of frontier) {
      out.push({ viewOid: step.view.oid, viewColumn: step.viewColumn, tableOid: step.origTable, tableColumn: step.origColumn })
      for (const r of results) {
        if (r.view.oid !== step.origTable || r.viewColumn !== step.origColumn) continue
        if (step.path.includes(r.origTable)) {
          out.push({ viewOid: step.view.oid, viewColumn: step.viewColumn, tableOid: r.origTable, tableColumn: r.origColumn })
          continue
        }
        nextSteps.push({ view: step.view, viewColumn: step.viewColumn, origTable: r.origTable, origColumn: r.origColumn, path: [...step.path, r.origTable] })
      }
    }
    frontier = nextSteps
  }
  return out
}
