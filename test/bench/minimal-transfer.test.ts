import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { LEDGER_USERS, ledgerUserId, prepareLedger, transferScript } from '../../bench/lib/minimal-transfer.js'
import { parseTps, parseTransactions, runPgbench } from '../../bench/lib/pgbench.js'
import { costSince, markServer, postmasterPid } from '../../bench/lib/server-cost.js'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()
const BALANCE = '1000'
let users: string[]

/** Sums of the minimal ledger's balances and of the project's GEN balances over the bench accounts, and their ledger rows. */
async function totals() {
  const { rows } = await db().admin.query<{ minimal: string; project: string; minimalRows: number; projectRows: number }>(
    `select (select sum(balance)::text from bench_minimal.balances) as minimal,
            (select sum(balance)::text from public.token_balances where token_type = 'GEN' and user_id = any($1::uuid[])) as project,
            (select count(*)::int from bench_minimal.ledger) as "minimalRows",
            (select count(*)::int from public.token_transactions where kind = 'transfer' and from_user_id = any($1::uuid[])) as "projectRows"`,
    [users],
  )
  return rows[0]!
}

const minimalTransfer = (from: string, to: string, amount: string, key = randomUUID()) => db().admin.query('select bench_minimal.transfer($1, $2, $3::numeric, $4)', [from, to, amount, key])
async function hotBalances() {
  const { rows } = await db().admin.query<{ minimal: string; project: string }>(
    `select (select balance::text from bench_minimal.balances where user_id = $1) as minimal,
            (select balance::text from public.token_balances where token_type = 'GEN' and user_id = $1) as project`,
    [ledgerUserId(0)],
  )
  return { minimal: Number(rows[0]!.minimal), project: Number(rows[0]!.project) }
}
const balanceOf = async (user: string) =>
  (await db().admin.query<{ balance: string }>('select trim_scale(balance)::text as balance from bench_minimal.balances where user_id = $1', [user])).rows[0]!.balance

beforeAll(async () => {
  users = await prepareLedger(db().admin, BALANCE)
})

describe('the pgbench scripts of the comparison with the minimal transfer', () => {
  it('call transfer_tokens by its SQL contract, with random accounts and a fresh key per transfer', () => {
    const script = transferScript('transfer_tokens', LEDGER_USERS, false)
    expect(script).toContain(`\\set f random(0, ${LEDGER_USERS - 1})`)
    expect(script).toMatch(/public\.transfer_tokens\(p_from_user_id => .+, p_to_user_id => .+, p_token_type => 'GEN', p_amount => 1, p_idempotency_key => gen_random_uuid\(\)\)/)
    expect(transferScript('minimal', LEDGER_USERS, false)).toMatch(/bench_minimal\.transfer\(.+, 1, gen_random_uuid\(\)\)/)
    // The hot case: every client pays account 0, which never pays.
    expect(transferScript('minimal', LEDGER_USERS, true)).toContain(`\\set f random(1, ${LEDGER_USERS - 1})\n\\set t 0\n`)
  })

  it('reads the throughput pgbench reports, and refuses a report without one', () => {
    expect(parseTps('latency average = 1.2 ms\ntps = 812.345678 (without initial connection time)\n')).toBe(812.345678)
    expect(() => parseTps('pgbench: error: connection failed')).toThrow(/tps/)
    expect(parseTransactions('number of clients: 4\nnumber of transactions actually processed: 1234\ntps = 1.0\n')).toBe(1234)
    expect(() => parseTransactions('pgbench: error: connection failed')).toThrow(/transaction count/)
  })

  it.runIf(process.platform === 'linux')("measure the server's CPU and WAL per transfer over a pgbench run", async () => {
    const postmaster = (await postmasterPid(db().admin))!
    expect(readFileSync(`/proc/${postmaster}/cmdline`, 'utf8')).toMatch(/postgres/)
    const transactions = 50
    const cost = async (contender: 'transfer_tokens' | 'minimal') => {
      const mark = await markServer(db().admin, postmaster)
      const run = await runPgbench({ script: transferScript(contender, users.length, false), url: db().adminUrl, clients: 2, transactions })
      expect(run.transactions).toBe(2 * transactions)
      return costSince(db().admin, postmaster, mark, run.transactions)
    }
    const project = await cost('transfer_tokens')
    const minimal = await cost('minimal')
    for (const c of [project, minimal]) {
      expect(c.cpuMicros).toBeGreaterThan(0)
      // At least the ledger row each transfer inserts, whose tuple alone is over 100 bytes.
      expect(c.walBytes).toBeGreaterThan(100)
    }
    // The project's transfer also writes two entries (each with a balance and a version) and more index entries.
    expect(project.walBytes).toBeGreaterThan(minimal.walBytes)
  })

  it("set the service role's claims before transfer_tokens reads them, in the same statement", async () => {
    // A stand-in with the contract's signature records the claims it sees.
    await db().admin.query(`create schema probe; create table probe.seen (claims text);
      create function probe.transfer_tokens(p_from_user_id uuid, p_to_user_id uuid, p_token_type text, p_amount numeric, p_idempotency_key uuid, p_memo text default null)
      returns uuid language sql as $$ insert into probe.seen values (nullif(current_setting('request.jwt.claims', true), '')) returning p_idempotency_key $$`)
    const statement = transferScript('transfer_tokens', LEDGER_USERS, false).trim().split('\n').at(-1)!
    const c = await db().admin.connect()
    try {
      await c.query(statement.replace('public.transfer_tokens(', 'probe.transfer_tokens(').replaceAll(':f', '1').replaceAll(':t', '2'))
      expect((await c.query('select claims from probe.seen')).rows).toEqual([{ claims: '{"role":"service_role"}' }])
      // Only for that statement: the connection's next statement sees no claims.
      expect((await c.query(`select nullif(current_setting('request.jwt.claims', true), '') as claims`)).rows[0].claims).toBeNull()
    } finally {
      c.release()
    }
  })

  it('move exactly one token per transaction in both ledgers, random pairs and the hot account, under concurrent clients', async () => {
    const transactions = 25
    const run = (hot: boolean) => async (contender: 'transfer_tokens' | 'minimal') => runPgbench({ script: transferScript(contender, users.length, hot), url: db().adminUrl, clients: 4, transactions })
    const before = await totals()
    for (const contender of ['transfer_tokens', 'minimal'] as const) await run(false)(contender)
    const hotBefore = await hotBalances()
    for (const contender of ['transfer_tokens', 'minimal'] as const) await run(true)(contender)
    const after = await totals()
    // Conservation: transfers move tokens, they never create or destroy them.
    expect(after.minimal).toBe(before.minimal)
    expect(after.project).toBe(before.project)
    expect(after.minimalRows - before.minimalRows).toBe(2 * 4 * transactions)
    expect(after.projectRows - before.projectRows).toBe(2 * 4 * transactions)
    // In the hot case account 0 received every transfer, in both ledgers.
    const hotAfter = await hotBalances()
    expect(hotAfter.minimal - hotBefore.minimal).toBe(4 * transactions)
    expect(hotAfter.project - hotBefore.project).toBe(4 * transactions)
  })
})

describe('the minimal transfer is correct, so that the comparison is fair', () => {
  it('moves the amount and writes one ledger row with an identity id', async () => {
    const [a, b] = [users[10]!, users[11]!]
    const before = [Number(await balanceOf(a)), Number(await balanceOf(b))]
    const rows = (await totals()).minimalRows
    const { rows: result } = await minimalTransfer(a, b, '2.5')
    expect(result[0].transfer).toMatch(/^\d+$/)
    expect([Number(await balanceOf(a)), Number(await balanceOf(b))]).toEqual([before[0]! - 2.5, before[1]! + 2.5])
    expect((await totals()).minimalRows).toBe(rows + 1)
  })

  it.each([
    ['an overdraft', () => minimalTransfer(users[20]!, users[21]!, '1000000'), '23514'],
    ['a transfer to oneself', () => minimalTransfer(users[20]!, users[20]!, '1'), '23514'],
    ['a non-positive amount', () => minimalTransfer(users[20]!, users[21]!, '0'), '23514'],
    ['a transfer to an unknown account', () => minimalTransfer(users[20]!, randomUUID(), '1'), '23503'],
  ])('refuses %s and moves nothing', async (_, transfer, code) => {
    const before = await totals()
    const sender = await balanceOf(users[20]!)
    await expect(transfer()).rejects.toMatchObject({ code })
    expect(await totals()).toEqual(before)
    expect(await balanceOf(users[20]!)).toBe(sender)
  })

  it('moves tokens only once per idempotency key', async () => {
    const key = randomUUID()
    await minimalTransfer(users[30]!, users[31]!, '1', key)
    const before = await totals()
    await expect(minimalTransfer(users[30]!, users[31]!, '1', key)).rejects.toMatchObject({ code: '23505' })
    expect(await totals()).toEqual(before)
  })
})
