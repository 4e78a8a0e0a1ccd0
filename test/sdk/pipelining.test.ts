import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAvolveDb, InsufficientBalanceError, type AvolveDb } from '../../src/server.js'
import { expectAvolveError } from '../support/expect-error.js'
import { poolSource, type ConnectionSource } from '../../src/adapters/pg/connection-source.js'
import { PgDataPort } from '../../src/adapters/pg/data-port.js'
import { TransactionRunner } from '../../src/adapters/pg/unit-of-work.js'
import { RoleSettings } from '../../src/adapters/pg/role-settings.js'
import { TransientError } from '../../src/errors/avolve-error.js'
import { onlySelect } from '../../src/repositories/port-backed/only-select.js'
import { FlightRecorder } from '../support/flight-recorder.js'
import { createUsers } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'
import { inAnHour } from '../support/tokens.js'

const db = useTestDatabase()
let recorder: FlightRecorder
let sdk: AvolveDb

// The role's own settings (authenticated's statement_timeout), ISO dates, the role, the claims: one statement.
const SETUP = /^select (set_config\(\$\d+, \$\d+, true\), )+set_config\('datestyle', 'ISO', true\), set_config\('role', \$1, true\), set_config\('request\.jwt\.claims', \$2, true\)$/

/** The test database's `authenticator` URL, through the recorder. */
const proxied = () => {
  const url = new URL(db().authenticatorUrl)
  url.host = `127.0.0.1:${recorder.port}`
  return url.toString()
}

beforeAll(async () => {
  const url = new URL(db().authenticatorUrl)
  recorder = await new FlightRecorder({ host: url.hostname, port: Number(url.port) }).start()
  // The SDK's own pool (a connection string): pipelining is on by default. One connection, so the
  // flights of one call are the flights of one connection.
  sdk = createAvolveDb({ connection: proxied(), pool: { max: 1 } })
})
afterAll(async () => {
  await sdk.destroy()
  await recorder.close()
})

describe('round trips on the SDK’s own pool (pipelined)', () => {
  it('a transfer: begin, the set-up, the RPC, the read-back by key and commit, all in one flight', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await sdk.asService().tokens.mint({ to: a!, tokenType: 'GEN', amount: '10' })
    const me = await sdk.asUser({ sub: a!, role: 'authenticated', exp: inAnHour() })
    recorder.reset()
    const row = await me.tokens.transfer({ to: b!, tokenType: 'GEN', amount: '2.5' })
    const flights = recorder.flights()
    expect(flights).toHaveLength(1)
    expect(flights[0]).toHaveLength(5)
    expect(flights[0]![0]).toBe('begin')
    expect(flights[0]![1]).toMatch(SETUP)
    expect(flights[0]![2]).toMatch(/^select public\.transfer_tokens\(/)
    expect(flights[0]![3]).toMatch(/from "public"\."token_transactions" where "from_user_id" = \$1 and "idempotency_key" = \$2 limit \$3$/)
    expect(flights[0]![4]).toBe('commit')
    // The row read behind the call is the one the call wrote.
    expect(row).toMatchObject({ from_user_id: a, to_user_id: b, amount: '2.5', kind: 'transfer' })
    expect(await me.tokens.balance('GEN')).toBe('7.5')
  })

  it('a read: begin, the set-up, the select and commit, all in one flight', async () => {
    const [a] = await createUsers(db().admin, 1)
    const me = await sdk.asUser({ sub: a!, role: 'authenticated', exp: inAnHour() })
    recorder.reset()
    await me.tokens.balances()
    const flights = recorder.flights()
    expect(flights.map((f) => f.length)).toEqual([4])
    expect(flights[0]![2]).toMatch(/from "public"\."token_balances" where/)
    expect(flights[0]![3]).toBe('commit')
  })

  it('a refused transfer reports the RPC’s own error, commits nothing, and leaves the balance as it was', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await sdk.asService().tokens.mint({ to: a!, tokenType: 'GEN', amount: '1' })
    const me = await sdk.asUser({ sub: a!, role: 'authenticated', exp: inAnHour() })
    recorder.reset()
    // The read-back sent behind the refused call fails too (the transaction is aborted), and the
    // commit behind it ends the transaction as a rollback: the caller must see the refusal.
    await expectAvolveError(me.tokens.transfer({ to: b!, tokenType: 'GEN', amount: '5' }), InsufficientBalanceError, 'insufficient_balance')
    expect(recorder.flights().map((f) => f.length)).toEqual([5])
    expect(await me.tokens.balance('GEN')).toBe('1')
    const { rows } = await db().admin.query('select count(*)::int as n from public.token_transactions where from_user_id = $1', [a])
    expect(rows[0].n).toBe(0)
  })

  it('a retried key reads back the first row, in the same single flight', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await sdk.asService().tokens.mint({ to: a!, tokenType: 'GEN', amount: '10' })
    const me = await sdk.asUser({ sub: a!, role: 'authenticated', exp: inAnHour() })
    const input = { to: b!, tokenType: 'GEN' as const, amount: '3', idempotencyKey: crypto.randomUUID() }
    const first = await me.tokens.transfer(input)
    recorder.reset()
    const again = await me.tokens.transfer(input)
    expect(again).toEqual(first)
    expect(recorder.flights().map((f) => f.length)).toEqual([5])
    expect(await me.tokens.balance('GEN')).toBe('7')
  })

  it('a mint reads its ledger row back in the same flight', async () => {
    const [a] = await createUsers(db().admin, 1)
    recorder.reset()
    const row = await sdk.asService().tokens.mint({ to: a!, tokenType: 'GEN', amount: '4' })
    expect(row).toMatchObject({ to_user_id: a, amount: '4', kind: 'mint' })
    expect(recorder.flights().map((f) => f.length)).toEqual([5])
  })

  it('inside transaction(), a transfer does not end the transaction: abandoning it undoes the transfer', async () => {
    const [a, b] = await createUsers(db().admin, 2)
    await sdk.asService().tokens.mint({ to: a!, tokenType: 'GEN', amount: '10' })
    const me = await sdk.asUser({ sub: a!, role: 'authenticated', exp: inAnHour() })
    recorder.reset()
    const abandoned = await me
      .transaction(async (tx) => {
        await tx.tokens.transfer({ to: b!, tokenType: 'GEN', amount: '4' })
        throw new Error('abandon')
      })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      )
    expect(abandoned?.message).toMatch(/abandon/)
    const sent = recorder.flights().flat()
    expect(sent).not.toContain('commit')
    expect(sent.at(-1)).toBe('rollback')
    expect(await me.tokens.balance('GEN')).toBe('10')
  })
})

describe('who pipelines', () => {
  async function transferFlights(sdkUnderTest: AvolveDb): Promise<number[]> {
    const [a, b] = await createUsers(db().admin, 2)
    await sdk.asService().tokens.mint({ to: a!, tokenType: 'GEN', amount: '10' })
    const me = await sdkUnderTest.asUser({ sub: a!, role: 'authenticated', exp: inAnHour() })
    await me.tokens.balance('GEN') // the connection is made before the count starts
    recorder.reset()
    await me.tokens.transfer({ to: b!, tokenType: 'GEN', amount: '1' })
    return recorder.flights().map((f) => f.length)
  }

  it('the SDK’s own pool with pipeline: false: one statement per flight, the read-back by the returned id', async () => {
    const plain = createAvolveDb({ connection: proxied(), pool: { max: 1, pipeline: false } })
    try {
      expect(await transferFlights(plain)).toEqual([1, 1, 1, 1, 1])
      expect(recorder.flights()[3]![0]).toMatch(/where "id" = \$1 limit \$2$/)
    } finally {
      await plain.destroy()
    }
  })

  it('a pg Pool the app made without pipelining: reads issued together reach the client one at a time', async () => {
    // pg queues a query sent to a busy client only with a deprecation warning (pg 9 drops it): count
    // how many of the client's queries are ever in flight at once.
    const pool = new pg.Pool({ connectionString: proxied(), max: 1 })
    let inFlight = 0
    let most = 0
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...a: unknown[]) => Promise<unknown>
      ;(client as unknown as { query: (...a: unknown[]) => Promise<unknown> }).query = (...a: unknown[]) => {
        most = Math.max(most, ++inFlight)
        return query(...a).finally(() => inFlight--)
      }
    })
    const app = createAvolveDb({ connection: pool })
    try {
      const [a, b] = await createUsers(db().admin, 2)
      await sdk.asService().tokens.mint({ to: a!, tokenType: 'GEN', amount: '10' })
      const me = await app.asUser({ sub: a!, role: 'authenticated', exp: inAnHour() })
      const from = new Date(Date.now() - 60_000).toISOString()
      await me.tokens.transfer({ to: b!, tokenType: 'GEN', amount: '4' })
      recorder.reset()
      // Opening balance, the page and the closing balance: three reads the repository issues together.
      const statement = await me.tokens.statement({ tokenType: 'GEN', from })
      expect(statement).toMatchObject({ openingBalance: '0', closingBalance: '6' })
      expect(statement.items.map((e) => e.amount)).toEqual(['10', '-4'])
      expect(recorder.flights().map((f) => f.length)).toEqual([1, 1, 1, 1, 1, 1])
      expect(most).toBe(1)
    } finally {
      await app.destroy()
      await pool.end()
    }
  })

  it('a pg Pool the app made with pipeline: true, like the SDK’s own', async () => {
    const pool = new pg.Pool({ connectionString: proxied(), max: 1, pipeline: true })
    const app = createAvolveDb({ connection: pool })
    try {
      expect(await transferFlights(app)).toEqual([5])
    } finally {
      await app.destroy()
      await pool.end()
    }
  })
})

describe('writes per flight', () => {
  /** A pipelining pool whose sockets count the writes they hand to the operating system. */
  function countingPool(): { pool: pg.Pool; writes: () => number } {
    let writes = 0
    const pool = new pg.Pool({ connectionString: db().authenticatorUrl, max: 1, pipeline: true })
    pool.on('connect', (client) => {
      const stream = client.connection.stream as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void }
      for (const method of ['_write', '_writev'] as const) {
        const original = stream[method].bind(stream)
        stream[method] = (...args: unknown[]) => {
          writes++
          original(...args)
        }
      }
    })
    return { pool, writes: () => writes }
  }

  it('a transfer’s five statements leave in one write, and a read’s four in one', async () => {
    const { pool, writes } = countingPool()
    const app = createAvolveDb({ connection: pool })
    try {
      const [a, b] = await createUsers(db().admin, 2)
      await sdk.asService().tokens.mint({ to: a!, tokenType: 'GEN', amount: '10' })
      const me = await app.asUser({ sub: a!, role: 'authenticated', exp: inAnHour() })
      await me.tokens.balance('GEN') // the connection is made before the count starts
      let before = writes()
      await me.tokens.transfer({ to: b!, tokenType: 'GEN', amount: '1' })
      expect(writes() - before).toBe(1)
      before = writes()
      expect(await me.tokens.balance('GEN')).toBe('9')
      expect(writes() - before).toBe(1)
    } finally {
      await app.destroy()
      await pool.end()
    }
  })
})

describe('a port whose unit has sent its commit', () => {
  it('refuses any further statement rather than run it outside the transaction', async () => {
    const sent: string[] = []
    const conn = {
      executeQuery: async (q: { sql: string }) => {
        sent.push(q.sql)
        return { rows: [] }
      },
    }
    const port = new PgDataPort(conn as never, null, true, () => sent.push('commit'))
    port.sentAll()
    await expect(port.select({ relation: 'token_types', where: [], orderBy: [] })).rejects.toThrow(/already sent its commit/)
    expect(sent).toEqual(['commit'])
  })
})

describe('when the set-up sent with the work fails', () => {
  const role = `lonely_${process.pid}`
  let lonely: AvolveDb

  beforeAll(async () => {
    // A login role that is no member of `authenticated`: switching to it fails in the set-up. It may
    // read token_balances itself, so a statement of the work that ran after the rollback, outside
    // the transaction, would succeed where one inside the aborted transaction fails.
    await db().admin.query(`create role ${role} login password 'lonely'; grant usage on schema public to ${role}; grant select on public.token_balances to ${role}`)
    const url = new URL(db().authenticatorUrl)
    url.username = role
    url.password = 'lonely'
    lonely = createAvolveDb({ connection: url.toString(), pool: { max: 1 } })
  })
  afterAll(async () => {
    await lonely.destroy()
    await db().admin.query(`drop owned by ${role}; drop role ${role}`)
  })

  it('reports the set-up’s error, and the work never outlives the transaction it was sent into', async () => {
    const [a] = await createUsers(db().admin, 1)
    const me = await lonely.asUser({ sub: a!, role: 'authenticated', exp: inAnHour() })
    const outcomes: string[] = []
    const failed = await me
      .transaction(async (tx) => {
        // Work that swallows its errors and goes on: its statements run inside the aborted transaction.
        for (let i = 0; i < 3; i++)
          outcomes.push(
            await tx.tokens.balance('GEN').then(
              () => 'ran',
              () => 'failed',
            ),
          )
      })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      )
    expect(failed?.message).toMatch(/permission denied to set role "authenticated"/)
    expect(outcomes).toEqual(['failed', 'failed', 'failed'])
    const { rows } = await db().admin.query(`select count(*)::int as n from pg_stat_activity where usename = $1 and state like 'idle in transaction%'`, [role])
    expect(rows[0].n).toBe(0)
  })
})

describe('a commit lost on the way, sent right behind the work', () => {
  // A connection that answers everything but the commit, which it loses as a dropped socket would.
  const source = (sent: string[]): ConnectionSource => ({
    pipelined: true,
    withConnection: (fn) =>
      fn({
        executeQuery: async (q: { sql: string }) => {
          sent.push(q.sql)
          if (q.sql === 'commit') throw new Error('Connection terminated unexpectedly')
          return { rows: q.sql.includes('record_consent') ? [{ result: crypto.randomUUID() }] : [] } as never
        },
        inOneWrite: (issue) => issue(),
      }),
  })
  const runnerOf = (sent: string[]) =>
    new TransactionRunner(source(sent), { role: 'authenticated', claims: { sub: 'u' }, userId: 'u' }, { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, new RoleSettings(new Map()))

  it('leaves a read’s outcome known: a select changes nothing', async () => {
    const sent: string[] = []
    const error = await runnerOf(sent)
      .run((port) => onlySelect(port, { relation: 'token_types', where: [[]], orderBy: [] }), { idempotent: true })
      .then(
        () => undefined,
        (e: unknown) => e as TransientError,
      )
    expect(sent.at(-1)).toBe('commit')
    expect(error).toBeInstanceOf(TransientError)
    expect(error?.code).toBe('connection_lost')
    expect(error?.outcomeUnknown).toBeFalsy()
  })

  it('marks a call’s outcome unknown: the commit may have been applied', async () => {
    const sent: string[] = []
    const error = await runnerOf(sent)
      .run(
        async (port) => {
          const id = port.call('record_consent', { p_user_id: 'u', p_interaction_type: 'data_sharing', p_terms: ['t'] })
          port.sentAll()
          return await id
        },
        { idempotent: true },
      )
      .then(
        () => undefined,
        (e: unknown) => e as TransientError,
      )
    expect(sent.at(-1)).toBe('commit')
    expect(error?.code).toBe('connection_lost')
    expect(error?.outcomeUnknown).toBe(true)
  })
})

describe('a pg client that throws instead of rejecting', () => {
  it('has its error come back as a rejection, so the runner can hold on to every statement', async () => {
    let released = 0
    const client = {
      connection: { stream: { cork() {}, uncork() {} } },
      query() {
        throw new TypeError('Client was passed a null or undefined query')
      },
      release: () => void released++,
    }
    const pool = { options: { pipeline: true }, connect: async () => client } as unknown as pg.Pool
    const outcome = await poolSource(pool).withConnection(async (conn) => {
      let sent: Promise<unknown> | undefined
      expect(() => (sent = conn.executeQuery({ sql: 'commit', parameters: [] } as never))).not.toThrow()
      return sent!.then(
        () => 'answered',
        (e: unknown) => (e as Error).message,
      )
    })
    expect(outcome).toBe('Client was passed a null or undefined query')
    expect(released).toBe(1)
  })
})
