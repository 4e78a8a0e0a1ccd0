import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { recordFigure } from '../../support/reliability-report.js'
import { useTestDatabase } from '../../support/test-database.js'
import { functionRoles, privateExecutableExpectations, publicFunctionExpectations, type Execute, type FunctionExpectation, type FunctionRole } from './expectations.js'
import { attempt, bind, catalog, coverage, createFixtures, expectNone, inRolledBackRequest, requesterFor, type Fixtures } from './probe.js'

/**
 * The function matrix: every function in `public` (PostgREST's /rpc) and every function in `private`
 * that an API role can execute × anon / authenticated / service_role. Each cell is checked twice: the
 * catalog (has_function_privilege) and a real call as the role, in a request that is rolled back.
 */

const file = 'function-matrix'
const command = 'npx vitest run test/reliability/security'
const db = useTestDatabase()
let fixtures: Fixtures
/** The SQLSTATEs Avolve documents; an allowed call may end in one of these, and in nothing else. */
let listedErrors = new Set<string>()

beforeAll(async () => {
  fixtures = await createFixtures(db())
  const rows = await catalog<{ sqlstate: string }>(db().admin, 'select sqlstate from private.error_codes')
  listedErrors = new Set(rows.map((r) => r.sqlstate))
})

/** Every function of a schema (keyed by regprocedure) with the API roles that may execute it. */
async function functionsIn(schema: string): Promise<Map<string, FunctionRole[]>> {
  const rows = await catalog<{ name: string; roles: FunctionRole[] }>(
    db().admin,
    `select p.oid::pg_catalog.regprocedure::text as name,
       array(select r from pg_catalog.unnest(:roles::text[]) as r where pg_catalog.has_function_privilege(r, p.oid, 'EXECUTE')) as roles
     from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
     where n.nspname = :schema
     order by 1`,
    { schema, roles: [...functionRoles] },
  )
  return new Map(rows.map((r) => [r.name, r.roles]))
}

interface Cell {
  fn: string
  role: FunctionRole
  expected: Execute
}

interface Verdict {
  violations: string[]
}

const cellsOf = (expectations: Readonly<Record<string, FunctionExpectation>>): Cell[] =>
  Object.entries(expectations).flatMap(([fn, e]) => functionRoles.map((role) => ({ fn, role, expected: e.execute[role] })))

/** Checks one cell both ways; returns what disagrees with the expectation (nothing when it holds). */
async function checkCell(cell: Cell, spec: FunctionExpectation): Promise<Verdict> {
  const violations: string[] = []
  const [privilege] = await catalog<{ granted: boolean }>(db().admin, `select pg_catalog.has_function_privilege(:role, :fn::pg_catalog.regprocedure, 'EXECUTE') as granted`, {
    role: cell.role,
    fn: cell.fn,
  })
  const granted = privilege?.granted === true
  if (granted !== (cell.expected === 'allowed')) {
    violations.push(`has_function_privilege('${cell.role}', '${cell.fn}', 'EXECUTE') is ${granted}`)
  }

  const call = bind(spec.call, { ...fixtures, key: randomUUID() })
  const result = await inRolledBackRequest(db().api, requesterFor(cell.role, fixtures), (c) => attempt(c, call.text, call.values))
  const error = 'error' in result ? result.error : undefined
  if (cell.expected === 'denied' && error?.code !== '42501') {
    violations.push(`calling it as ${cell.role} ${error ? `failed with ${error.code} ${error.message}` : 'succeeded'}, expected 42501`)
  }
  if (cell.expected === 'allowed' && error?.code === '42501') {
    violations.push(`calling it as ${cell.role} was refused: ${error.message}`)
  }
  // An allowed call with plausible arguments may end in a documented business refusal, never in an
  // undocumented error (which would mean the probe call itself is wrong and proves nothing).
  if (cell.expected === 'allowed' && error && error.code !== '42501' && !listedErrors.has(error.code)) {
    violations.push(`calling it as ${cell.role} failed with the undocumented ${error.code} ${error.message}`)
  }
  return { violations }
}

describe.each([
  { group: 'functions in public', expectations: publicFunctionExpectations },
  { group: 'functions in private that API roles can execute', expectations: privateExecutableExpectations },
])('$group', ({ group, expectations }) => {
  const results: Verdict[] = []

  it.each(cellsOf(expectations))('$fn: $role is $expected', async (cell) => {
    const verdict = await checkCell(cell, expectations[cell.fn]!)
    results.push(verdict)
    expectNone(verdict.violations, `${cell.fn} should be ${cell.expected} for ${cell.role}`)
  })

  afterAll(() => {
    recordFigure(file, {
      area: 'security',
      check: `${group} × ${functionRoles.length} roles (privilege and real call)`,
      cases: results.length,
      violations: results.filter((r) => r.violations.length > 0).length,
      command,
    })
  })
})

describe('coverage', () => {
  it('every function in public has expectations, and every expectation names a function', async () => {
    const discovered = [...(await functionsIn('public')).keys()]
    const { missing, stale } = coverage(discovered, Object.keys(publicFunctionExpectations))
    recordFigure(file, {
      area: 'security',
      check: 'function matrix covers every function in public',
      cases: discovered.length,
      violations: missing.length + stale.length,
      command,
    })
    expectNone(missing, 'functions in public without expectations: add each to publicFunctionExpectations in test/reliability/security/expectations.ts')
    expectNone(stale, 'expectations for functions that no longer exist in public: remove them from publicFunctionExpectations')
  })

  it('exactly the listed functions in private are executable by an API role, each by exactly the listed roles', async () => {
    const discovered = await functionsIn('private')
    const expectedRoles = (fn: string): FunctionRole[] => {
      const e = privateExecutableExpectations[fn]
      return e ? functionRoles.filter((role) => e.execute[role] === 'allowed') : []
    }
    const offenders = [...discovered]
      .filter(([fn, roles]) => roles.join(',') !== expectedRoles(fn).join(','))
      .map(([fn, roles]) => `${fn}: executable by [${roles.join(', ')}], expected [${expectedRoles(fn).join(', ')}]`)
    const stale = Object.keys(privateExecutableExpectations).filter((fn) => !discovered.has(fn))
    recordFigure(file, {
      area: 'security',
      check: 'functions in private executable by exactly the listed API roles',
      cases: discovered.size,
      violations: offenders.length + stale.length,
      command,
    })
    expectNone(offenders, 'functions in private executable by other API roles than listed: revoke, or list them in privateExecutableExpectations with a call that proves them safe')
    expectNone(stale, 'privateExecutableExpectations lists functions that no longer exist in private: remove them')
  })
})
