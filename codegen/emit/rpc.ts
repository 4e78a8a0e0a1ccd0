import type { Catalog, PgType, RpcFunction } from '../catalog/types.js'
import { tsType } from './type-mapping.js'
import { key, literal, pascal, str } from './ts.js'

const enumType = (t: PgType) => pascal(t.name)

/** The zod schema of a catalog type, built from the primitives in pg-schemas.ts. */
function zodFor(t: PgType): string {
  const name = ALIASES[t.name] ?? t.name
  const base = t.kind === 'e' ? `z.enum(${camelPlural(t.name)})` : `pg.${name in PRIMITIVES ? name : 'unknown'}`
  return t.array ? `z.array(${base})` : base
}

function camelPlural(name: string): string {
  const c = name.replace(/_(\w)/g, (_, ch: string) => ch.toUpperCase())
  return /(s|x|ch|sh)$/.test(c) ? `${c}es` : `${c}s`
}

/** Catalog types with a zod primitive in pg-schemas.ts. */
export const PRIMITIVES: Record<string, string> = {
  text: "z.string().refine((s) => !s.includes('\\u0000'), { error: 'text cannot contain NUL (\\\\u0000) characters' })",
  uuid: "z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { error: 'expected a UUID' })",
  numeric:
    "z.string().regex(/^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?$/, { error: 'expected a decimal number written as a string' })",
  int8: "z.string().regex(/^[+-]?\\d{1,19}$/, { error: 'expected a 64-bit integer written as a string' })",
  int4: 'z.number().int().min(-2147483648).max(2147483647)',
  int2: 'z.number().int().min(-32768).max(32767)',
  float8: 'z.number()',
  bool: 'z.boolean()',
  timestamptz: "z.iso.datetime({ offset: true, local: true, error: 'expected an ISO 8601 timestamp' })",
  jsonb: 'z.json()',
  json: 'z.json()',
  unknown: 'z.unknown()',
}

/** Catalog types validated like another. */
const ALIASES: Record<string, string> = { varchar: 'text', bpchar: 'text', citext: 'text', name: 'text', float4: 'float8' }

/** src/generated/pg-schemas.ts: zod schemas for the database types that RPC arguments use. */
export function emitPgSchemas(): string {
  const lines = ["import { z } from 'zod'", '', '/** zod schemas of database types, as the database accepts them. */', 'export const pg = {']
  for (const [name, schema] of Object.entries(PRIMITIVES)) lines.push(`  ${name}: ${schema},`)
  lines.push('}', '')
  return lines.join('\n')
}

function returnsOf(f: RpcFunction): string {
  return tsType(f.returns, enumType) + (f.returnsSet ? '[]' : '')
}

/**
 * src/generated/rpc.ts: for each function the API exposes, its signature as data (names, types,
 * defaults, who may execute it), its TypeScript Args/Returns, and a zod schema of its arguments.
 */
export function emitRpc(catalog: Catalog): string {
  const fns = catalog.functions
  const enums = [...new Set(fns.flatMap((f) => [...f.args.map((a) => a.type), f.returns]).filter((t) => t.kind === 'e').map((t) => t.name))]
  const out: string[] = ["import { z } from 'zod'", "import { pg } from './pg-schemas.js'"]
  if (enums.length) {
    out.push(`import { ${enums.flatMap((e) => [camelPlural(e), `type ${pascal(e)}`]).join(', ')} } from './vocabularies.js'`)
  }
  out.push('', '/** The functions the API exposes, as the catalog describes them. */', 'export const rpcFunctions = {')
  for (const f of fns) {
    const meta = {
      schema: f.schema,
      args: f.args.map((a) => ({ name: a.name, type: `${a.type.kind === 'e' ? `${a.type.schema}.` : ''}${a.type.name}${a.type.array ? '[]' : ''}`, optional: a.hasDefault })),
      returns: `${f.returns.kind === 'e' ? `${f.returns.schema}.` : ''}${f.returns.name}${f.returns.array ? '[]' : ''}`,
      returnsSet: f.returnsSet,
      volatility: f.volatility,
      executableBy: f.executableBy,
    }
    if (f.comment) out.push(`  /** ${f.comment.replace(/\*\//g, '* /')} */`)
    out.push(`  ${key(f.name)}: ${literal(meta, '  ')},`)
  }
  out.push('} as const', '')
  out.push('/** Arguments and result of each function. */', 'export interface RpcSignatures {')
  for (const f of fns) {
    const args = f.args.map((a) => `${key(a.name)}${a.hasDefault ? '?' : ''}: ${tsType(a.type, enumType)}`)
    out.push(`  ${key(f.name)}: {`, `    Args: ${args.length ? `{ ${args.join('; ')} }` : 'Record<string, never>'}`, `    Returns: ${returnsOf(f)}`, '  }')
  }
  out.push(
    '}',
    '',
    'export type RpcName = keyof RpcSignatures',
    "export type RpcArgs<F extends RpcName> = RpcSignatures[F]['Args']",
    "export type RpcReturns<F extends RpcName> = RpcSignatures[F]['Returns']",
    '',
    '/** zod schemas of each function\'s arguments, from their catalog types (unknown keys are refused). */',
    'export const rpcArgSchemas = {',
  )
  for (const f of fns) {
    const props = f.args.map((a) => `    ${key(a.name)}: ${zodFor(a.type)}${a.hasDefault ? '.optional()' : ''},`)
    out.push(`  ${key(f.name)}: z.strictObject({${props.length ? `\n${props.join('\n')}\n  ` : ''}}),`)
  }
  out.push('} satisfies { [F in RpcName]: z.ZodType<RpcArgs<F>> }', '')
  return out.join('\n')
}

/** The SQL cast that makes a value of `t` arrive as the type the function declares. */
function castOf(t: PgType): string {
  const name = t.kind === 'e' || t.schema !== 'pg_catalog' ? `${t.schema}.${t.name}` : t.name
  return t.array ? `${name}[]` : name
}

/** Result types that must travel as text to stay exact (numbers) or keep their precision (times). */
const TEXT_RESULTS = new Set(['numeric', 'int8', 'timestamptz', 'timestamp', 'date', 'money', 'interval'])

/**
 * src/generated/rpc-kysely.ts: a typed Kysely call for each function, with named arguments (as
 * PostgREST calls them: defaulted ones left out when not given) and every value bound, never spliced.
 * The SQL text is written out here and each statement's query node is built once, so a call compiles
 * nothing at run time: it binds its values and sends them.
 */
export function emitRpcKysely(catalog: Catalog): string {
  const out = [
    "import { CompiledQuery, createQueryId, type QueryResult } from 'kysely'",
    "import type { RpcArgs, RpcReturns } from './rpc.js'",
    '',
    '/** Runs a compiled query: a Kysely instance, a transaction, or a connection of a Kysely driver. */',
    'export interface QueryRunner {',
    '  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>',
    '}',
    '',
    '/** SQL text with its query node: binding values to it is all that is left to do per call. */',
    'export interface FixedStatement {',
    '  readonly sql: string',
    "  readonly query: CompiledQuery['query']",
    '}',
    '',
    '/**',
    ' * A statement of fixed text. `CompiledQuery.raw` builds and freezes a query node on every call; a',
    ' * statement\'s node depends on its text only, so it is built once per text and shared by every call.',
    ' */',
    'export function fixedStatement(sql: string): FixedStatement {',
    '  return { sql, query: CompiledQuery.raw(sql).query }',
    '}',
    '',
    '/** `statement` with its values: a compiled query of its own, with its own query id. */',
    'export function bind<R>(statement: FixedStatement, parameters: readonly unknown[]): CompiledQuery<R> {',
    '  return { sql: statement.sql, query: statement.query, queryId: createQueryId(), parameters }',
    '}',
    '',
    '/**',
    ' * The statements that call one function: its required arguments, then the defaulted ones a call',
    ' * gives (bit i of `given` set when `defaulted[i]` is), numbered in that order. Each combination\'s',
    ' * text is built once, on first use.',
    ' */',
    'function callsOf(head: string, required: number, defaulted: ReadonlyArray<readonly [name: string, cast: string]>, tail: string): (given: number) => FixedStatement {',
    '  const built: FixedStatement[] = []',
    '  return (given) => {',
    '    let statement = built[given]',
    '    if (statement === undefined) {',
    '      let sql = head',
    '      let n = required',
    '      defaulted.forEach(([name, cast], i) => {',
    "        if (given & (1 << i)) sql += `${n ? ', ' : ''}${name} => $${++n}::${cast}`",
    '      })',
    '      built[given] = statement = fixedStatement(sql + tail)',
    '    }',
    '    return statement',
    '  }',
    '}',
    '',
    '/** The statements of the API functions. */',
    'const statements = {',
  ]
  const calls: string[] = ['/** Calls of the API functions over Kysely, each in the caller\'s transaction. */', 'export const kyselyRpc = {']
  for (const f of catalog.functions) {
    if (f.returnsSet) throw new Error(`public.${f.name} returns a set; codegen generates calls for scalar and void functions only.`)
    const isVoid = f.returns.name === 'void'
    const resultType = isVoid ? 'unknown' : tsType(f.returns, enumType)
    const resultCast = TEXT_RESULTS.has(f.returns.name) ? '::text' : ''
    const required = f.args.filter((a) => !a.hasDefault)
    const optional = f.args.filter((a) => a.hasDefault)
    if (optional.some((a) => f.args.indexOf(a) < required.length)) throw new Error(`public.${f.name}: a defaulted argument comes before a required one`)
    if (optional.length > 30) throw new Error(`public.${f.name} has ${optional.length} defaulted arguments; codegen handles up to 30`)
    const head = `select ${f.schema}.${f.name}(${required.map((a, i) => `${a.name} => $${i + 1}::${castOf(a.type)}`).join(', ')}`
    const tail = `)${resultCast} as result`
    out.push(
      optional.length
        ? `  ${key(f.name)}: callsOf(${str(head)}, ${required.length}, [${optional.map((a) => `[${str(a.name)}, ${str(castOf(a.type))}]`).join(', ')}], ${str(tail)}),`
        : `  ${key(f.name)}: fixedStatement(${str(head + tail)}),`,
    )
    if (f.comment) calls.push(`  /** ${f.comment.replace(/\*\//g, '* /')} */`)
    calls.push(`  async ${key(f.name)}(db: QueryRunner, args: RpcArgs<${str(f.name)}>): Promise<RpcReturns<${str(f.name)}>> {`)
    calls.push(`    const values: unknown[] = [${required.map((a) => `args.${a.name}`).join(', ')}]`)
    let statement = `statements[${str(f.name)}]`
    if (optional.length) {
      calls.push('    let given = 0')
      optional.forEach((a, i) => {
        calls.push(`    if (args.${a.name} !== undefined) {`, `      values.push(args.${a.name})`, `      given |= ${1 << i}`, '    }')
      })
      statement += '(given)'
    }
    calls.push(`    const { rows } = await db.executeQuery<{ result: ${resultType} }>(bind(${statement}, values))`)
    calls.push(isVoid ? '    void rows' : '    return rows[0]!.result')
    calls.push('  },')
  }
  out.push('}', '', ...calls, '}', '')
  return out.join('\n')
}
