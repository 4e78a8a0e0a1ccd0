import { relationColumns, type RelationName } from '../../generated/columns.js'
import { keysetAscending, type Filter, type SelectQuery } from '../../repositories/data-port.js'
import { selectedColumns } from '../../repositories/row-codec.js'
import { bind, fixedStatement, type FixedStatement } from './statements.js'

const OPERATORS: Record<Filter['op'], string> = { eq: '=', gte: '>=', lt: '<', lte: '<=' }

/** A quoted identifier. Every identifier here comes from the generated column list, never from input. */
const id = (name: string) => `"${name.replace(/"/g, '""')}"`

function table(relation: RelationName): string {
  const [schema, name] = relation.includes('.') ? relation.split('.') : ['public', relation]
  return `${id(schema!)}.${id(name!)}`
}

/** Reads one value out of a query of the compiled shape: the value behind one `$n`. */
type Take = (query: SelectQuery) => unknown

/** A select's text with, for each of its `$n` in order, where that value sits in a query of its shape. */
export interface CompiledSelect {
  statement: FixedStatement
  takes: readonly Take[]
}

/**
 * Compiles a select in one pass: each `$n` is written into the text together with where its value
 * is read from, so text and values cannot fall out of step. The text depends on the query's shape
 * only (shapeOf): relation, columns, operators, order, whether there is a keyset position or a limit.
 */
export function compileSelect(query: SelectQuery): CompiledSelect {
  const types = relationColumns[query.relation] as Record<string, string>
  const takes: Take[] = []
  const param = (take: Take, cast?: string) => {
    takes.push(take)
    return `$${takes.length}${cast ? `::${cast}` : ''}`
  }
  const selected = selectedColumns(query.relation)
  const columns = selected.map((c) => (c.asText ? `${id(c.name)}::text as ${id(c.name)}` : id(c.name))).join(', ')
  // Order by the table's own columns (qualified): an output column of the same name is the text
  // cast, which no index serves and which would not sort instants across UTC offsets.
  const own = (column: string) => `${id(query.relation.split('.').at(-1)!)}.${id(column)}`
  const orderBy = (ref: (column: string) => string) => (query.orderBy.length ? ` order by ${query.orderBy.map((o) => `${ref(o.column)} ${o.descending ? 'desc' : 'asc'}`).join(', ')}` : '')
  const limit = () => (query.limit === undefined ? '' : ` limit ${param((q) => q.limit)}`)
  const branch = (filters: readonly Filter[], b: number, sortKeys: string) => {
    const where = filters.map((f, i) => `${id(f.column)} ${OPERATORS[f.op]} ${param((q) => q.where[b]![i]!.value)}`)
    const after = query.after
    if (after) {
      // Row comparison: one index range scan in (time, id) order, either way.
      const past = keysetAscending(query) ? '>' : '<'
      where.push(`(${id(after.timeColumn)}, ${id(after.idColumn)}) ${past} (${param((q) => q.after!.at, types[after.timeColumn])}, ${param((q) => q.after!.id, types[after.idColumn])})`)
    }
    return `select ${columns}${sortKeys} from ${table(query.relation)}${where.length ? ` where ${where.join(' and ')}` : ''}${orderBy(own)}${limit()}`
  }
  let sql: string
  if (query.where.length <= 1) {
    sql = branch(query.where[0] ?? [], 0, '')
  } else {
    // Each branch also yields its sort keys uncast, so the merged rows are ordered by the real values.
    const sortKey = (column: string) => id(`sort ${column}`)
    const sortKeys = query.orderBy.map((o) => `, ${own(o.column)} as ${sortKey(o.column)}`).join('')
    const branches = query.where.map((filters, b) => `(${branch(filters, b, sortKeys)})`).join(' union all ')
    sql = `select ${selected.map((c) => id(c.name)).join(', ')} from (${branches}) as branches${orderBy(sortKey)}${limit()}`
  }
  return { statement: fixedStatement(sql), takes }
}

/** `query` bound to the compiled text of its shape. */
export function bindSelect(compiled: CompiledSelect, query: SelectQuery) {
  return bind<Record<string, unknown>>(
    compiled.statement,
    compiled.takes.map((take) => take(query)),
  )
}
