-- The one list of errors that the database functions raise: SQLSTATE, a stable name, the message
-- and a hint. Functions raise only through private.raise_error(name), codegen turns this table into
-- src/generated/error-codes.ts, and the SDK maps each SQLSTATE to a typed error. A test fails when a
-- code is raised that is not listed here, or listed without a mapping in the SDK.
--
-- Avolve's own codes use classes V0 (arguments), VA (auth), VC (consent) and VT (tokens), which the SQL
-- standard leaves to implementations. PostgREST answers all of them with HTTP 400; the body's `code`
-- says which error it is. Permission errors use the standard 42501, which PostgREST answers with 401
-- for anon and 403 otherwise.

create table if not exists private.error_codes (
  sqlstate text primary key check (sqlstate ~ '^[0-9A-Z]{5}$'),
  name text not null unique check (name ~ '^[a-z][a-z0-9_]*$'),
  message text not null check (message <> ''),
  hint text not null check (hint <> '')
);
comment on table private.error_codes is
  'Every error the Avolve functions raise. Read by private.raise_error() and by codegen; nobody writes it but migrations.';

insert into private.error_codes (sqlstate, name, message, hint) values
  ('42501', 'permission_denied', 'permission denied', 'a user may act only on their own account; back-office work needs the service role'),
  ('V0001', 'missing_argument', 'a required argument is null', 'pass every argument the function documents'),
  ('VA001', 'not_authenticated', 'not authenticated', 'call with a signed-in user''s JWT: the request has no sub claim'),
  ('VA002', 'unknown_user', 'user not found', 'the user id must belong to an existing account'),
  ('VC001', 'unknown_interaction_type', 'unknown interaction type', 'use a code from public.consent_interaction_types'),
  ('VC002', 'invalid_terms', 'invalid terms', 'terms must be 1 to 100 non-blank strings of at most 10000 characters'),
  ('VC003', 'consent_not_found', 'consent record not found', 'the id must be one of your own consent records'),
  ('VC004', 'invalid_transition', 'consent status change not allowed', 'allowed changes are listed in public.consent_status_transitions'),
  ('VC005', 'invalid_status', 'unknown consent status', 'use pending, approved, rejected or withdrawn'),
  ('VC006', 'consent_immutable', 'a consent record cannot be edited', 'only its status changes, through public.update_consent_status'),
  ('VC007', 'history_append_only', 'the consent history is append-only', 'history rows are written by triggers and are never updated or deleted'),
  ('VT001', 'unknown_token_type', 'unknown token type', 'use a code from public.token_types'),
  ('VT002', 'token_not_transferable', 'this token type cannot be transferred', 'see public.token_types.transferable'),
  ('VT003', 'invalid_amount', 'invalid amount', 'the amount must be greater than 0 and less than 10^20'),
  ('VT004', 'amount_precision', 'amount has more decimal places than the token allows', 'round the amount to public.token_types.decimals places'),
  ('VT005', 'self_transfer', 'cannot transfer tokens to yourself', 'the sender and the receiver must be different users'),
  ('VT006', 'insufficient_balance', 'insufficient balance', 'the sender''s balance of this token is lower than the amount'),
  ('VT007', 'idempotency_conflict', 'idempotency key already used with different arguments', 'use a new key for a new request; reuse a key only to retry the same request'),
  ('VT008', 'invalid_memo', 'invalid memo', 'a memo has at most 500 characters'),
  ('VT009', 'ledger_append_only', 'the token ledger is append-only', 'correct a transaction with a new transaction'),
  ('VT010', 'invalid_token_hierarchy', 'invalid token hierarchy', 'tier 3 is the root; a child''s tier must be greater than its parent''s')
on conflict (sqlstate) do update
  set name = excluded.name, message = excluded.message, hint = excluded.hint;

create or replace function private.raise_error(p_name text, p_detail text default null)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  v_error private.error_codes;
begin
  select e.* into v_error from private.error_codes e where e.name = p_name;
  if not found then
    raise exception using errcode = 'XX000', message = pg_catalog.format('unlisted error name %L', p_name);
  end if;
  if p_detail is null then
    raise exception using errcode = v_error.sqlstate, message = v_error.message, hint = v_error.hint;
  end if;
  raise exception using errcode = v_error.sqlstate, message = v_error.message, detail = p_detail, hint = v_error.hint;
end
$$;
comment on function private.raise_error(text, text) is
  'Raises the listed error p_name with an optional detail. Called by Avolve functions and triggers only.';

-- Only SECURITY DEFINER bodies and triggers (running as the owner) raise, so no API role needs these.
revoke all on table private.error_codes from public;
revoke all on function private.raise_error(text, text) from public;
