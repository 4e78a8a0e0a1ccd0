// Run by bench/overhead.ts with plain `node` on the built package (dist/), as an app runs it: the SDK's
// own work per call without I/O. Prints one JSON line of µs-per-call samples.
import { randomUUID } from 'node:crypto'
import { createAvolveDb } from '../dist/server.js'
import { classifyDatabaseError, decodeRow, InsufficientBalanceError, parseInput, recordConsentInputSchema, transferInputSchema } from './.work/bench-internals.js'

function microseconds(f, n = 20_000, rounds = 7) {
  for (let i = 0; i < n; i++) f()
  return Array.from({ length: rounds }, () => {
    const started = performance.now()
    for (let i = 0; i < n; i++) f()
    return ((performance.now() - started) * 1000) / n
  })
}

async function microsecondsAsync(f, n = 20_000, rounds = 7) {
  for (let i = 0; i < n; i++) await f()
  const out = []
  for (let r = 0; r < rounds; r++) {
    const started = performance.now()
    for (let i = 0; i < n; i++) await f()
    out.push(((performance.now() - started) * 1000) / n)
  }
  return out
}

const transfer = { to: '2b1a5e1c-4d52-4d3b-9a3e-5f7e3c2a1b0d', tokenType: 'GEN', amount: '12.5', memo: 'thanks' }
const consent = { interactionType: 'terms_of_service', terms: ['tos-2026-12'] }
const ledgerRow = {
  amount: '12.500000000000000000',
  created_at: '2026-12-01 10:00:00.123456+00',
  from_user_id: '2b1a5e1c-4d52-4d3b-9a3e-5f7e3c2a1b0d',
  id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  idempotency_key: '9f5df915-a127-411d-b889-37aebce56a29',
  kind: 'transfer',
  memo: 'thanks',
  to_user_id: '46f9736a-4c74-4a85-87c1-c7af713f0764',
  token_type: 'GEN',
}
const refused = { sqlstate: 'VT006', message: 'insufficient balance', details: 'available 10, requested 10.5', hint: "the sender's balance of this token is lower than the amount", cause: null }

// A pool whose client answers every statement at once with canned rows: what remains of a transfer's
// time is the SDK's own work (validation, key, set-up, RPC call, read-back decoding, result).
const stubClient = {
  on() {},
  release() {},
  async query(text, params) {
    if (text === 'begin' || text === 'commit') return { command: text.toUpperCase(), rows: [], rowCount: null }
    if (text.startsWith('select set_config')) return { command: 'SELECT', rows: [{ set_config: 'x' }], rowCount: 1 }
    if (text.includes('transfer_tokens')) return { command: 'SELECT', rows: [{ result: ledgerRow.id }], rowCount: 1 }
    // The read-back: by the idempotency key sent with the call, or by the id it returned.
    return { command: 'SELECT', rows: [text.includes('"idempotency_key" =') ? { ...ledgerRow, idempotency_key: params[0] } : { ...ledgerRow, id: params[0] }], rowCount: 1 }
  },
}
// Pipelining, as the SDK's own pool does: the SDK takes the same path as it does there.
const stubPool = {
  options: { pipeline: true },
  on() {},
  async connect() {
    return stubClient
  },
  async end() {},
}
const scope = await createAvolveDb({ connection: stubPool }).asUser({ sub: ledgerRow.to_user_id, role: 'authenticated', exp: Math.floor(Date.now() / 1000) + 3600 })
const byHand = async () => {
  const c = await stubPool.connect()
  const key = randomUUID()
  await Promise.all([
    c.query('begin'),
    c.query("select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)", ['authenticated', '{}']),
    c.query('select public.transfer_tokens($1, $2, $3, $4, $5)', [ledgerRow.from_user_id, transfer.to, 'GEN', '12.5', key]),
    c.query('select * from public.token_transactions where "idempotency_key" = $1', [key]),
    c.query('commit'),
  ])
  c.release()
}

console.log(
  JSON.stringify({
    // As the repositories validate: parseInput, with zod's compiled fast path where zod has one.
    'validate a transfer': microseconds(() => parseInput(transferInputSchema, transfer, 'transfer')),
    'validate a consent': microseconds(() => parseInput(recordConsentInputSchema, consent, 'consent')),
    'decode a ledger row': microseconds(() => decodeRow('token_transactions', ledgerRow)),
    'classify a database error': microseconds(() => classifyDatabaseError(refused)),
    'construct the typed error': microseconds(() => new InsufficientBalanceError({ code: 'insufficient_balance', message: 'insufficient balance', cause: null })),
    'V8 floor: new Error()': microseconds(() => new Error('insufficient balance')),
    // Last, so that their allocations do not weigh on the micro figures above.
    'a whole SDK transfer, stub driver': await microsecondsAsync(() => scope.tokens.transfer(transfer)),
    'the same statements by hand, stub driver': await microsecondsAsync(byHand),
  }),
)
