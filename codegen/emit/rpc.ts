import type { Catalog, PgType, RpcFunction } from '../catalog/types.js'
import { pgTypeSchemas } from '../../src/schemas/primitives.js'
import { tsType } from './type-mapping.js'
import { camel, docComment, key, literal, pascal, str } from './ts.js'
import { enumValuesName } from './vocabularies.js'

const enumType = (t: PgType) => pascal(t.name)

/** The zod schema of an argument's type: its enum's values, or the hand-written schema of its type. */
function zodFor(t: PgType): string {
  const base = t.kind === 'e' ? `z.enum(${enumValuesName(t.name)})` : `pgTypeSchemas.${t.name in pgTypeSchemas ? t.name : 'unknown'}`
  return t.array ? `z.array(${base})` : base
}

/** A type as SQL names it: qualified outside pg_catalog, so it is also the cast a call binds a value with. */
function sqlName(t: PgType): string {
  const name = t.kind === 'e' || t.schema !== 'pg_catalog' ? `${t.schema}.${t.name}` : t.name
  return t.array ? `${name}[]` : name
}

function returnsOf(f: RpcFunction): string {
  return tsType(f.returns, enumType) + (f.returnsSet ? '[]' : '')
}

/**
 * Refuses functions the hand-written calls (src/adapters/pg/rpc-statements.ts) cannot make: a
 * call is `select fn(...) as result`, one value per row.
 */
function checkCallable(f: RpcFunction): void {
  if (f.returnsSet && (f.returns.kind === 'c' || f.returns.kind === 'p')) {
    throw new Error(`public.${f.name} returns a set of rows; codegen generates calls for functions returning a value, a set of values or void.`)
  }
  const defaulted = f.args.filter((a) => a.hasDefault).length
  if (defaulted > 30) throw new Error(`public.${f.name} has ${defaulted} defaulted arguments; codegen handles up to 30`)
}

/**
 * A function's entry in `rpcFunctions`: what a call needs (schema, arguments with the type each value
 * is cast to, the defaulted ones marked optional, the result's type) and who may execute it.
 */
export function rpcFunctionData(f: RpcFunction) {
  checkCallable(f)
  return {
    schema: f.schema,
    args: f.args.map((a) => ({ name: a.name, type: sqlName(a.type), optional: a.hasDefault })),
    returns: sqlName(f.returns),
    returnsSet: f.returnsSet,
    volatility: f.volatility,
    executableBy: f.executableBy,
  }
}

/** A value of an argument's type, as an example writes it: a uuid is a variable named after the argument. */
function sampleValue(catalog: Catalog, name: string, t: PgType): string {
  const enumValue = catalog.enums.find((e) => e.schema === t.schema && e.name === t.name)?.values[0]
  const one =
    t.kind === 'e' && enumValue !== undefined
      ? str(enumValue)
      : t.name === 'uuid'
        ? camel(name.replace(/^p_/, ''))
        : (({ numeric: "'1'", int8: "'1'", int4: '1', int2: '1', float8: '1', bool: 'true', timestamptz: 'new Date().toISOString()', jsonb: '{}', json: '{}' } as Record<string, string>)[t.name] ??
          "'text'")
  return t.array ? `[${one}]` : one
}

/** Doc comments of rpc.ts's exports, their examples made from `f`, a function with arguments. */
function rpcDocs(catalog: Catalog, f: RpcFunction | undefined): Record<'functions' | 'signatures' | 'name' | 'args' | 'returns' | 'schemas', string[]> {
  const name = f?.name ?? 'none'
  const q = str(name)
  const args = f
    ? `{ ${f.args
        .filter((a) => !a.hasDefault)
        .map((a) => `${key(a.name)}: ${sampleValue(catalog, a.name, a.type)}`)
        .join(', ')} }`
    : '{}'
  const call = [`const args: RpcArgs<${q}> = ${args}`, `const { data } = await supabase.rpc(${q}, args) // data: RpcReturns<${q}>`]
  return {
    functions: docComment('The functions the API exposes, as the catalog describes them: arguments (with the types values are cast to), result, volatility and the roles that may execute each.', [
      "import { rpcFunctions } from '@avolve/db'",
      '',
      `rpcFunctions.${name}.executableBy // ${literal(f?.executableBy ?? [])}`,
    ]),
    signatures: docComment('Arguments and result of each function the API exposes.', [
      "import type { RpcSignatures } from '@avolve/db'",
      '',
      `type Args = RpcSignatures[${q}]['Args'] // { ${(f?.args ?? []).map((a) => `${key(a.name)}${a.hasDefault ? '?' : ''}: …`).join(', ')} }`,
    ]),
    name: docComment('The name of a function the API exposes.', ["import type { RpcName } from '@avolve/db'", '', `const fn: RpcName = ${q}`]),
    args: docComment("A function's named arguments, as `supabase.rpc()` sends them (defaulted ones optional).", ["import type { RpcArgs, RpcReturns } from '@avolve/db'", '', ...call]),
    returns: docComment("A function's result, as the SDK reads it (exact numbers and times as strings).", ["import type { RpcArgs, RpcReturns } from '@avolve/db'", '', ...call]),
    schemas: docComment("zod schemas of each function's arguments, from their catalog types (unknown keys are refused).", [
      "import { rpcArgSchemas } from '@avolve/db'",
      '',
      `rpcArgSchemas.${name}.safeParse(${args}).success // true`,
      `rpcArgSchemas.${name}.safeParse({ ...${args}, extra: 1 }).success // false`,
    ]),
  }
}

/**
 * src/generated/rpc.ts: for each function the API exposes, its signature as data (names, types,
 * defaults, who may execute it), its TypeScript Args/Returns, and a zod schema of its arguments
 * (built from the hand-written schemas of src/schemas/primitives.ts). The calls themselves are
 * hand-written code driven by this data (src/adapters/pg/rpc-statements.ts).
 */
export function emitRpc(catalog: Catalog): string {
  const fns = catalog.functions
  const enums = [
    ...new Set(
      fns
        .flatMap((f) => [...f.args.map((a) => a.type), f.returns])
        .filter((t) => t.kind === 'e')
        .map((t) => t.name),
    ),
  ]
  const out: string[] = ["import { z } from 'zod'", "import { pgTypeSchemas } from '../schemas/primitives.js'"]
  if (enums.length) {
    out.push(`import { ${enums.flatMap((e) => [enumValuesName(e), `type ${pascal(e)}`]).join(', ')} } from './vocabularies.js'`)
  }
  // A json argument or result is typed as the Database type's Json.
  if (fns.some((f) => [...f.args.map((a) => a.type), f.returns].some((t) => /\bJson\b/.test(tsType(t, enumType))))) {
    out.push("import type { Json } from './database.js'")
  }
  const docs = rpcDocs(catalog, fns.find((f) => f.args.some((a) => !a.hasDefault) && f.returns.name !== 'void') ?? fns[0])
  out.push('', ...docs.functions, 'export const rpcFunctions = {')
  for (const f of fns) {
    if (f.comment) out.push(`  /** ${f.comment.replace(/\*\//g, '* /')} */`)
    out.push(`  ${key(f.name)}: ${literal(rpcFunctionData(f), '  ')},`)
  }
  out.push('} as const', '')
  out.push(...docs.signatures, 'export interface RpcSignatures {')
  for (const f of fns) {
    const args = f.args.map((a) => `${key(a.name)}${a.hasDefault ? '?' : ''}: ${tsType(a.type, enumType)}`)
    out.push(`  ${key(f.name)}: {`, `    Args: ${args.length ? `{ ${args.join('; ')} }` : 'Record<string, never>'}`, `    Returns: ${returnsOf(f)}`, '  }')
  }
  out.push(
    '}',
    '',
    ...docs.name,
    'export type RpcName = keyof RpcSignatures',
    '',
    ...docs.args,
    "export type RpcArgs<F extends RpcName> = RpcSignatures[F]['Args']",
    '',
    ...docs.returns,
    "export type RpcReturns<F extends RpcName> = RpcSignatures[F]['Returns']",
    '',
    ...docs.schemas,
    'export const rpcArgSchemas = {',
  )
  for (const f of fns) {
    const props = f.args.map((a) => `    ${key(a.name)}: ${zodFor(a.type)}${a.hasDefault ? '.optional()' : ''},`)
    out.push(`  ${key(f.name)}: z.strictObject({${props.length ? `\n${props.join('\n')}\n  ` : ''}}),`)
  }
  out.push('} satisfies { [F in RpcName]: z.ZodType<RpcArgs<F>> }', '')
  return out.join('\n')
}
