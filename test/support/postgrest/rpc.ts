import type pg from 'pg'
import { FuzzySet } from './fuzzy.js'
import { notImplemented, pgrstError } from './errors.js'
import type { QueryParams } from './query-params.js'
import { limitOffsetSql } from './range.js'
import { resultReply, type Reply, type ResultRow, type Shape } from './reply.js'
import type { Routine, SchemaCache } from './schema-cache.js'
import { ident, Params } from './sql.js'
import type { PostgrestVersion } from './version.js'

/** The call's arguments: a parsed JSON body (POST) or query parameters in order (GET/HEAD; a name may repeat). */
export type RpcArguments = { kind: 'json'; keys: Set<string>; body: string; isObject: boolean } | { kind: 'query'; args: [string, string][] }

export const argumentKeys = (args: RpcArguments): Set<string> => (args.kind === 'json' ? args.keys : new Set(args.args.map(([k]) => k)))

/** Payload.hs: an empty body is `{}`; an array must hold objects with the same keys; other JSON has no keys. */
export function jsonArguments(raw: string): RpcArguments {
  if (raw === '') return { kind: 'json', keys: new Set(), body: '{}', isObject: true }
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    throw pgrstError(400, 'PGRST102', 'Empty or invalid json')
  }
  const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
  if (isRecord(value)) return { kind: 'json', keys: new Set(Object.keys(value)), body: raw, isObject: true }
  if (Array.isArray(value) && value.length > 0 && isRecord(value[0])) {
    const keys = Object.keys(value[0]).sort().join()
    if (!value.every((v) => isRecord(v) && Object.keys(v).sort().join() === keys)) throw pgrstError(400, 'PGRST102', 'All object keys must match')
    return { kind: 'json', keys: new Set(Object.keys(value[0])), body: raw, isObject: false }
  }
  if (Array.isArray(value) && value.length > 0) throw pgrstError(400, 'PGRST102', 'All object keys must match')
  return { kind: 'json', keys: new Set(), body: '[]', isObject: false }
}

/**
 * noRpcHint (Error.hs): with no function of that name, the closest function name in the schema;
 * with some, the closest of their parameter lists, written "(a, b)". Names need a similarity of 0.75
 * from 14.6 on (0.33 before: the 13 and 12.2 lines); parameter lists always 0.33.
 */
function noRpcHint(cache: SchemaCache, name: string, keys: string[], version: PostgrestVersion): string | null {
  const listToText = (names: string[]) => `(${[...names].sort().join(', ')})`
  const overloads = cache.allRoutines.get(name) ?? []
  const found =
    overloads.length === 0
      ? new FuzzySet(cache.allRoutines.keys()).getOne(name, version === '14' ? 0.75 : 0.33)
      : ((p) => (p === undefined ? undefined : `${name}${p}`))(new FuzzySet(overloads.map((r) => listToText(r.params.map((p) => p.name)))).getOne(listToText(keys)))
  return found === undefined ? null : `Perhaps you meant to call the function ${cache.schema}.${found}`
}

/** findProc (Plan.hs): match by argument names; optional (defaulted) parameters may be left out. */
export function findRoutine(cache: SchemaCache, name: string, keys: Set<string>, isPost: boolean, version: PostgrestVersion): Routine {
  const candidates = cache.routines.get(name) ?? []
  const matches = candidates.filter(({ params }) => {
    const required = params.filter((p) => p.required).map((p) => p.name)
    const optional = new Set(params.filter((p) => !p.required).map((p) => p.name))
    const rest = [...keys].filter((k) => !optional.has(k))
    return rest.length === required.length && required.every((r) => keys.has(r))
  })
  if (matches.length === 1) return matches[0]!
  const func = `${cache.schema}.${name}`
  if (matches.length > 1) {
    const list = matches.map((r) => `${func}(${r.params.map((p) => `${p.name} => ${p.type}`).join(', ')})`).join(', ')
    const hint = 'Try renaming the parameters or the function itself in the database so function overloading can be resolved'
    throw pgrstError(300, 'PGRST203', `Could not choose the best candidate function between: ${list}`, null, hint)
  }
  // Haskell's Set.toList: the names sorted.
  const sorted = [...keys].sort()
  const prms = sorted.join(', ')
  const fmt = (p: string) => (sorted.length === 0 ? ' without parameters' : p)
  const details =
    `Searched for the function ${func}${fmt(` with parameter${sorted.length > 1 ? 's' : ''} ${prms}`)}` +
    `${isPost ? ' or with a single unnamed json/jsonb parameter' : ''}, but no matches were found in the schema cache.`
  throw pgrstError(404, 'PGRST202', `Could not find the function ${func}${fmt(`(${prms})`)} in the schema cache`, details, noRpcHint(cache, name, sorted, version))
}

/** pgBuildArrayLiteral: every element quoted, so a comma or brace inside one stays inside it. */
const arrayLiteral = (values: string[]) => `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`

/**
 * callPlanToQuery + mainCall (QueryBuilder.hs, Statements.hs): JSON arguments decoded by
 * json_to_record, a VARIADIC parameter passed by name as `VARIADIC name := array`; the count (with
 * `Prefer: count=exact`) is of the whole result, the page is cut by LIMIT/OFFSET after it.
 */
export function planCall(cache: SchemaCache, routine: Routine, args: RpcArguments, query: QueryParams, shape: Shape) {
  if (query.where.length > 0 || query.order.length > 0 || query.select.some((s) => s.column !== '*')) {
    throw notImplemented('Filtering, ordering or selecting the result of a function call')
  }
  const params = new Params()
  const keys = argumentKeys(args)
  const given = routine.params.filter((p) => keys.has(p.name))
  const fn = `${ident(cache.schema)}.${ident(routine.name)}`
  const scalar = routine.returns === 'void' || routine.returns === 'scalar' || routine.returns === 'setof scalar'
  const callIt = (argList: string) => (scalar ? `(SELECT ${fn}(${argList}) pgrst_scalar) pgrst_call` : `${fn}(${argList}) pgrst_call`)
  const variadic = (p: Routine['params'][number]) => (p.variadic ? 'VARIADIC ' : '')
  let from: string
  if (given.length === 0) from = `FROM ${callIt('')}`
  else if (args.kind === 'query') {
    // GET: each argument is an untyped bind cast to the parameter's type; a repeated VARIADIC one is
    // every value as a text[] (RpcParamValue's Variadic), any other repeated one its last value.
    const value = (p: Routine['params'][number]) => {
      const values = args.args.filter(([k]) => k === p.name).map(([, v]) => v)
      return p.variadic ? `${params.add(arrayLiteral(values))}::text[]::${p.recordType}` : `${params.add(values.at(-1)!)}::${p.recordType}`
    }
    from = `FROM ${callIt(given.map((p) => `${variadic(p)}${ident(p.name)} := ${value(p)}`).join(', '))}`
  } else {
    const columns = given.map((p) => ident(p.name)).join(', ')
    const typed = given.map((p) => `${ident(p.name)} ${p.recordType}`).join(', ')
    from =
      `FROM (SELECT ${params.add(args.body)}::json AS json_data) pgrst_payload, ` +
      `LATERAL (SELECT ${columns} FROM ${args.isObject ? 'json_to_record' : 'json_to_recordset'}(pgrst_payload.json_data) AS _(${typed}) LIMIT 1) pgrst_body, ` +
      `LATERAL ${callIt(given.map((p) => `${variadic(p)}${ident(p.name)} := pgrst_body.${ident(p.name)}`).join(', '))}`
  }
  const single = !routine.returns.startsWith('setof')
  const agg = scalar ? 'json_agg(_postgrest_t.pgrst_scalar)' : 'json_agg(_postgrest_t)'
  const body = single || shape.singular ? `coalesce(${agg}->0, 'null')` : `coalesce(${agg}, '[]')`
  const pageTotal = single ? '1' : 'pg_catalog.count(_postgrest_t)'
  const sql =
    `WITH pgrst_source AS (SELECT ${scalar ? 'pgrst_call.pgrst_scalar' : 'pgrst_call.*'} ${from})` +
    `${shape.count ? ', pgrst_source_count AS (SELECT 1 FROM pgrst_source)' : ''} ` +
    `SELECT ${shape.count ? '(SELECT pg_catalog.count(*) FROM pgrst_source_count)' : 'null::bigint'} AS total_result_set, ` +
    `${pageTotal} AS page_total, ${body}::text AS body, ` +
    `nullif(current_setting('response.headers', true), '') AS response_headers, ` +
    `nullif(current_setting('response.status', true), '') AS response_status ` +
    `FROM (SELECT "pgrst_source".* FROM "pgrst_source" ${limitOffsetSql(shape.range, params)}) _postgrest_t`
  return {
    async run(client: pg.PoolClient): Promise<Reply> {
      const { rows } = await client.query<ResultRow>(sql, params.values)
      const row = rows[0]!
      const reply = resultReply(row, shape)
      if (shape.maxAffected !== undefined && Number(row.page_total) > shape.maxAffected) {
        throw pgrstError(400, 'PGRST124', 'Query result exceeds max-affected preference constraint', `The query affects ${row.page_total} rows`)
      }
      // "Return 204 No Content without Content-Type for RPCs returning VOID".
      if (routine.returns === 'void') {
        const { 'Content-Type': _type, 'Content-Profile': _profile, ...headers } = reply.headers
        return { ...reply, status: 204, headers, body: undefined }
      }
      return reply
    },
  }
}
