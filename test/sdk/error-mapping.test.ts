import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { mapDriverError } from '../../src/adapters/pg/map-error.js'
import { ConstraintViolationError, databaseErrorCodes, PermissionDeniedError, TransientError, UnexpectedError, ValidationError, AvolveError } from '../../src/server.js'
import { errorClassByName } from '../../src/errors/database-errors.js'
import { asRequester, user } from '../support/requests.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()

/** The driver's error for `text`, run as a superuser (or as `who`). */
async function driverError(text: string, setup: string[] = []): Promise<unknown> {
  const client = new pg.Client({ connectionString: db().adminUrl })
  await client.connect()
  try {
    for (const s of setup) await client.query(s)
    await client.query(text)
  } catch (e) {
    return e
  } finally {
    await client.end()
  }
  throw new Error(`${text} did not fail`)
}

describe('every database error code maps to its error class', () => {
  it.each(databaseErrorCodes.map((e) => [e.name, e.sqlstate] as const))('%s (%s), raised by the database, becomes its class', async (name, sqlstate) => {
    const raw = await driverError(`select private.raise_error('${name}', 'some detail')`)
    const error = mapDriverError(raw)
    expect(error).toBeInstanceOf(errorClassByName[name])
    expect(error).toMatchObject({ code: name, sqlstate, details: 'some detail', cause: raw })
    expect(error.message).toContain('some detail')
    expect(error.hint).toBeTruthy()
  })

  it('covers the generated list exactly (a new code without a class fails to compile and here)', () => {
    expect(Object.keys(errorClassByName).sort()).toEqual(databaseErrorCodes.map((e) => e.name).sort())
  })
})

describe('standard SQLSTATEs', () => {
  it.each([
    ['unique violation', `insert into t values (1), (1)`, ['create temp table t (id int primary key)'], ConstraintViolationError, 'unique_violation'],
    ['malformed value', `select 'not-a-uuid'::uuid`, [], ValidationError, 'invalid_input'],
    ['statement timeout', `select pg_sleep(2)`, ['set statement_timeout = 50'], TransientError, 'statement_timeout'],
    ['missing function', `select public.no_such_function()`, [], UnexpectedError, 'schema_mismatch'],
    ['unknown custom code', `do $$ begin raise exception using errcode = 'ZZ999', message = 'odd'; end $$`, [], UnexpectedError, 'database_error'],
    ['plain raise', `do $$ begin raise exception 'odd'; end $$`, [], UnexpectedError, 'database_error'],
  ] as const)('%s', async (_label, text, setup, cls, code) => {
    const error = mapDriverError(await driverError(text, [...setup]))
    expect(error).toBeInstanceOf(cls)
    expect(error.code).toBe(code)
    // An error the SDK has no meaning for is never passed off as bad input.
    if (code === 'database_error') expect(error).not.toBeInstanceOf(ValidationError)
  })

  it('a lock timeout is transient and retryable', async () => {
    const holder = new pg.Client({ connectionString: db().adminUrl })
    await holder.connect()
    try {
      await holder.query('create table if not exists lock_probe (id int primary key); insert into lock_probe values (1) on conflict do nothing')
      await holder.query('begin; select * from lock_probe where id = 1 for update')
      const error = mapDriverError(await driverError('select * from lock_probe where id = 1 for update', ['set lock_timeout = 50']))
      expect(error).toBeInstanceOf(TransientError)
      expect(error).toMatchObject({ code: 'lock_timeout', retryable: true })
    } finally {
      await holder.query('rollback')
      await holder.end()
    }
  })

  it('a permission error means "not allowed" (the server never runs as anon)', async () => {
    const asUser = await asRequester(db().api, user(crypto.randomUUID()), (c) => c.query('select * from private.user_stats')).catch((e) => e)
    expect(mapDriverError(asUser)).toBeInstanceOf(PermissionDeniedError)
  })

  it('driver-level failures: refused connection, exhausted pool', async () => {
    const refused = new pg.Client({ connectionString: 'postgres://x:y@127.0.0.1:1/db' })
    const e1 = mapDriverError(await refused.connect().catch((e) => e))
    expect(e1).toMatchObject({ code: 'connection_lost', retryable: true })
    const pool = new pg.Pool({ connectionString: db().adminUrl, max: 1, connectionTimeoutMillis: 100 })
    const held = await pool.connect()
    try {
      const e2 = mapDriverError(await pool.connect().catch((e) => e))
      expect(e2).toBeInstanceOf(TransientError)
      expect(e2.code).toBe('pool_timeout')
    } finally {
      held.release()
      await pool.end()
    }
    const odd = mapDriverError(new RangeError('something else'))
    expect(odd).toBeInstanceOf(UnexpectedError)
    expect(odd).toBeInstanceOf(AvolveError)
  })
})
