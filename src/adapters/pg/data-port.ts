import type { RpcArgs, RpcName, RpcReturns } from '../../generated/rpc.js'
import { shapeOf, type DataPort, type SelectQuery } from '../../repositories/data-port.js'
import { bindSelect, compileSelect, type CompiledSelect } from './compile-select.js'
import type { QueryRunner } from './connection-source.js'
import { rpcCalls as pgRpc } from './rpc-statements.js'

const compiled = new Map<string, CompiledSelect>()

const ended: QueryRunner = {
  executeQuery: () => Promise.reject(new Error('this unit of work has already sent its commit (sentAll() was called): send every statement before calling it')),
}

/**
 * DataPort over one `pg` connection (checked out of a pool, or of a Kysely instance the app passed in) inside a transaction. Identifiers come only from the generated
 * column list; every value is a bound parameter.
 */
export class PgDataPort implements DataPort {
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
    const call = pgRpc[fn] as (db: QueryRunner, a: RpcArgs<F>) => Promise<RpcReturns<F>>
    return call(this.conn, args)
  }

  async select(query: SelectQuery): Promise<Array<Record<string, unknown>>> {
    const shape = query.shape ?? shapeOf(query)
    let select = compiled.get(shape)
    if (select === undefined) compiled.set(shape, (select = compileSelect(query)))
    const { rows } = await this.conn.executeQuery(bindSelect(select, query))
    return rows
  }
}
