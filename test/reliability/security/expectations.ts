/**
 * Who may do what, as data: the expected outcome of every role × action on every relation, and of
 * every role × function, that the security matrices probe for real. The matrices discover the
 * relations and functions from the catalog, so a new table, view or function without an entry here
 * fails the suite until someone decides (and writes down) who may touch it.
 *
 * Probe SQL uses named parameters, bound as values (never spliced): `:owner` and `:other` are two
 * signed-up users with data in every user-owned table, `:spare` an auth user without a profile row
 * (so inserting its profile is a valid row), `:consent` an approved consent record of the owner and
 * `:key` a fresh idempotency key per call.
 */

/** The requesters of the relation matrix: the owner of the probed row, another user, and the rest. */
export const relationRoles = ['anon', 'owner', 'other', 'service_role'] as const
export type RelationRole = (typeof relationRoles)[number]

export const actions = ['select', 'insert', 'update', 'delete'] as const
export type Action = (typeof actions)[number]

/**
 * What one probe observes:
 * - `allowed`: select sees the probed row; insert succeeds; update/delete affect the probed row;
 * - `filtered`: the statement runs but RLS hides the row (select does not return it, update/delete touch 0 rows);
 * - `denied`: a privilege error (42501 permission denied), before any row is looked at;
 * - `rejected by policy`: 42501 from a policy's WITH CHECK (the new row is not the caller's to write);
 * - `refused by trigger`: the role may write, but a trigger refuses with one of Avolve's listed errors.
 */
export type Outcome = 'allowed' | 'filtered' | 'denied' | 'rejected by policy' | 'refused by trigger'

/** How to probe one relation. */
export interface RelationProbe {
  /** Predicate picking the probed row: the owner's row, or a known row of a shared lookup. */
  row: string
  /** A row that would be valid to insert: `(columns) values (...)`. */
  insert: string
  /** A valid assignment for an update of the probed row: `column = value`. */
  set: string
}

export type Access = Readonly<Record<Action, Outcome>>

export interface RelationExpectation {
  probe: RelationProbe
  expect: Readonly<Record<RelationRole, Access>>
}

/** A role that may only read (with this outcome) and write nothing: how every relation here is built. */
const readsOnly = (select: Outcome): Access => ({ select, insert: 'denied', update: 'denied', delete: 'denied' })
const noAccess = readsOnly('denied')

/** User-owned data: the owner reads it, other users do not see it, the service role reads everyone's. */
const ownRowsReadable = { anon: noAccess, owner: readsOnly('allowed'), other: readsOnly('filtered'), service_role: readsOnly('allowed') }
/** Vocabularies and catalogs: every signed-in user reads every row. */
const sharedLookup = { anon: noAccess, owner: readsOnly('allowed'), other: readsOnly('allowed'), service_role: readsOnly('allowed') }

/** Every relation (table, view, materialized view, foreign table) in `public` and `private`. */
export const relationExpectations: Readonly<Record<string, RelationExpectation>> = {
  'public.users': {
    probe: { row: 'id = :owner', insert: `(id, display_name) values (:spare, 'probe')`, set: `display_name = 'probe'` },
    // A user renames only their own profile (column grant on display_name, policy on the row).
    expect: {
      anon: noAccess,
      owner: { ...readsOnly('allowed'), update: 'allowed' },
      other: { ...readsOnly('filtered'), update: 'filtered' },
      service_role: { ...readsOnly('allowed'), update: 'allowed' },
    },
  },
  'public.user_consent': {
    probe: {
      row: 'user_id = :owner',
      insert: `(user_id, interaction_type, terms) values (:owner, 'terms_of_service', '{probe}')`,
      set: `status = 'withdrawn'`,
    },
    // Written only through record_consent / update_consent_status, whose definer bodies own the writes.
    expect: ownRowsReadable,
  },
  'public.consent_history': {
    probe: {
      row: 'user_id = :owner',
      insert: `(consent_id, user_id, interaction_type, to_status, actor_role) values (gen_random_uuid(), :owner, 'terms_of_service', 'approved', 'probe')`,
      set: `actor_role = 'probe'`,
    },
    expect: ownRowsReadable,
  },
  'public.token_balances': {
    probe: { row: 'user_id = :owner', insert: `(user_id, token_type, balance) values (:owner, 'SAP', 1)`, set: 'balance = balance + 1' },
    expect: ownRowsReadable,
  },
  'public.token_transactions': {
    // The owner's mint: the owner is its only party, so the other user must not see it.
    probe: {
      row: `kind = 'mint' and to_user_id = :owner`,
      insert: `(kind, token_type, to_user_id, amount, idempotency_key) values ('mint', 'GEN', :owner, 1, gen_random_uuid())`,
      set: `memo = 'probe'`,
    },
    expect: ownRowsReadable,
  },
  'public.token_entries': {
    // The owner's movements (their mint and both transfers): running balances are the owner's alone,
    // so the counterparty of a transfer must not see the owner's side of it.
    probe: {
      row: 'user_id = :owner',
      insert: `(user_id, token_type, version, transaction_id, amount, balance_after, created_at) values (:owner, 'GEN', 1000, gen_random_uuid(), 1, 1, now())`,
      set: 'amount = amount',
    },
    expect: ownRowsReadable,
  },
  'public.token_types': {
    probe: { row: `code = 'GEN'`, insert: `(code, name, tier, parent_code) values ('PROBE', 'probe', 9, 'SAP')`, set: `description = 'probe'` },
    expect: sharedLookup,
  },
  'public.consent_interaction_types': {
    probe: { row: `code = 'terms_of_service'`, insert: `(code, description) values ('probe_interaction', 'probe')`, set: `description = 'probe'` },
    expect: sharedLookup,
  },
  'public.consent_status_transitions': {
    probe: {
      row: `from_status = 'pending' and to_status = 'approved'`,
      insert: `(from_status, to_status) values ('rejected', 'pending')`,
      set: `to_status = 'withdrawn'`,
    },
    expect: sharedLookup,
  },
  'public.token_holds': {
    // The owner's hold for a third user: the other user is no party to it and must not see it.
    probe: {
      row: 'from_user_id = :owner',
      insert: `(id, from_user_id, to_user_id, token_type, amount, expires_at, idempotency_key) values (gen_random_uuid(), :owner, :other, 'GEN', 1, now() + interval '1 hour', gen_random_uuid())`,
      set: `memo = 'probe'`,
    },
    expect: ownRowsReadable,
  },
  'public.token_batches': {
    // The batches' keys and fingerprints, for replays: written and read by the batch function (as the owner) only.
    probe: {
      row: 'true',
      insert: `(idempotency_key, fingerprint, transfer_count) values (gen_random_uuid(), 'probe', 1)`,
      set: `fingerprint = 'probe'`,
    },
    expect: { anon: noAccess, owner: noAccess, other: noAccess, service_role: noAccess },
  },
  'private.error_codes': {
    // Read by definer bodies and codegen (as the owner); no API role needs it.
    probe: {
      row: `sqlstate = '42501'`,
      insert: `(sqlstate, name, message, hint) values ('VZ999', 'probe_error', 'probe', 'probe')`,
      set: `hint = 'probe'`,
    },
    expect: { anon: noAccess, owner: noAccess, other: noAccess, service_role: noAccess },
  },
  'private.user_stats': {
    // A materialized view ignores RLS: only the back office (service_role) may read it.
    probe: { row: 'user_id = :owner', insert: '(user_id) values (:owner)', set: 'total_consents = 0' },
    expect: { anon: noAccess, owner: noAccess, other: noAccess, service_role: readsOnly('allowed') },
  },
}

/** The requesters of the function matrix; `authenticated` calls as the owner, on the owner's data. */
export const functionRoles = ['anon', 'authenticated', 'service_role'] as const
export type FunctionRole = (typeof functionRoles)[number]

/**
 * `allowed`: EXECUTE is granted and a call does not fail with 42501 (it may still be a listed business
 * refusal); `denied`: no EXECUTE, and a call fails with 42501.
 */
export type Execute = 'allowed' | 'denied'

export interface FunctionExpectation {
  /** A plausible call, valid for every role that is allowed. */
  call: string
  execute: Readonly<Record<FunctionRole, Execute>>
}

const signedIn: Readonly<Record<FunctionRole, Execute>> = { anon: 'denied', authenticated: 'allowed', service_role: 'allowed' }
const serviceOnly: Readonly<Record<FunctionRole, Execute>> = { anon: 'denied', authenticated: 'denied', service_role: 'allowed' }

const calls = {
  recordConsent: (schema: string) => `select ${schema}.record_consent(:owner, 'terms_of_service', array['probe'])`,
  updateConsentStatus: (schema: string) => `select ${schema}.update_consent_status(:consent, 'withdrawn')`,
  transferTokens: (schema: string) => `select ${schema}.transfer_tokens(:owner, :other, 'GEN', 1, :key)`,
  mintTokens: (schema: string) => `select ${schema}.mint_tokens(:owner, 'GEN', 1, :key)`,
  refreshUserStats: (schema: string) => `select ${schema}.refresh_user_stats()`,
  tokenBalanceAt: (schema: string) => `select ${schema}.token_balance_at('GEN', now(), :owner)`,
  holdTokens: (schema: string) => `select ${schema}.hold_tokens(:owner, :other, 'GEN', 1, 3600, :key)`,
  captureHold: (schema: string) => `select ${schema}.capture_hold(gen_random_uuid())`,
  releaseHold: (schema: string) => `select ${schema}.release_hold(gen_random_uuid())`,
  releaseExpiredHolds: (schema: string) => `select ${schema}.release_expired_holds(10)`,
  transferTokensBatch: (schema: string) =>
    `select ${schema}.transfer_tokens_batch(jsonb_build_array(jsonb_build_object('from', cast(:owner as uuid), 'to', cast(:other as uuid), 'token_type', 'GEN', 'amount', 1)), :key)`,
}

/** Every function in `public` (what PostgREST exposes as /rpc), keyed by its regprocedure. */
export const publicFunctionExpectations: Readonly<Record<string, FunctionExpectation>> = {
  'public.record_consent(uuid,text,text[])': { call: calls.recordConsent('public'), execute: signedIn },
  'public.update_consent_status(uuid,text)': { call: calls.updateConsentStatus('public'), execute: signedIn },
  'public.transfer_tokens(uuid,uuid,text,numeric,uuid,text)': { call: calls.transferTokens('public'), execute: signedIn },
  'public.mint_tokens(uuid,text,numeric,uuid,text)': { call: calls.mintTokens('public'), execute: serviceOnly },
  'public.refresh_user_stats()': { call: calls.refreshUserStats('public'), execute: serviceOnly },
  'public.token_balance_at(text,timestamp with time zone,uuid)': { call: calls.tokenBalanceAt('public'), execute: signedIn },
  'public.transfer_tokens_batch(jsonb,uuid)': { call: calls.transferTokensBatch('public'), execute: signedIn },
  'public.hold_tokens(uuid,uuid,text,numeric,integer,uuid,text)': { call: calls.holdTokens('public'), execute: signedIn },
  'public.capture_hold(uuid,numeric)': { call: calls.captureHold('public'), execute: signedIn },
  'public.release_hold(uuid)': { call: calls.releaseHold('public'), execute: signedIn },
  'public.release_expired_holds(integer)': { call: calls.releaseExpiredHolds('public'), execute: serviceOnly },
}

/**
 * The functions in `private` that an API role can execute: the definer bodies behind the public
 * wrappers, which must be executable by exactly the roles that may call the wrapper (the wrapper is
 * an invoker, so the caller's own EXECUTE on the body is what lets the call through). They are
 * reachable over a direct connection, so each checks its caller itself. Every other function in
 * `private` must be executable by no API role.
 */
export const privateExecutableExpectations: Readonly<Record<string, FunctionExpectation>> = {
  'private.record_consent(uuid,text,text[])': { call: calls.recordConsent('private'), execute: signedIn },
  'private.update_consent_status(uuid,text)': { call: calls.updateConsentStatus('private'), execute: signedIn },
  'private.transfer_tokens(uuid,uuid,text,numeric,uuid,text)': { call: calls.transferTokens('private'), execute: signedIn },
  'private.mint_tokens(uuid,text,numeric,uuid,text)': { call: calls.mintTokens('private'), execute: serviceOnly },
  'private.refresh_user_stats()': { call: calls.refreshUserStats('private'), execute: serviceOnly },
  'private.transfer_tokens_batch(jsonb,uuid)': { call: calls.transferTokensBatch('private'), execute: signedIn },
  'private.hold_tokens(uuid,uuid,text,numeric,integer,uuid,text)': { call: calls.holdTokens('private'), execute: signedIn },
  'private.capture_hold(uuid,numeric)': { call: calls.captureHold('private'), execute: signedIn },
  'private.release_hold(uuid)': { call: calls.releaseHold('private'), execute: signedIn },
  'private.release_expired_holds(integer)': { call: calls.releaseExpiredHolds('private'), execute: serviceOnly },
}
