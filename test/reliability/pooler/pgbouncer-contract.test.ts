import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serverEnv } from '../../contract/env.js'
import { contractSuite } from '../../contract/suite.js'
import { startPgBouncer, type PgBouncer } from '../../support/pgbouncer.js'
import { recordFigure } from '../../support/reliability-report.js'
import type { TestDatabase } from '../../support/test-database.js'

/**
 * The server adapter's whole contract suite again, through PgBouncer in transaction mode: every
 * transaction may land on a different server connection, so anything that outlived a transaction
 * (a role, claims, a named prepared statement) would show up here as a failure.
 */
let bouncer: PgBouncer | undefined
let started: Promise<PgBouncer> | undefined

function bouncerUrl(db: TestDatabase): string {
  if (!bouncer) throw new Error('PgBouncer is not running')
  return bouncer.url.replace(/\/[^/?]*(\?|$)/, `/${db.name}$1`)
}

const env = serverEnv({ label: 'PgBouncer (transaction mode)', connection: bouncerUrl })

beforeAll(async () => {
  started ??= startPgBouncer(env.db().authenticatorUrl, { poolSize: 4 })
  bouncer = await started
})
afterAll(async () => {
  await bouncer?.stop()
})

contractSuite(env)

describe('the pooler', () => {
  it('carried those transactions, on at most its pool size of server connections', async () => {
    await new Promise((r) => setTimeout(r, 1_500)) // PgBouncer folds its counters into SHOW STATS every stats_period (1 s)
    const console = new pg.Client({ connectionString: bouncer!.adminUrl })
    await console.connect()
    try {
      const stats = (await console.query('SHOW STATS')).rows.find((r) => r.database === env.db().name)
      const pools = (await console.query('SHOW POOLS')).rows.filter((r) => r.database === env.db().name)
      expect(Number(stats?.total_xact_count)).toBeGreaterThan(50)
      const serverConnections = pools.reduce((n, p) => n + Number(p.sv_active) + Number(p.sv_idle) + Number(p.sv_used) + Number(p.sv_tested) + Number(p.sv_login), 0)
      expect(serverConnections).toBeLessThanOrEqual(4)
      expect(pools[0]?.pool_mode).toBe('transaction')
      recordFigure('pgbouncer-contract', {
        area: 'load and the pooler',
        check: 'server contract suite through PgBouncer in transaction mode (cases: transactions it carried)',
        cases: Number(stats?.total_xact_count),
        violations: 0,
        command: 'npx vitest run test/reliability/pooler',
      })
    } finally {
      await console.end()
    }
  })
})
