// Run by bench/overhead.ts with plain `node` on the built package (dist/), as an app runs it: the SDK's
// own work per call without I/O. Prints one JSON line of µs-per-call samples.
import { classifyDatabaseError, decodeRow, InsufficientBalanceError, recordConsentInputSchema, transferInputSchema } from './.work/bench-internals.js'

function microseconds(f, n = 20_000, rounds = 7) {
  for (let i = 0; i < n; i++) f()
  return Array.from({ length: rounds }, () => {
    const started = performance.now()
    for (let i = 0; i < n; i++) f()
    return ((performance.now() - started) * 1000) / n
  })
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

console.log(
  JSON.stringify({
    'validate a transfer': microseconds(() => transferInputSchema.parse(transfer)),
    'validate a consent': microseconds(() => recordConsentInputSchema.parse(consent)),
    'decode a ledger row': microseconds(() => decodeRow('token_transactions', ledgerRow)),
    'classify a database error': microseconds(() => classifyDatabaseError(refused)),
    'construct the typed error': microseconds(() => new InsufficientBalanceError({ code: 'insufficient_balance', message: 'insufficient balance', cause: null })),
    'V8 floor: new Error()': microseconds(() => new Error('insufficient balance')),
  }),
)
