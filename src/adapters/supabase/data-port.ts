import type { SupabaseClient } from '@supabase/supabase-js'
import { relationColumns, type RelationName } from '../../generated/columns.js'
import type { RpcArgs, RpcName, RpcReturns } from '../../generated/rpc.js'
import { keysetAscending, type DataPort, type Filter, type SelectQuery } from '../../repositories/data-port.js'
import { selectedColumns } from '../../repositories/row-codec.js'
import { backoffDelay, sleep, type RetryPolicy } from '../../retry/backoff.js'
import { canonicalTimestamp } from '../../values/timestamp.js'
import { mapPostgrestError, mayHaveBeenApplied } from './map-error.js'
import { retriedInBrowser } from './retried.js'

/** The part of a PostgREST filter builder this port uses. */
interface FilterBuilder {
  eq(column: string, value: unknown): FilterBuilder
  gte(column: string, value: unknown): FilterBuilder
  lt(column: string, value: unknown): FilterBuilder
  lte(column: string, value: unknown): FilterBuilder
  or(filters: string): FilterBuilder
  order(column: string, options: { ascending: boolean }): FilterBuilder
  limit(count: number): FilterBuilder
  abortSignal(signal: AbortSignal): FilterBuilder
  retry(enabled: boolean): FilterBuilder
  then: PromiseLike<{ data: unknown; error: unknown; status: number }>['then']
}

/** `select=` with every column, exact ones cast to text so no JSON number ever carries them. */
function selectList(relation: RelationName): string {
  return selectedColumns(relation)
    .map((c) => (c.asText ? `${c.name}::text` : c.name))
    .join(',')
}

/** A value inside PostgREST's or=(...) grammar: quoted, so `,` `.` `:` `(` `)` cannot end it early. */
function orValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

/**
 * DataPort over supabase-js: RPCs through `supabase.rpc()`, reads through `supabase.from()`. The
 * SDK's own retry policy decides what to retry, so supabase-js's built-in retries are switched off.
 * Each request is its own transaction, so the port keeps what the unit of work must know before it
 * runs the work again: whether one of its calls has committed, or may have.
 */
export class SupabaseDataPort implements DataPort {
  readonly pipelines = false
  /** A call of this port was answered: it committed, whatever happens to the requests after it. */
  callApplied = false
  /** A call of this port failed in a way that does not rule out that it committed (see mayHaveBeenApplied). */
  callUnsure = false

  // Each request is its own transaction: there is nothing to end early.
  sentAll(): void {}

  constructor(
    private readonly supabase: SupabaseClient<any, any, any>,
    readonly userId: string | null,
    private readonly timeoutMs: number,
    /** How a read after a committed call is retried on its own; without it, reads are not retried here. */
    private readonly retry?: RetryPolicy,
  ) {}

  async call<F extends RpcName>(fn: F, args: RpcArgs<F>): Promise<RpcReturns<F>> {
    const { data, error, status } = await (this.supabase.rpc(fn, args as never) as unknown as FilterBuilder).abortSignal(AbortSignal.timeout(this.timeoutMs))
    if (error) {
      if (mayHaveBeenApplied(error as never, status)) this.callUnsure = true
      throw mapPostgrestError(error as never, status)
    }
    this.callApplied = true
    return (data ?? undefined) as RpcReturns<F>
  }

  async select(query: SelectQuery): Promise<Array<Record<string, unknown>>> {
    if (query.relation.includes('.')) throw new Error(`${query.relation} is not exposed through the API`)
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.selectOnce(query)
      } catch (error) {
        // After a committed call the unit cannot run again (the call would apply twice), so a read
        // failing then (the call's read-back) is retried here, alone: a read changes nothing.
        if (!this.callApplied || !this.retry || !retriedInBrowser(error) || attempt >= this.retry.maxAttempts) throw error
        await sleep(backoffDelay(attempt, this.retry))
      }
    }
  }

  private async selectOnce(query: SelectQuery): Promise<Array<Record<string, unknown>>> {
    // One request per branch, each served by its own index; merged here in the same order.
    const branches = await Promise.all((query.where.length ? query.where : [[]]).map((filters) => this.selectBranch(query, filters)))
    if (branches.length === 1) return branches[0]!
    const merged = branches.flat().sort((a, b) => compareRows(query.relation, a, b, query.orderBy))
    return query.limit === undefined ? merged : merged.slice(0, query.limit)
  }

  private async selectBranch(query: SelectQuery, filters: Filter[]): Promise<Array<Record<string, unknown>>> {
    let q = this.supabase.from(query.relation).select(selectList(query.relation)) as unknown as FilterBuilder
    for (const f of filters) q = q[f.op](f.column, f.value)
    if (query.after) {
      const { timeColumn: t, at, idColumn: i, id } = query.after
      const past = keysetAscending(query) ? 'gt' : 'lt'
      q = q.or(`${t}.${past}.${orValue(at)},and(${t}.eq.${orValue(at)},${i}.${past}.${orValue(id)})`)
    }
    for (const o of query.orderBy) q = q.order(o.column, { ascending: !o.descending })
    if (query.limit !== undefined) q = q.limit(query.limit)
    const { data, error, status } = await q.retry(false).abortSignal(AbortSignal.timeout(this.timeoutMs))
    if (error) throw mapPostgrestError(error as never, status)
    return (data ?? []) as Array<Record<string, unknown>>
  }
}

/** A column's values as keys that compare the way the database orders them, by the column's type. */
function sortKey(type: string | undefined, value: unknown): string | bigint | number {
  if (type === 'timestamptz') return canonicalTimestamp(String(value))
  if (type === 'int8') return BigInt(String(value))
  if (type === 'int4' || type === 'int2') return Number(value)
  // Lowercase uuids and the vocabularies' codes compare as strings.
  return String(value)
}

/** Orders rows as the database would, each key compared as its column's type orders. */
function compareRows(relation: RelationName, a: Record<string, unknown>, b: Record<string, unknown>, orderBy: SelectQuery['orderBy']): number {
  const types = relationColumns[relation] as Record<string, string>
  for (const o of orderBy) {
    const x = sortKey(types[o.column], a[o.column])
    const y = sortKey(types[o.column], b[o.column])
    if (x !== y) return (x < y ? -1 : 1) * (o.descending ? -1 : 1)
  }
  return 0
}
