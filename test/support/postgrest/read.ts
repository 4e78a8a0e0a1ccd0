import type pg from 'pg'
import { pgrstError } from './errors.js'
import type { Filter, LogicTree, QueryParams } from './query-params.js'
import { operators } from './query-params.js'
import { limitOffsetSql } from './range.js'
import { resultReply, type Reply, type ResultRow, type Shape } from './reply.js'
import { FuzzySet } from './fuzzy.js'
import { castTypeSql, type SchemaCache } from './schema-cache.js'
import { ident, Params } from './sql.js'

/** Builds SQL for one relation; every name the client sent is checked against the schema cache first. */
class ReadBuilder {
  readonly params = new Params()
  /** The first column the client named that the relation does not have. */
  missing: string | undefined
  readonly qi: string

  constructor(
    readonly cache: SchemaCache,
    readonly table: string,
    readonly columns: Map<string, string>,
  ) {
    this.qi = `${ident(cache.schema)}.${ident(table)}`
  }

  column(name: string): string {
    if (!this.columns.has(name)) this.missing ??= name
    return `${this.qi}.${ident(name)}`
  }

  filter({ column, negate, operation }: Filter): string {
    const col = this.column(column)
    let sql: string
    if (operation.kind === 'in') {
      // pgBuildArrayLiteral: every element quoted, bound as one array literal; `in.()` matches nothing.
      const literal = `{${operation.values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`
      sql = operation.values.length === 1 && operation.values[0] === '' ? `${col} = ANY('{}')` : `${col} = ANY (${this.params.add(literal)})`
    } else if (operation.kind === 'is') {
      sql = `${col} IS ${operation.value.replace('_', ' ').toUpperCase()}`
    } else {
      // like/ilike: `*` stands for `%` in URLs.
      const value = ['like', 'ilike'].includes(operation.op) ? operation.value.replace(/\*/g, '%') : operation.value
      sql = `${col} ${operators[operation.op]} ${this.params.add(value)}`
    }
    return negate ? `NOT ${sql}` : sql
  }

  logic(tree: LogicTree): string {
    if ('filter' in tree) return this.filter(tree.filter)
    const inner = `(${tree.children.map((c) => this.logic(c)).join(tree.op === 'and' ? ' AND ' : ' OR ')})`
    return tree.negate ? `NOT ${inner}` : inner
  }

  where(trees: LogicTree[]): string {
    return trees.length === 0 ? '' : ` WHERE ${trees.map((t) => this.logic(t)).join(' AND ')}`
  }
}

/**
 * PostgreSQL's own 42703 for a column the client named (with its "Perhaps you meant" hint). The name
 * never becomes SQL text here: it travels as a setting and the server quotes it with format('%I').
 */
async function raiseMissingColumn(client: pg.PoolClient, schema: string, table: string, column: string): Promise<never> {
  await client.query(`select set_config('pgrst_fixture.probe', $1, true)`, [JSON.stringify([schema, table, column])])
  await client.query(`do $$
    declare p json := current_setting('pgrst_fixture.probe')::json;
    begin execute format('select %I.%I.%I from %I.%I limit 0', p->>0, p->>1, p->>2, p->>0, p->>1); end $$`)
  // Only if the column appeared after the cache was loaded.
  throw pgrstError(400, '42703', `column ${table}.${column} does not exist`)
}

/**
 * 12.2 has no PGRST205: it runs the query and PostgreSQL answers 42P01 (404). The name travels as a
 * setting, as in raiseMissingColumn.
 */
async function raiseMissingTable(client: pg.PoolClient, schema: string, table: string): Promise<never> {
  await client.query(`select set_config('pgrst_fixture.probe', $1, true)`, [JSON.stringify([schema, table])])
  await client.query(`do $$
    declare p json := current_setting('pgrst_fixture.probe')::json;
    begin execute format('select 1 from %I.%I limit 0', p->>0, p->>1); end $$`)
  throw pgrstError(404, '42P01', `relation "${schema}.${table}" does not exist`)
}

/** The main read query, shaped like PostgREST's mainRead: the body is PostgreSQL's json_agg of the rows. */
export function planRead(cache: SchemaCache, table: string, query: QueryParams, shape: Shape) {
  const columns = cache.tables.get(table)
  if (!columns && shape.version === '12.2') return { run: (client: pg.PoolClient) => raiseMissingTable(client, cache.schema, table) }
  if (!columns) {
    // tableNotFoundHint: the closest table of the schema, 0.75 similar from 14.6 on (0.33 in 13).
    const closest = new FuzzySet(cache.tables.keys()).getOne(table, shape.version === '14' ? 0.75 : 0.33)
    const hint = closest === undefined ? null : `Perhaps you meant the table '${cache.schema}.${closest}'`
    throw pgrstError(404, 'PGRST205', `Could not find the table '${cache.schema}.${table}' in the schema cache`, null, hint)
  }
  const b = new ReadBuilder(cache, table, columns)
  const select = query.select.length === 0 ? [{ column: '*' }] : query.select
  const items = select.map((item) => {
    if (item.column === '*') return `${b.qi}.*`
    let sql = b.column(item.column)
    if (item.cast !== undefined) {
      const type = castTypeSql(cache, item.cast)
      if (type === undefined) throw pgrstError(400, '42704', `type "${item.cast.toLowerCase()}" does not exist`)
      sql = `CAST( ${sql} AS ${type} )`
    }
    return item.alias === undefined ? sql : `${sql} AS ${ident(item.alias)}`
  })
  const order = query.order.map((o) => {
    const words = [o.direction?.toUpperCase(), o.nulls === undefined ? undefined : o.nulls === 'nullsfirst' ? 'NULLS FIRST' : 'NULLS LAST']
    return [b.column(o.column), ...words.filter(Boolean)].join(' ')
  })
  const source = `SELECT ${items.join(', ')} FROM ${b.qi}${b.where(query.where)}` + `${order.length ? ` ORDER BY ${order.join(', ')}` : ''} ${limitOffsetSql(shape.range, b.params)}`
  const separateCount = shape.count && !(shape.range.lower === 0 && shape.range.upper === null)
  const countCte = separateCount ? `, pgrst_source_count AS (SELECT 1 FROM ${b.qi}${b.where(query.where)})` : ''
  const total = !shape.count ? 'null::bigint' : separateCount ? '(SELECT pg_catalog.count(*) FROM pgrst_source_count)' : 'pg_catalog.count(_postgrest_t)'
  const body = shape.singular ? `coalesce(json_agg(_postgrest_t)->0, 'null')` : `coalesce(json_agg(_postgrest_t), '[]')`
  const sql =
    `WITH pgrst_source AS ( ${source} )${countCte} ` +
    `SELECT ${total} AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, ${body}::text AS body ` +
    `FROM ( SELECT * FROM pgrst_source ) _postgrest_t`
  return {
    async run(client: pg.PoolClient): Promise<Reply> {
      if (b.missing !== undefined) await raiseMissingColumn(client, cache.schema, table, b.missing)
      const { rows } = await client.query<ResultRow>(sql, b.params.values)
      return resultReply(rows[0]!, shape)
    },
  }
}
