import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { expect } from 'vitest'

/** Who a request runs as: what PostgREST derives from the JWT (anon when there is none). */
export type Requester = { role: 'anon' } | { role: 'authenticated'; sub?: string } | { role: 'service_role' }

export const anon: Requester = { role: 'anon' }
export const service: Requester = { role: 'service_role' }
export const user = (sub: string): Requester => ({ role: 'authenticated', sub })
/** A signed-in role with no `sub` claim: a token Supabase would not issue, but a caller could forge. */
export const noSub: Requester = { role: 'authenticated' }

function claimsOf(r: Requester): Record<string, unknown> {
  if (r.role !== 'authenticated') return { role: r.role }
  return r.sub === undefined ? { role: r.role, aud: 'authenticated' } : { sub: r.sub, role: r.role, aud: 'authenticated' }
}

/**
 * Runs `fn` in one transaction as `who`, the way PostgREST runs a request: the role and the claims
 * are transaction-local settings made in one statement. Commits unless `fn` throws.
 */
export async function asRequester<T>(pool: pg.Pool, who: Requester, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('begin')
    await client.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [who.role, JSON.stringify(claimsOf(who))])
    const result = await fn(client)
    await client.query('commit')
    return result
  } catch (error) {
    await client.query('rollback').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}

/** One statement as `who`; returns its rows. */
export async function queryAs<R extends pg.QueryResultRow = Record<string, unknown>>(pool: pg.Pool, who: Requester, text: string, values: unknown[] = []): Promise<R[]> {
  return asRequester(pool, who, async (c) => (await c.query<R>(text, values)).rows)
}

/** Expects `promise` to fail with SQLSTATE `code`; returns the error for further checks. */
export async function expectSqlState(promise: Promise<unknown>, code: string): Promise<pg.DatabaseError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected SQLSTATE ${code}, but the statement succeeded`)
    },
    (e: unknown) => e as pg.DatabaseError,
  )
  expect(error.code, error.message).toBe(code)
  return error
}

/** Creates Supabase Auth users (their profiles come from the trigger); returns their ids. */
export async function createUsers(admin: pg.Pool, count: number, prefix = 'user'): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    const id = randomUUID()
    await admin.query(`insert into auth.users (id, email, aud, role) values ($1, $2, 'authenticated', 'authenticated')`, [id, `${prefix}-${i}-${id.slice(0, 8)}@example.test`])
    ids.push(id)
  }
  return ids
}

/** Mints as the service role (test set-up); returns the ledger row id. */
export async function mint(api: pg.Pool, to: string, tokenType: string, amount: string): Promise<string> {
  const rows = await queryAs<{ id: string }>(api, service, `select public.mint_tokens($1, $2, $3::numeric, $4) as id`, [to, tokenType, amount, randomUUID()])
  return rows[0]!.id
}
