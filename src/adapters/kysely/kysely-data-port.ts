import { sql, type Kysely, type RawBuilder } from 'kysely'
import { relationColumns, type RelationName } from '../../generated/columns.js'
import { kyselyRpc } from '../../generated/rpc-kysely.js'
import type { RpcArgs, RpcName, RpcReturns } from '../../generated/rpc.js'
import type { DataPort, Filter, SelectQuery } from '../../repositories/data-port.js'
import { selectedColumns } from '../../repositories/row-codec.js'

const OPERATORS: Record<Filter['op'], string> = { eq: '=', gte: '>=', lt: '<', lte: '<=' }

function table(relation: RelationName): RawBuilder<unknown> {
  return sql.table(relation.includes('.') ? relation : `public.${relation}`)
}

function columnType(relation: RelationName, column: string): string {
  const type = (relationColumns[relation] as Record<string, string>)[column]
  if (!type) throw new Error(`${relation} has no column ${column}`)
  return type
}

/**
 * DataPort over one Kysely connection inside a transaction. Identifiers come only from the generated
 * column list; every value is a bound parameter.
 */
export class KyselyDataPort implements DataPort {
  constructor(
    private readonly conn: Kysely<any>,
    readonly userId: string | null,
  ) {}

  call<F extends RpcName>(fn: F, args: RpcArgs<F>): Promise<RpcReturns<F>> {
    const call = kyselyRpc[fn] as (db: Kysely<any>, a: RpcArgs<F>) => Promise<RpcReturns<F>>
    return call(this.conn, args)
  }

  async select(query: SelectQuery): Promise<Array<Record<string, unknown>>> {
    const { relation } = query
    const columns = sql.join(
      selectedColumns(relation).map((c) => (c.asText ? sql`${sql.ref(c.name)}::text as ${sql.ref(c.name)}` : sql.ref(c.name))),
    )
    const conditions = (filters: Filter[]): RawBuilder<unknown>[] => {
      const parts = filters.map((f) => sql`${sql.ref(f.column)} ${sql.raw(OPERATORS[f.op])} ${f.value}`)
      if (query.after) {
        const a = query.after
        const timeType = sql.raw(columnType(relation, a.timeColumn))
        const idType = sql.raw(columnType(relation, a.idColumn))
        // Row comparison: one index range scan in (time desc, id desc) order.
        parts.push(sql`(${sql.ref(a.timeColumn)}, ${sql.ref(a.idColumn)}) < (${a.at}::${timeType}, ${a.id}::${idType})`)
      }
      return parts
    }
    const orderBy = query.orderBy.length
      ? sql` order by ${sql.join(query.orderBy.map((o) => sql`${sql.ref(o.column)} ${sql.raw(o.descending ? 'desc' : 'asc')}`))}`
      : sql``
    const limit = query.limit === undefined ? sql`` : sql` limit ${query.limit}`
    const branch = (filters: Filter[]) => {
      const where = conditions(filters)
      return sql`select ${columns} from ${table(relation)}${where.length ? sql` where ${sql.join(where, sql` and `)}` : sql``}${orderBy}${limit}`
    }
    const statement =
      query.where.length <= 1
        ? branch(query.where[0] ?? [])
        : sql`select * from (${sql.join(
            query.where.map((b) => sql`(${branch(b)})`),
            sql` union all `,
          )}) as branches${orderBy}${limit}`
    const { rows } = await statement.execute(this.conn)
    return rows as Array<Record<string, unknown>>
  }
}
