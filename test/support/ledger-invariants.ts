import type pg from 'pg'

/** What the ledger invariants found: every violation as a sentence, and each token's supply. */
export interface LedgerReport {
  violations: string[]
  supply: Record<string, string>
}

/**
 * Checks, as a superuser, what must hold after any sequence of ledger operations: no negative
 * balance, and no more held than owned; each balance equals the user's ledger sum (credits minus debits); each token's supply (sum
 * of balances) equals minted minus burned; and every account's running balances chain
 * (`private.ledger_chain_violations()`: version n's balance is version n-1's plus its amount, versions
 * run 1..n without a gap and in time order, the last entry is the balance and version in
 * token_balances, and the entries match the ledger rows one to one).
 */
export async function checkLedgerInvariants(admin: pg.Pool | pg.ClientBase): Promise<LedgerReport> {
  const violations: string[] = []
  const negative = await admin.query(`select user_id, token_type, balance::text, held::text from public.token_balances where balance < 0 or held < 0 or held > balance`)
  for (const r of negative.rows) violations.push(`balance ${r.balance} with ${r.held} held of ${r.token_type} for ${r.user_id}`)

  const mismatched = await admin.query(`
    with movements as (
      -- A hold and a release reserve and free tokens; only mints, transfers, captures and burns move them.
      select to_user_id as user_id, token_type, amount from public.token_transactions where to_user_id is not null and kind in ('mint', 'transfer', 'capture')
      union all
      select from_user_id, token_type, -amount from public.token_transactions where from_user_id is not null and kind in ('transfer', 'capture', 'burn')
    ), ledger as (
      select user_id, token_type, sum(amount) as total from movements group by 1, 2
    )
    select coalesce(b.user_id, l.user_id) as user_id, coalesce(b.token_type, l.token_type) as token_type,
           b.balance::text as balance, l.total::text as ledger
    from public.token_balances b
    full join ledger l on l.user_id = b.user_id and l.token_type = b.token_type
    where coalesce(b.balance, 0) <> coalesce(l.total, 0)`)
  for (const r of mismatched.rows) violations.push(`balance ${r.balance} != ledger ${r.ledger} of ${r.token_type} for ${r.user_id}`)

  const chain = await admin.query<{ violation: string }>('select v as violation from private.ledger_chain_violations() v')
  for (const r of chain.rows) violations.push(`chain: ${r.violation}`)

  const supply = await admin.query<{ token_type: string; supply: string; issued: string }>(`
    select t.code as token_type,
      trim_scale(coalesce((select sum(balance) from public.token_balances b where b.token_type = t.code), 0))::text as supply,
      trim_scale(coalesce((select sum(case kind when 'mint' then amount when 'burn' then -amount else 0 end)
                 from public.token_transactions x where x.token_type = t.code), 0))::text as issued
    from public.token_types t`)
  const bySupply: Record<string, string> = {}
  for (const r of supply.rows) {
    if (r.supply !== r.issued) violations.push(`supply ${r.supply} of ${r.token_type} != minted - burned ${r.issued}`)
    if (r.supply !== '0') bySupply[r.token_type] = r.supply
  }
  return { violations, supply: bySupply }
}
