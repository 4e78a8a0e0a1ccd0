import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot } from '../../src/tooling/migrations.js'

type Results = Record<string, any>

const f = (n: number | undefined, d = 0) => (n === undefined ? '–' : n.toFixed(d))
/** Whether the figures ran durable, as bench/run.ts records it per section; naming any that did not. */
function settingsNote(r: Results): string {
  const bySection: Record<string, string> = r.durability ?? {}
  const notDurable = Object.entries(bySection).filter(([, d]) => d !== 'durable')
  const durable = 'durable: `fsync`, `synchronous_commit` and `full_page_writes` on, as in production'
  if (r.durability && !notDurable.length) return durable
  if (!r.durability) return r.settings?.fsync === 'on' ? durable : '**durability off** (`fsync`, `synchronous_commit`, `full_page_writes`)'
  return `${durable}, except ${notDurable.map(([k, d]) => `${k} (${d})`).join(', ')}`
}

/** The README's performance section, rendered from bench/results.json: nothing typed by hand. */
export function performanceSection(r: Results): string {
  const lines: string[] = [
    `Measured by \`npm run bench\` on ${String(r.date).slice(0, 10)}: ${r.machine.cpus} cores (${r.machine.cpuModel}), Node ${r.machine.node}, ${String(r.machine.postgres).split(' on ')[0]} (embedded, ${settingsNote(r)}; ${r.rounds} rounds of ${r.roundSeconds} s${r.targetRounds && r.targetRounds !== r.rounds ? `, ${r.targetRounds} at 16 callers` : ''}, medians; PostgreSQL settings in \`bench/results.json\`). The machine is shared and noisy: read the ratios.`,
    '',
  ]
  if (r.transfers) {
    lines.push(
      '| transfers/s | SDK (server) | raw `pg`, same statements, same flights, same writes | pgbench, same statements, same flights | SDK / raw | raw / pgbench | Node CPU per transfer, SDK / raw |',
      '|---:|---:|---:|---:|---:|---:|---:|',
    )
    for (const [c, t] of Object.entries<any>(r.transfers)) {
      const cpu = t.nodeCpuMicrosPerTransfer
      lines.push(
        `| ${c} callers | ${f(t.sdk.median)} | ${f(t.raw.median)} | ${f(t.pgbench.median)} | ${f(t.sdkOverRaw, 2)} | ${f(t.rawOverPgbench, 2)} | ${cpu ? `${f(cpu.sdk)} / ${f(cpu.raw)} µs` : '–'} |`,
      )
    }
    lines.push('')
    const control = r.transfers['16']
    if (control?.rawAgain) {
      lines.push(
        `Noise control: at 16 callers raw \`pg\` also runs a second time in every round; the two runs of the same code gave ${f(control.raw.median)} and ${f(control.rawAgain.median)} transfers/s (ratio ${f(control.rawOverRawAgain, 3)}). Node CPU per transfer is this process's CPU time (all threads) over the measured window.`,
        '',
      )
    }
    if (control?.rawOneAtATime) {
      lines.push(
        `Pipelining: the SDK sends begin, the set-up, the RPC, the read-back and commit in one flight, handed to the socket in one write; raw \`pg\` above does the same (through \`client.connection.stream\`), and pgbench sends them in one pipeline. At 16 callers, raw \`pg\` pipelined as \`pg\` sends by default, a write per statement, made ${f(control.rawWritePerStatement?.median)} transfers/s (the SDK makes ${f(control.sdkOverRawWritePerStatement, 2)} of that); awaiting each of the five statements, as code usually does, ${f(control.rawOneAtATime.median)} (the SDK makes ${f(control.sdkOverRawOneAtATime, 2)}).`,
        '',
      )
    }
  }
  /** A section measured by a short run (`--quick --only ...`) says so: its figures are rougher than the rest. */
  const quickRun = (section: { quick?: boolean; rounds?: number; roundSeconds?: number; date?: string }) =>
    section.quick ? ` A quick run (${section.rounds} rounds of ${section.roundSeconds} s, ${section.date?.slice(0, 10)}): rough figures.` : ''
  if (r.batch) {
    const n = r.batch.size
    lines.push(
      `A batch against single transfers (issue 19), through the SDK's server adapter, taking turns in every round: an operation is ${n} transfers from one random sender to random receivers, either one \`tokens.transferBatch\` (one transaction, one commit: every account locked first, then each transfer through the same \`private.transfer_tokens\`) or ${n} \`tokens.transfer\` calls awaited in turn (${n} transactions, ${n} commits, each waiting for its WAL flush).${quickRun(r.batch)}`,
      '',
      `| callers | batch, transfers/s | singles, transfers/s | batch / singles | ms per ${n} transfers, batch p50 / p95 | singles p50 / p95 |`,
      '|---:|---:|---:|---:|---:|---:|',
      ...Object.entries<any>(r.batch.levels).map(
        ([c, l]) =>
          `| ${c} | ${f(l.batch.median)} | ${f(l.singles.median)} | ${f(l.batchOverSingles, 2)} | ${f(l.latencyMs.batch.p50, 1)} / ${f(l.latencyMs.batch.p95, 1)} | ${f(l.latencyMs.singles.p50, 1)} / ${f(l.latencyMs.singles.p95, 1)} |`,
      ),
      '',
    )
  }
  if (r.holds) {
    lines.push(
      `A hold and its capture against a plain transfer (issue 19), through the SDK's server adapter, taking turns in every round: 1 GEN from a random funded user to another, either one \`tokens.transfer\` or \`tokens.hold\` by the payer (expiring in ${r.holds.expiresIn} s) and then \`tokens.capture\` by the payee's own scope. A two-phase transfer is two transactions and two commits, each waiting for its WAL flush, instead of one: the hold writes the hold row, a ledger row and the payer's entry and moves the payer's \`held\`; the capture locks the hold, then both accounts in user id order, writes a ledger row and two entries, and marks the hold captured.${quickRun(r.holds)}`,
      '',
      '| callers | hold+capture, transfers/s | transfer, transfers/s | hold+capture / transfer | ms per transfer, hold+capture p50 / p95 | transfer p50 / p95 |',
      '|---:|---:|---:|---:|---:|---:|',
      ...Object.entries<any>(r.holds.levels).map(
        ([c, l]) =>
          `| ${c} | ${f(l.holdCapture.median)} | ${f(l.transfer.median)} | ${f(l.holdCaptureOverTransfer, 2)} | ${f(l.latencyMs.holdCapture.p50, 1)} / ${f(l.latencyMs.holdCapture.p95, 1)} | ${f(l.latencyMs.transfer.p50, 1)} / ${f(l.latencyMs.transfer.p95, 1)} |`,
      ),
      '',
    )
  }
  if (r.minimalTransfer) {
    const m = r.minimalTransfer
    // Each case once, for both tables: the levels of random pairs and the hot account, durable, then with durability off.
    const cases: Array<[string, any]> = [
      ...Object.entries<any>(m.levels).map(([c, l]): [string, any] => [`${c} clients`, l]),
      [`hot account, ${m.hot.clients} clients`, m.hot],
      ...(m.nonDurable
        ? [
            ...Object.entries<any>(m.nonDurable.levels).map(([c, l]): [string, any] => [`${c} clients, ${m.nonDurable.durability}`, l]),
            [`hot account, ${m.nonDurable.hot.clients} clients, ${m.nonDurable.durability}`, m.nonDurable.hot] as [string, any],
          ]
        : []),
    ]
    lines.push(
      `Against the smallest correct transfer (\`bench/minimal-transfer.sql\`: the two balance rows locked in id order with \`for update\`, a \`check (balance >= 0)\`, a unique idempotency key, one ledger row with an identity key), under pgbench on the same server, taking turns in every round; ${m.users} users, random pairs, a fresh key per transfer. \`public.transfer_tokens\` is called in one statement as the service role; the SDK path is the SDK's server transfer (set-up, the RPC and its read-back, pipelined) on its own pool.`,
      '',
      '| transfers/s | `transfer_tokens` (pgbench) | minimal (pgbench) | SDK path | `transfer_tokens` / minimal | SDK / `transfer_tokens` |',
      '|---:|---:|---:|---:|---:|---:|',
      ...cases.map(
        ([label, l]) =>
          `| ${label} | ${f(l.transferTokens.median)} | ${f(l.minimal.median)} | ${l.sdk ? f(l.sdk.median) : '–'} | ${f(l.transferTokensOverMinimal ?? l.ratio, 2)} | ${l.sdkOverTransferTokens === undefined ? '–' : f(l.sdkOverTransferTokens, 2)} |`,
      ),
      '',
    )
    const costs = cases.filter(([, l]) => l.cost)
    if (costs.length)
      lines.push(
        'Where the ratio comes from: what one transfer cost the server in the same runs (medians over the rounds). CPU is that of every PostgreSQL process over the pgbench run, from `/proc`, per transfer pgbench completed; WAL is the distance the WAL insert position moved, per transfer. The server fills the cores here, so throughput follows CPU per transfer.',
        '',
        '| per transfer | `transfer_tokens` CPU | minimal CPU | CPU ratio | `transfer_tokens` WAL | minimal WAL | WAL ratio |',
        '|---:|---:|---:|---:|---:|---:|---:|',
        ...costs.map(
          ([label, { cost: c }]) =>
            `| ${label} | ${c.transferTokens.cpuMicros} µs | ${c.minimal.cpuMicros} µs | ${f(c.cpuRatio, 2)} | ${c.transferTokens.walBytes} B | ${c.minimal.walBytes} B | ${f(c.walRatio, 2)} |`,
        ),
        '',
      )
  }
  const facts: string[] = []
  if (r.hotAccount) facts.push(`hot account (16 callers paying one receiver): ${f(r.hotAccount.ratio, 2)} of the uncontended throughput`)
  if (r.consentLatency) {
    const c = r.consentLatency
    facts.push(
      `\`record_consent\`, one caller: SDK p50 ${f(c.sdk.p50, 2)} ms / p99 ${f(c.sdk.p99, 2)} ms vs raw pg ${f(c.raw.p50, 2)} / ${f(c.raw.p99, 2)} ms; client adapter over HTTP p50 ${f(c.client.p50, 2)} ms vs a bare fetch of the same requests ${f(c.fetch.p50, 2)} ms`,
    )
  }
  if (r.scale?.ledger) {
    const s = r.scale
    const c = s.consent.points as any[]
    const l = s.ledger.points as any[]
    const last = l.at(-1)
    const ms = (k: string) => l.map((x) => f(x[k].p50, 2)).join(' / ')
    const sizes = l.map((x) => x.rows.toLocaleString('en')).join(', ')
    const settings = s.settings.fsync === 'on' ? 'durable' : '`fsync`, `synchronous_commit` and `full_page_writes` off: it measures reads, and bulk-loads the ledgers'
    facts.push(
      `scale (through the SDK, on a server of its own, ${settings}; each read's plan is read and must go through its index): the common consent lookup p50 ${c.map((x) => `${f(x.lookupMs.p50, 2)} ms at ${x.rows.toLocaleString('en')}`).join(', ')} rows (${f(s.consent.growth, 2)}×); on ledgers of ${sizes} rows (${s.ledger.accounts} accounts; generated by set-based SQL straight into the ledger tables, every index kept up row by row as in service; the largest loaded in ${f(last.loadSeconds)} s; each one's entries read into memory with \`pg_prewarm\` first), the sizes taking turns call by call, p50 in ms: a history page ${ms('historyPageMs')} (${f(s.ledger.growth.historyPage, 2)}×), \`balanceAt\` at a random instant ${ms('balanceAtMs')} (${f(s.ledger.growth.balanceAt, 2)}×), a statement page of 20 from a random instant ${ms('statementPageMs')} (${f(s.ledger.growth.statementPage, 2)}×); the section took ${f(s.seconds / 60, 1)} min`,
    )
    const d = last.disk
    const mib = (b: number) => f(b / 2 ** 20)
    facts.push(
      `the ledger on disk at ${last.rows.toLocaleString('en')} rows (\`pg_total_relation_size\` over the rows): ${d.transactions.bytesPerRow} bytes per ledger row (\`token_transactions\`: ${mib(d.transactions.tableBytes)} MiB table, ${mib(d.transactions.indexBytes)} MiB indexes) and ${d.entries.bytesPerRow} per entry (\`token_entries\`: ${mib(d.entries.tableBytes)} + ${mib(d.entries.indexBytes)} MiB); a transfer, a row and two entries, about ${d.transactions.bytesPerRow + 2 * d.entries.bytesPerRow} bytes`,
    )
  } else if (r.scale) {
    const p = r.scale.points as any[]
    facts.push(
      `scale (through the SDK; the plans are read and each lookup must go through its index): the common consent lookup p50 ${p.map((x) => `${f(x.consentLookupMs.p50, 2)} ms at ${x.rows.toLocaleString('en')}`).join(', ')} rows (${f(r.scale.growth.consentLookup, 2)}×); a history page ${p.map((x) => `${f(x.historyPageMs.p50, 2)} ms`).join(', ')} (${f(r.scale.growth.historyPage, 2)}×)`,
    )
  }
  if (r.overheadMicroseconds) {
    const o = r.overheadMicroseconds
    facts.push(
      `per-call work without I/O (plain node on dist/): validate a transfer ${f(o['validate a transfer'].median, 2)} µs, decode a ledger row ${f(o['decode a ledger row'].median, 2)} µs, classify a database error ${f(o['classify a database error'].median, 2)} µs; constructing the error object ${f(o['construct the typed error'].median, 2)} µs is V8's stack capture (a bare \`new Error()\`: ${f(o['V8 floor: new Error()'].median, 2)} µs)`,
    )
    const whole = o['a whole SDK transfer, stub driver']
    const byHand = o['the same statements by hand, stub driver']
    if (whole && byHand)
      facts.push(
        `a whole transfer through the SDK over a stub driver that answers at once (no I/O): ${f(whole.median, 1)} µs, against ${f(byHand.median, 1)} µs for the same five statements sent by hand`,
      )
  }
  if (r.codegenSeconds)
    facts.push(`codegen ${f(r.codegenSeconds.cold, 1)} s cold, ${f(r.codegenSeconds.warm, 1)} s warm (embedded PostgreSQL included); client bundle ${r.clientBundle.gzipBytes} B gzipped`)
  if (r.memory)
    facts.push(`heap after ${r.memory.calls.toLocaleString('en')} SDK calls ${f(r.memory.afterAllMiB, 1)} MiB vs ${f(r.memory.after1kMiB, 1)} MiB after 1k (growth ${f(r.memory.growthMiB, 2)} MiB)`)
  lines.push(...facts.map((x) => `- ${x}`), '')
  if (r.targets?.length) {
    // The full run before this one, beside it: a speed target is met only when it holds in both.
    const before = r.full ? (r.previousFullRun as { date: string; targets: any[] } | undefined) : undefined
    const earlier = new Map<string, any>((before?.targets ?? []).map((t) => [t.name, t]))
    const met = (t: any) => (t.met ? 'yes' : '**no**')
    if (before)
      lines.push(`Targets in this full run and in the full run before it (${String(before.date).slice(0, 16).replace('T', ' ')} UTC), on the same code unless the commit log says otherwise:`, '')
    lines.push(before ? '| target | goal | this run | met | run before | met |' : '| target | goal | measured | met |', before ? '|---|---|---:|---|---:|---|' : '|---|---|---:|---|')
    for (const t of r.targets) {
      const e = earlier.get(t.name)
      const beside = before ? ` ${e ? e.measured : '–'} | ${e ? met(e) : '–'} |` : ''
      lines.push(`| ${t.name} | ${t.target} | ${t.measured} | ${met(t)} |${beside}`)
    }
    lines.push('')
  }
  lines.push(
    `Reproduce: \`npm run bench\` (${r.full ? `this run took ${r.minutes} minutes` : 'about 40 minutes'} on this machine; \`npm run bench -- --quick\` for a short run, \`--only transfers,minimal,scale,…\` for parts).`,
  )
  return lines.join('\n')
}

export function writePerformanceSection(results: Results): void {
  const path = join(packageRoot(), 'README.md')
  const readme = readFileSync(path, 'utf8')
  writeFileSync(path, readme.replace(/<!-- bench -->[\s\S]*?<!-- \/bench -->/, `<!-- bench -->\n${performanceSection(results)}\n<!-- /bench -->`))
}
