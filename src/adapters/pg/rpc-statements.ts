import { rpcFunctions, type RpcArgs, type RpcName, type RpcReturns } from '../../generated/rpc.js'
import { bind, fixedStatement, type FixedStatement, type QueryRunner } from './statements.js'

/** What a call needs to know of a function: the generated `rpcFunctions` entry's shape. */
export interface RpcFunctionShape {
  readonly schema: string
  /** In declaration order; the defaulted (`optional`) ones come last, as PostgreSQL requires. */
  readonly args: ReadonlyArray<{ readonly name: string; readonly type: string; readonly optional: boolean }>
  readonly returns: string
  readonly returnsSet: boolean
}

/** A function's call: its arguments bound, in the caller's transaction. */
export type RpcCall<F extends RpcName> = (db: QueryRunner, args: RpcArgs<F>) => Promise<RpcReturns<F>>

type UntypedCall = (db: QueryRunner, args: Readonly<Record<string, unknown>>) => Promise<unknown>

/**
 * Result types that must travel as text: `pg` would parse numbers into doubles (rounding them) and
 * times into Dates (dropping microseconds).
 */
const TEXT_RESULTS = new Set(['numeric', 'int8', 'timestamptz', 'timestamp', 'date', 'money', 'interval'])

function resultCast(returns: string): string {
  const array = returns.endsWith('[]')
  if (!TEXT_RESULTS.has(array ? returns.slice(0, -2) : returns)) return ''
  return array ? '::text[]' : '::text'
}

/**
 * The call of function `name`, with named arguments as PostgREST calls them (a defaulted argument
 * left out when not given) and every value bound, never spliced. Each combination of given defaulted
 * arguments has its own statement (bit i of `given` set when the i-th defaulted argument is),
 * numbered in the order the values are bound; its text is built once, on first use, so a call
 * builds no SQL: it binds its values and sends them.
 */
function callOf(name: string, fn: RpcFunctionShape): UntypedCall {
  const required = fn.args.filter((a) => !a.optional)
  const defaulted = fn.args.filter((a) => a.optional)
  const head = `select ${fn.schema}.${name}(${required.map((a, i) => `${a.name} => $${i + 1}::${a.type}`).join(', ')}`
  const tail = `)${resultCast(fn.returns)} as result`
  const built: FixedStatement[] = []
  const statement = (given: number): FixedStatement => {
    let s = built[given]
    if (s === undefined) {
      let sql = head
      let n = required.length
      defaulted.forEach((a, i) => {
        if (given & (1 << i)) sql += `${n ? ', ' : ''}${a.name} => $${++n}::${a.type}`
      })
      built[given] = s = fixedStatement(sql + tail)
    }
    return s
  }
  if (!defaulted.length) statement(0)
  const read = fn.returns === 'void' ? () => undefined : fn.returnsSet ? (rows: Array<{ result: unknown }>) => rows.map((r) => r.result) : (rows: Array<{ result: unknown }>) => rows[0]!.result
  // pg sends a JavaScript array as a PostgreSQL array: a json value goes as its text.
  const encoders = fn.args.map((a) => (a.type === 'jsonb' || a.type === 'json' ? (v: unknown) => (v === null ? v : JSON.stringify(v)) : undefined))
  const requiredEncoders = encoders.filter((_, i) => !fn.args[i]!.optional)
  const defaultedEncoders = encoders.filter((_, i) => fn.args[i]!.optional)
  return async (db, args) => {
    const values: unknown[] = []
    for (let i = 0; i < required.length; i++) {
      const value = args[required[i]!.name]
      const encode = requiredEncoders[i]
      values.push(encode ? encode(value) : value)
    }
    let given = 0
    for (let i = 0; i < defaulted.length; i++) {
      const raw = args[defaulted[i]!.name]
      const encode = defaultedEncoders[i]
      const value = raw === undefined || !encode ? raw : encode(raw)
      if (value !== undefined) {
        values.push(value)
        given |= 1 << i
      }
    }
    const { rows } = await db.executeQuery<{ result: unknown }>(bind(statement(given), values))
    return read(rows)
  }
}

/** The calls of the functions `functions` describes (the generated `rpcFunctions`, or a test's). */
export function rpcCallsOf<N extends string>(functions: Readonly<Record<N, RpcFunctionShape>>): Record<N, UntypedCall> {
  const calls = {} as Record<N, UntypedCall>
  for (const name of Object.keys(functions) as N[]) calls[name] = callOf(name, functions[name])
  return calls
}

/** Calls of the API functions, each in the caller's transaction. */
export const rpcCalls = rpcCallsOf(rpcFunctions) as unknown as { readonly [F in RpcName]: RpcCall<F> }
