import { CompiledQuery, type QueryResult } from 'kysely'
import { ConstraintViolationError, NotAuthenticatedError, TransientError } from '../../errors/avolve-error.js'
import { withUnknownOutcome } from '../../errors/unknown-outcome.js'
import type { Command, Connection, ConnectionSource, QueryRunner } from './connection-source.js'
import { bind, fixedStatement, type FixedStatement } from './statements.js'
import type { DataPort, UnitOfWork, UnitOfWorkOptions } from '../../repositories/data-port.js'
import { autoRetriedCodes, backoffDelay, sleep, type RetryPolicy } from '../../retry/backoff.js'
import { PgDataPort } from './data-port.js'
import { isConnectionLoss, mapDriverError } from './map-error.js'
import { assertServerRole, type RequestIdentity } from './request-identity.js'
import type { RoleSetting, RoleSettings } from './role-settings.js'

type Phase = 'connect' | 'work' | 'commit'

const LOST_COMMIT = 'The connection broke during commit, so the change may or may not have been applied; retry with the same idempotency key to find out.'

// Fixed statements, compiled once. The set-up binds all its values; nothing is spliced into SQL.
const BEGIN = CompiledQuery.raw('begin')
const COMMIT = CompiledQuery.raw('commit')
const ROLLBACK = CompiledQuery.raw('rollback')

/** Per list of role settings (one array per role, see RoleSettings.known): the set-up's text, built once, and its values. */
const setups = new WeakMap<readonly RoleSetting[], { statement: FixedStatement; values: readonly string[] }>()

/**
 * The set-up: the role's own settings, then the role and the claims, all transaction-local and in
 * one statement. The settings come first, as PostgREST orders them: one the login role may set only
 * by a `grant set on parameter` is set while it is still the login role. After them, ISO dates:
 * timestamps are read as text, and a session (or role) with another DateStyle would send them in a
 * form the SDK does not parse; PostgREST is immune, its JSON always writes them in ISO 8601.
 */
function setupQuery(identity: RequestIdentity, settings: readonly RoleSetting[]): CompiledQuery {
  let setup = setups.get(settings)
  if (setup === undefined) {
    const calls = settings.map((_, i) => `set_config($${2 * i + 3}, $${2 * i + 4}, true), `).join('')
    const statement = `select ${calls}set_config('datestyle', 'ISO', true), set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`
    setups.set(settings, (setup = { statement: fixedStatement(statement), values: settings.flat() }))
  }
  return bind(setup.statement, [identity.role, JSON.stringify(identity.claims), ...setup.values])
}

/**
 * Runs each unit of work in one transaction as the request's role, the way PostgREST runs a request:
 * `begin`, then one statement of transaction-local settings (the role's own settings such as its
 * statement_timeout, the role, and the claims that auth.uid()/auth.jwt() read), then the work, then
 * `commit`. On a pipelining connection (the SDK's
 * own pool) the first three are sent together, in one write, so the set-up costs no round trip of
 * its own, and idempotent work that has sent all its statements (DataPort.sentAll) has its commit
 * sent right behind them: a transfer is one round trip.
 * Nothing outlives the transaction, so a transaction-mode pooler (Supavisor, PgBouncer) can hand the
 * connection to anyone next.
 *
 * Transient failures are retried with jittered backoff when the attempt left no trace: rolled back,
 * or never sent. A connection lost during `commit` leaves the outcome unknown: such work is retried
 * only when it is idempotent (transfers and mints carry their key), else reported as outcomeUnknown.
 */
export class TransactionRunner implements UnitOfWork {
  private setup: CompiledQuery | undefined

  /** @param roleSettings where the role's settings come from (read once per SDK, shared by its runners) */
  constructor(
    private readonly connections: ConnectionSource,
    private readonly identity: RequestIdentity,
    private readonly retry: RetryPolicy,
    private readonly roleSettings: RoleSettings,
  ) {
    assertServerRole(identity.role)
    const known = roleSettings.known(identity.role)
    if (known) this.setup = setupQuery(identity, known)
  }

  async run<T>(work: (port: DataPort) => Promise<T>, options: UnitOfWorkOptions): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.assertNotExpired()
      let phase = 'connect' as Phase
      let port: PgDataPort | undefined
      try {
        return await this.connections.withConnection(async (conn) => {
          // Known once the SDK's first unit has read the settings: no await, and no round trip, from then on.
          const setup = (this.setup ??= setupQuery(this.identity, await this.roleSettings.of(this.identity.role, conn)))
          phase = 'work'
          const pipelined = this.connections.pipelined
          // Commit sent early, right behind the work's last statements (DataPort.sentAll). Only for
          // idempotent work: a connection lost after it leaves the outcome unknown, and such work
          // is safe to retry. transaction() runs as not idempotent, so the work inside it never ends it.
          let committed: Promise<QueryResult<Command>> | undefined
          const endEarly =
            pipelined && options.idempotent
              ? () => {
                  phase = 'commit'
                  committed = conn.executeQuery<Command>(COMMIT)
                  committed.catch(ignore)
                }
              : undefined
          port = new PgDataPort(conn, this.identity.userId, pipelined, endEarly)
          try {
            const result = pipelined ? await pipelinedWork(conn, setup, work, port) : await sequentialWork(conn, setup, work, port)
            phase = 'commit'
            const { rows } = await (committed ?? conn.executeQuery<Command>(COMMIT))
            // PostgreSQL answers COMMIT with ROLLBACK when a statement failed earlier in the
            // transaction (work that caught an error and went on): nothing was committed.
            if (rows[0]?.command === 'ROLLBACK') throw new RolledBackError()
            return result
          } catch (error) {
            // After a failed statement the transaction is aborted; roll it back so the connection is
            // clean. A commit already sent ends it either way: it only has to have answered.
            if (committed) await committed.catch(ignore)
            else if (phase === 'work') await conn.executeQuery(ROLLBACK).catch(ignore)
            throw error
          }
        })
      } catch (raw) {
        const error = mapDriverError(raw)
        // A read whose commit was lost has changed nothing: only work that called a function can
        // have been applied unseen.
        const unknownOutcome = phase === 'commit' && port?.wrote !== false && isConnectionLoss(error)
        const retryable = error instanceof TransientError && autoRetriedCodes.has(error.code) && (!unknownOutcome || options.idempotent)
        if (!retryable || attempt >= this.retry.maxAttempts) throw unknownOutcome ? withUnknownOutcome(error, LOST_COMMIT) : error
        await sleep(backoffDelay(attempt, this.retry))
      }
    }
  }

  private assertNotExpired(): void {
    const exp = this.identity.expiresAt
    if (exp !== undefined && exp * 1000 <= Date.now()) {
      throw new NotAuthenticatedError({ code: 'token_expired', message: 'the access token has expired: refresh the session and retry' })
    }
  }
}

/** Begin, the set-up, then the work, each statement sent once the one before has answered. */
async function sequentialWork<T>(conn: QueryRunner, setup: CompiledQuery, work: (port: DataPort) => Promise<T>, port: DataPort): Promise<T> {
  await conn.executeQuery(BEGIN)
  await conn.executeQuery(setup)
  return work(port)
}

/**
 * Begin, the set-up and the work's first statements issued together, so they travel in one flight
 * (and one write: pg would write each statement on its own, a syscall and a packet apiece).
 * They run in this order, and a failed set-up is the cause of whatever the work then reports: after
 * it, every statement of the transaction fails as aborted. The work settles before that error is
 * thrown: work that outlived a failed set-up could go on to use the connection after it was rolled
 * back and handed on.
 */
async function pipelinedWork<T>(conn: Connection, setup: CompiledQuery, work: (port: DataPort) => Promise<T>, port: DataPort): Promise<T> {
  const [begun, setUp, done] = conn.inOneWrite(() => [conn.executeQuery(BEGIN), conn.executeQuery(setup), started(work, port)] as const)
  // Marked as handled at once: each may fail while the one before is awaited; each is awaited after.
  setUp.catch(ignore)
  done.catch(ignore)
  try {
    await begun
    await setUp
  } catch (error) {
    await done.catch(ignore)
    throw error
  }
  return done
}

const ignore = () => {}

/** `work(port)` as a promise, also when work throws before it returns one. */
function started<T>(work: (port: DataPort) => Promise<T>, port: DataPort): Promise<T> {
  try {
    return work(port)
  } catch (error) {
    return Promise.reject(error)
  }
}

/** Thrown when COMMIT rolled back: work went on after one of its statements failed. */
export class RolledBackError extends ConstraintViolationError {
  override name = 'RolledBackError'
  constructor() {
    super({
      code: 'transaction_rolled_back',
      message: 'the transaction was rolled back, not committed: one of its statements failed and the work went on; let errors inside transaction() propagate',
    })
  }
}

/** A unit of work inside an open transaction: runs work on its connection, no transaction of its own. */
export class InlineUnitOfWork implements UnitOfWork {
  constructor(private readonly port: DataPort) {}
  run<T>(work: (port: DataPort) => Promise<T>): Promise<T> {
    return work(this.port)
  }
}
