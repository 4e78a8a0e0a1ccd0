import { relationColumns, type RelationName } from '../../generated/columns.js'
import type { RpcArgs, RpcName, RpcReturns } from '../../generated/rpc.js'
import { keysetAscending, shapeOf, type DataPort, type Filter, type SelectQuery } from '../../repositories/data-port.js'
import { selectedColumns } from '../../repositories/row-codec.js'
import type { QueryRunner } from './connection-source.js'
import { rpcCalls as kyselyRpc } from './rpc-statements.js'
import { bind, fixedStatement, type FixedStatement } from './statements.js'

const OPERATORS: Record<Filter['op'], string> = { eq: '=', gte: '>=', lt: '<', lte: '<=' }

/** A quoted identifier. Every identifier here comes from the generated column list, never from input. */
const id = (name: string) => `"${name.replace(/"/g, '""')}"`

function table(relation: RelationName): string {
  const [schema, name] = relation.includes('.') ? relation.split('.') : ['public', relation]
  return `${id(schema!)}.${id(name!)}`
}

function columnType(relation: RelationName, column: string): string {
  const type = (relationColumns[relation] as Record<string, string>)[column]
  if (!type) throw new Error(`${relation} has no column ${column}`)
  return type
}

/**
 * The SQL text of a select, from the shape of the query alone (relation, columns, operators, order,
 * whether there is a keyset position or a limit): values are always $n parameters, in the order
 * `parametersOf` lists them. Texts are cached by shape, so a repeated call compiles nothing.
 */
function selectText(query: SelectQuery): string {
  const selected = selectedColumns(query.relation)
  const columns = selected.map((c) => (c.asText ? `${id(c.name)}::text as ${id(c.name)}` : id(c.name))).join(', ')
  // Order by the table's own columns (qualified): an output column of the same name is the text
  // cast, which no index serves and which would not sort instants across UTC offsets.
  const own = (column: string) => `${id(query.relation.split('.').at(-1)!)}.${id(column)}`
  let n = 0
  const param = (cast?: string) => `$${++n}${cast ? `::${cast}` : ''}`
  const orderBy = (ref: (column: string) => string) => (query.orderBy.length ? ` order by ${query.orderBy.map((o) => `${ref(o.column)} ${o.descending ? 'desc' : 'asc'}`).join(', ')}` : '')
  const branch = (filters: Filter[], sortKeys: string) => {
    const where = filters.map((f) => `${id(f.column)} ${OPERATORS[f.op]} ${param()}`)
    if (query.after) {
      const a = query.after
      // Row comparison: one index range scan in (time, id) order, either way.
      const past = keysetAscending(query) ? '>' : '<'
      where.push(`(${id(a.timeColumn)}, ${id(a.idColumn)}) ${past} (${param(columnType(query.relation, a.timeColumn))}, ${param(columnType(query.relation, a.idColumn))})`)
    }
    const limit = query.limit === undefined ? '' : ` limit ${param()}`
    return `select ${columns}${sortKeys} from ${table(query.relation)}${where.length ? ` where ${where.join(' and ')}` : ''}${orderBy(own)}${limit}`
  }
  if (query.where.length <= 1) return branch(query.where[0] ?? [], '')
  // Each branch also yields its sort keys uncast, so the merged rows are ordered by the real values.
  const sortKey = (column: string) => id(`sort ${column}`)
  const sortKeys = query.orderBy.map((o) => `, ${own(o.column)} as ${sortKey(o.column)}`).join('')
  const branches = query.where.map((b) => `(${branch(b, sortKeys)})`).join(' union all ')
  const outer = selected.map((c) => id(c.name)).join(', ')
  return `select ${outer} from (${branches}) as branches${orderBy(sortKey)}${query.limit === undefined ? '' : ` limit ${param()}`}`
}

/** The parameters of `selectText(query)`, in the same order. */
function parametersOf(query: SelectQuery): unknown[] {
  const out: unknown[] = []
  for (const filters of query.where.length ? query.where : [[]]) {
    for (const f of filters) out.push(f.value)
    if (query.after) out.push(query.after.at, query.after.id)
    if (query.limit !== undefined) out.push(query.limit)
  }
  if (query.limit !== undefined && query.where.length > 1) out.push(query.limit)
  return out
}

const statements = new Map<string, FixedStatement>()

const ended: QueryRunner = {
  executeQuery: () => Promise.reject(new Error('this unit of work has already sent its commit (sentAll() was called): send every statement before calling it')),
}

/**
 * DataPort over one Kysely connection inside a transaction. Identifiers come only from the generated
 * column list; every value is a bound parameter.
 */
export class KyselyDataPort implements DataPort {
  /** Whether the work called a function: selects alone change nothing, whatever became of the commit. */
  wrote = false

  constructor(
    private conn: QueryRunner,
    readonly userId: string | null,
    readonly pipelines: boolean,
    /** Sends the unit's commit now, where the unit may end early; see DataPort.sentAll. */
    private readonly endEarly?: () => void,
  ) {}

  sentAll(): void {
    if (!this.endEarly) return
    this.endEarly()
    // Anything sent after the commit would run outside the transaction, as the login role.
    this.conn = ended
  }

  call<F extends RpcName>(fn: F, args: RpcArgs<F>): Promise<RpcReturns<F>> {
    this.wrote = true
    const call = kyselyRpc[fn] as (db: QueryRunner, a: RpcArgs<F>) => Promise<RpcReturns<F>>
    return call(this.conn, args)
  }

  async select(query: SelectQuery): Promise<Array<Record<string, unknown>>> {
    const shape = query.shape ?? shapeOf(query)
    let statement = statements.get(shape)
    if (statement === undefined) statements.set(shape, (statement = fixedStatement(selectText(query))))
    const { rows } = await this.conn.executeQuery<Record<string, unknown>>(bind(statement, parametersOf(query)))
    return rows
  }
}
