import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordFigure } from '../../support/reliability-report.js'
import { useTestDatabase } from '../../support/test-database.js'
import { actions, relationExpectations, relationRoles, type Action, type Outcome, type RelationRole } from './expectations.js'
import { catalog, coverage, createFixtures, expectNone, relationProber, type Fixtures, type Observation } from './probe.js'

/**
 * The RLS matrix: every relation in `public` (what PostgREST exposes) and `private` × the four kinds
 * of requester × select/insert/update/delete, each cell probed for real as that role in a request
 * that is rolled back, and compared with expectations.ts.
 */

const file = 'rls-matrix'
const command = 'npx vitest run test/reliability/security'
const db = useTestDatabase()
let fixtures: Fixtures
let discovered: string[] = []
let fingerprintBefore = new Map<string, string>()

const relationKinds = `c.relkind in ('r', 'p', 'v', 'm', 'f')`

async function discoverRelations(): Promise<string[]> {
  const rows = await catalog<{ name: string }>(
    db().admin,
    `select pg_catalog.format('%I.%I', n.nspname, c.relname) as name
     from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where n.nspname in ('public', 'private') and ${relationKinds}
     order by 1`,
  )
  return rows.map((r) => r.name)
}

/** A digest of every row of every relation: the probes must leave it exactly as they found it. */
async function fingerprint(relations: readonly string[]): Promise<Map<string, string>> {
  const digests = new Map<string, string>()
  for (const relation of relations) {
    const rows = await catalog<{ digest: string }>(
      db().admin,
      `select count(*) || ':' || pg_catalog.md5(coalesce(pg_catalog.string_agg(t::text, e'\\n' order by t::text), '')) as digest from ${relation} t`,
    )
    digests.set(relation, rows[0]?.digest ?? '')
  }
  return digests
}

beforeAll(async () => {
  fixtures = await createFixtures(db())
  discovered = await discoverRelations()
  fingerprintBefore = await fingerprint(discovered)
})

describe('coverage', () => {
  it('every relation in public and private has expectations, and every expectation names a relation', () => {
    const { missing, stale } = coverage(discovered, Object.keys(relationExpectations))
    recordFigure(file, {
      area: 'security',
      check: 'RLS matrix covers every relation in public and private',
      cases: discovered.length,
      violations: missing.length + stale.length,
      command,
    })
    expectNone(missing, 'relations without expectations: add an entry for each to relationExpectations in test/reliability/security/expectations.ts')
    expectNone(stale, 'expectations for relations that no longer exist: remove them from relationExpectations')
  })
})

interface Cell {
  relation: string
  role: RelationRole
  action: Action
  expected: Outcome
}

const cellsIn = (schema: string): Cell[] =>
  Object.entries(relationExpectations)
    .filter(([relation]) => relation.startsWith(`${schema}.`))
    .flatMap(([relation, e]) => relationRoles.flatMap((role) => actions.map((action) => ({ relation, role, action, expected: e.expect[role][action] }))))

const probeCell = relationProber(db, () => fixtures)

describe.each([
  { schema: 'public', why: 'exposed through PostgREST' },
  { schema: 'private', why: 'reachable over a direct connection' },
])('relations in $schema ($why)', ({ schema }) => {
  const results: { cell: Cell; observed: Observation }[] = []

  it.each(cellsIn(schema))('$relation: $role $action is $expected', async (cell) => {
    const spec = relationExpectations[cell.relation]!
    const observed = await probeCell(cell.relation, spec.probe, cell.role, cell.action)
    results.push({ cell, observed })
    expect(observed.outcome, `${cell.relation}: ${cell.role} ${cell.action} should be ${cell.expected}, observed ${observed.outcome} (${observed.detail})`).toBe(cell.expected)
  })

  afterAll(() => {
    recordFigure(file, {
      area: 'security',
      check: `RLS matrix: relations in ${schema} × ${relationRoles.length} roles × ${actions.length} actions`,
      cases: results.length,
      violations: results.filter((r) => r.observed.outcome !== r.cell.expected).length,
      command,
    })
  })
})

describe('private.user_stats (a materialized view: no RLS, so privileges are the only wall)', () => {
  const results: boolean[] = []
  afterAll(() => {
    recordFigure(file, {
      area: 'security',
      check: 'private.user_stats readable by service_role only',
      cases: results.length,
      violations: results.filter((ok) => !ok).length,
      command,
    })
  })

  it.each([
    { role: 'anon', expected: 'denied' },
    { role: 'owner', expected: 'denied' },
    { role: 'other', expected: 'denied' },
    { role: 'service_role', expected: 'allowed' },
  ] as const)('$role select is $expected', async ({ role, expected }) => {
    const spec = relationExpectations['private.user_stats']
    expect(spec, 'private.user_stats needs expectations').toBeDefined()
    // Asserted on its own, not only through the table above, so nobody can relax it by editing one row.
    const observed = await probeCell('private.user_stats', spec!.probe, role, 'select')
    results.push(spec!.expect[role].select === expected && observed.outcome === expected)
    expect(spec!.expect[role].select, 'relationExpectations must keep private.user_stats service_role-only').toBe(expected)
    expect(observed.outcome, `private.user_stats: ${role} select (${observed.detail})`).toBe(expected)
  })
})

describe('probes leave no trace', () => {
  it('every relation holds exactly the rows it held before the matrix ran', async () => {
    const after = await fingerprint(discovered)
    const changed = discovered.filter((relation) => after.get(relation) !== fingerprintBefore.get(relation))
    recordFigure(file, { area: 'security', check: 'RLS probes change no rows', cases: discovered.length, violations: changed.length, command })
    expectNone(changed, 'relations whose rows changed during the probes (a probe committed)')
  })
})
