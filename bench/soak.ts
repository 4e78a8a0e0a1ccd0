/**
 * `npm run soak` (part of `npm run reliability`): a bounded soak of the server SDK. 32 callers for
 * 60 s, transfers and consents mixed, then the ledger invariants. Prints transfers/s, latency
 * percentiles and errors by code, and records the figure for RELIABILITY.md.
 */
import { parseArgs } from 'node:util'
import { AvolveError } from '../src/index.js'
import { createAvolveDb } from '../src/server.js'
import { checkLedgerInvariants } from '../test/support/ledger-invariants.js'
import { recordFigure } from '../test/support/reliability-report.js'
import { benchSettings, createBenchUsers, fund, startBenchDatabase } from './lib/environment.js'
import { percentile, round } from './lib/stats.js'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, callers: { type: 'string', default: '32' } } })
const seconds = Number(values.seconds)
const callers = Number(values.callers)

async function main() {
  console.log(`soak: ${callers} callers for ${seconds} s (transfers 80%, consents 20%); settings ${JSON.stringify(benchSettings)}`)
  const db = await startBenchDatabase(() => {})
  try {
    const users = await createBenchUsers(db.admin, 64)
    await fund(db.admin, users, 'GEN', '1000')
    const sdk = createAvolveDb({ connection: db.apiUrl, pool: { max: callers } })
    const scopes = await Promise.all(users.map((id) => sdk.asUser({ sub: id, role: 'authenticated', exp: Math.floor(Date.now() / 1000) + seconds + 3600 })))
    const latencies = { transfer: [] as number[], consent: [] as number[] }
    const errors = new Map<string, number>()
    const end = Date.now() + seconds * 1000
    let transfers = 0
    let consents = 0
    let tick = Date.now()
    await Promise.all(
      Array.from({ length: callers }, async (_, c) => {
        let i = c
        while (Date.now() < end) {
          i++
          const from = scopes[i % scopes.length]!
          const started = performance.now()
          try {
            if (i % 5 === 0) {
              await from.consent.record('data_sharing', [`soak-${i}`])
              latencies.consent.push(performance.now() - started)
              consents++
            } else {
              const to = users[(i * 7 + 1) % users.length]!
              if (to !== users[i % users.length]) {
                await from.tokens.transfer({ to, tokenType: 'GEN', amount: `${(i % 50) + 1}.${i % 1000}` })
                latencies.transfer.push(performance.now() - started)
                transfers++
              }
            }
          } catch (e) {
            const code = e instanceof AvolveError ? e.code : String(e)
            errors.set(code, (errors.get(code) ?? 0) + 1)
          }
          if (c === 0 && Date.now() - tick > 10_000) {
            tick = Date.now()
            console.log(`soak: ${Math.round((end - Date.now()) / 1000)} s left, ${transfers} transfers, ${consents} consents, ${[...errors.values()].reduce((a, b) => a + b, 0)} errors`)
          }
        }
      }),
    )
    await sdk.destroy()
    const report = await checkLedgerInvariants(db.admin)
    const sorted = [...latencies.transfer].sort((a, b) => a - b)
    const perSecond = transfers / seconds
    const errorsByCode = Object.fromEntries(errors)
    // Refusals for an empty balance are the business working; anything else counts against the run.
    const unexpected = [...errors].filter(([code]) => code !== 'insufficient_balance').reduce((n, [, k]) => n + k, 0)
    const summary = {
      transfersPerSecond: round(perSecond, 1),
      consentsPerSecond: round(consents / seconds, 1),
      transferP50Ms: round(percentile(sorted, 50)),
      transferP99Ms: round(percentile(sorted, 99)),
      consentP99Ms: round(
        percentile(
          [...latencies.consent].sort((a, b) => a - b),
          99,
        ),
      ),
      errorsByCode,
      invariantViolations: report.violations,
    }
    console.log(JSON.stringify(summary, null, 2))
    recordFigure('soak', {
      area: 'load and the pooler',
      check: `soak: ${callers} callers for ${seconds} s, transfers and consents mixed, invariants checked at the end`,
      cases: transfers + consents,
      violations: report.violations.length + unexpected,
      load: `${summary.transfersPerSecond} transfers/s and ${summary.consentsPerSecond} consents/s; transfer p50 ${summary.transferP50Ms} ms, p99 ${summary.transferP99Ms} ms`,
      command: `npm run soak -- --seconds ${seconds} --callers ${callers}`,
      notes: `errors by code: ${JSON.stringify(errorsByCode)}; the invariants include every account's running balances chaining to its balance`,
    })
    if (report.violations.length || unexpected) process.exitCode = 1
  } finally {
    await db.stop()
  }
}

main().catch((e: unknown) => {
  console.error(`soak failed: ${e instanceof Error ? e.stack : String(e)}`)
  process.exit(1)
})
