import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { expect } from 'vitest'
import { anon, asRequester, createUsers, mint, queryAs, service, user, type Requester } from '../../support/requests.js'
import type { TestDatabase } from '../../support/test-database.js'
import type { Action, Outcome, RelationProbe, RelationRole } from './expectations.js'

/** The users and rows the probes are about (see expectations.ts); a type, not an interface, so it binds as parameters. */
export type Fixtures = {
  owner: string
  other: string
  spare: string
  consent: string
}

/**
 * Two users with data in every user-owned table, made the way the API makes it: each records a consent
 * (so user_consent and consent_history have rows), gets GEN minted and sends the other some (so the
 * ledger has mints and transfers and both have balances); the stats view is refreshed so the owner has
 * a row there too. A third auth user has its profile removed, so inserting that profile is a valid row.
 */
export async function createFixtures(db: TestDatabase): Promise<Fixtures> {
  const [owner, other, spare] = (await createUsers(db.admin, 3, 'security')) as [string, string, string]
  await db.admin.query('delete from public.users where id = $1', [spare])
  const consents: string[] = []
  for (const id of [owner, other]) {
    const [row] = await queryAs<{ id: string }>(db.api, user(id), `select public.record_consent($1, 'terms_of_service', '{v1}') as id`, [id])
    consents.push(row!.id)
    await mint(db.api, id, 'GEN', '100')
  }
  await queryAs(db.api, user(owner), `select public.transfer_tokens($1, $2, 'GEN', 1, $3)`, [owner, other, randomUUID()])
  await queryAs(db.api, user(other), `select public.transfer_tokens($1, $2, 'GEN', 2, $3)`, [other, owner, randomUUID()])
  // A hold of the owner's for a third user, whom neither matrix role is.
  const [payee] = (await createUsers(db.admin, 1, 'security-payee')) as [string]
  await queryAs(db.api, user(owner), `select public.hold_tokens($1, $2, 'GEN', 1, 3600, $3)`, [owner, payee, randomUUID()])
  await queryAs(db.api, user(owner), `select public.transfer_tokens_batch($1::jsonb, $2)`, [JSON.stringify([{ to: other, token_type: 'GEN', amount: 1 }]), randomUUID()])
  await queryAs(db.api, service, 'select public.refresh_user_stats()')
  return { owner, other, spare, consent: consents[0]! }
}

/** The request a matrix role runs as; the function matrix's `authenticated` is the owner, on the owner's data. */
export function requesterFor(role: RelationRole | 'authenticated', fixtures: Fixtures): Requester {
  switch (role) {
    case 'anon':
      return anon
    case 'owner':
    case 'authenticated':
      return user(fixtures.owner)
    case 'other':
      return user(fixtures.other)
    case 'service_role':
      return service
  }
}

/**
 * Turns `:name` parameters into `$n` bind parameters (so probe SQL stays readable and values are never
 * spliced into it); `::type` casts are left alone.
 */
export function bind(text: string, params: Readonly<Record<string, unknown>>): { text: string; values: unknown[] } {
  const values: unknown[] = []
  const slots = new Map<string, number>()
  const bound = text.replace(/(?<![:\w]):([a-z][a-z_]*)/g, (_match, name: string) => {
    if (!(name in params)) throw new Error(`unknown parameter :${name} in: ${text}`)
    let slot = slots.get(name)
    if (slot === undefined) {
      values.push(params[name])
      slot = values.length
      slots.set(name, slot)
    }
    return `$${slot}`
  })
  return { text: bound, values }
}

class Rollback extends Error {}

/**
 * Runs `fn` as `who` inside a PostgREST-style request that is always rolled back: asRequester commits
 * unless its callback throws, so the callback throws a sentinel once `fn` has observed what it needs.
 */
export async function inRolledBackRequest<T>(pool: pg.Pool, who: Requester, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const sentinel = new Rollback('probe done: roll back')
  let observed: { value: T } | undefined
  try {
    await asRequester(pool, who, async (client) => {
      observed = { value: await fn(client) }
      throw sentinel
    })
  } catch (error) {
    if (error !== sentinel) throw error
  }
  if (!observed) throw new Error('inRolledBackRequest: the probe did not finish')
  return observed.value
}

export interface SqlError {
  code: string
  message: string
}

function asSqlError(error: unknown): SqlError | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error) || typeof error.code !== 'string') return undefined
  return { code: error.code, message: error instanceof Error ? error.message : String(error) }
}

/** One statement, whose failure is a result to look at rather than an exception. */
export async function attempt(client: pg.PoolClient, text: string, values: unknown[]): Promise<{ rowCount: number } | { error: SqlError }> {
  try {
    const result = await client.query(text, values)
    return { rowCount: result.rowCount ?? result.rows.length }
  } catch (error) {
    const sqlError = asSqlError(error)
    if (!sqlError) throw error
    return { error: sqlError }
  }
}

/** A catalog query as the superuser, with an empty search_path so every name comes out qualified. */
export async function catalog<R extends pg.QueryResultRow>(admin: pg.Pool, text: string, params: Readonly<Record<string, unknown>> = {}): Promise<R[]> {
  const client = await admin.connect()
  try {
    await client.query('begin')
    await client.query(`set local search_path = ''`)
    const bound = bind(text, params)
    const { rows } = await client.query<R>(bound.text, bound.values)
    await client.query('commit')
    return rows
  } catch (error) {
    await client.query('rollback').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}

/** Asserts that `offenders` is empty, with every offender spelled out in the failure message. */
export function expectNone(offenders: readonly string[], what: string): void {
  expect(offenders, `${what}:\n  ${offenders.join('\n  ')}\n`).toEqual([])
}

/** What is in the catalog but not in the expectations, and the other way round. */
export function coverage(discovered: readonly string[], expected: readonly string[]): { missing: string[]; stale: string[] } {
  return {
    missing: discovered.filter((name) => !expected.includes(name)).sort(),
    stale: expected.filter((name) => !discovered.includes(name)).sort(),
  }
}

export interface Observation {
  outcome: Outcome | 'error'
  detail: string
}

const statements: Readonly<Record<Action, (relation: string, probe: RelationProbe) => string>> = {
  select: (relation, probe) => `select 1 from ${relation} where ${probe.row}`,
  insert: (relation, probe) => `insert into ${relation} ${probe.insert}`,
  update: (relation, probe) => `update ${relation} set ${probe.set} where ${probe.row}`,
  delete: (relation, probe) => `delete from ${relation} where ${probe.row}`,
}

/** Avolve's own error classes (V0, VA, VC, VT): on a write, only its triggers raise them. */
const listedErrorClass = /^V[0-9A-Z]{4}$/

/**
 * Whether a 42501 is a privilege error on the probed relation itself (or its schema). Any other 42501
 * (on a function, or on another table) means the role holds the relation's privilege and a constraint
 * or trigger then hit something it may not use: refused, but not by the wall the matrix describes, so
 * it is reported as an error.
 */
function deniedOn(relation: string, message: string): boolean {
  const [schema, name] = relation.split('.')
  return message === `permission denied for schema ${schema}` || ['table', 'view', 'materialized view', 'foreign table'].some((kind) => message === `permission denied for ${kind} ${name}`)
}

function classify(relation: string, error: SqlError): Observation {
  const detail = `${error.code} ${error.message}`
  if (error.code === '42501' && error.message.startsWith('new row violates row-level security policy')) return { outcome: 'rejected by policy', detail }
  if (error.code === '42501' && deniedOn(relation, error.message)) return { outcome: 'denied', detail }
  if (listedErrorClass.test(error.code)) return { outcome: 'refused by trigger', detail }
  return { outcome: 'error', detail }
}

/**
 * Probes one cell of the relation matrix for real, in a rolled-back request. Before reading or
 * writing the probed row it checks (as the superuser) that the row exists, because against a missing
 * row every role would look `filtered` and a deny would pass for the wrong reason.
 */
export function relationProber(db: () => TestDatabase, fixtures: () => Fixtures) {
  const rowCounts = new Map<string, Promise<number>>()
  const rowsExist = (relation: string, probe: RelationProbe) => {
    let count = rowCounts.get(relation)
    if (!count) {
      const bound = bind(`select count(*)::int as n from ${relation} where ${probe.row}`, fixtures())
      count = db()
        .admin.query<{ n: number }>(bound.text, bound.values)
        .then((r) => r.rows[0]?.n ?? 0)
      rowCounts.set(relation, count)
    }
    return count
  }

  return async (relation: string, probe: RelationProbe, role: RelationRole, action: Action): Promise<Observation> => {
    try {
      if (action !== 'insert' && (await rowsExist(relation, probe)) === 0) {
        return { outcome: 'error', detail: `the fixtures have no row of ${relation} where ${probe.row}: the probe would prove nothing` }
      }
      const bound = bind(statements[action](relation, probe), fixtures())
      const result = await inRolledBackRequest(db().api, requesterFor(role, fixtures()), (c) => attempt(c, bound.text, bound.values))
      if ('error' in result) return classify(relation, result.error)
      const verb = action === 'select' ? 'saw' : action === 'insert' ? 'inserted' : `${action}d`
      return { outcome: result.rowCount > 0 ? 'allowed' : 'filtered', detail: `${verb} ${result.rowCount} row(s)` }
    } catch (error) {
      return { outcome: 'error', detail: `probe failed: ${error instanceof Error ? error.message : String(error)}` }
    }
  }
}
