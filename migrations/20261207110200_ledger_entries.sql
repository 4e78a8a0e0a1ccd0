-- Ledger engine v2 (issue 17): every balance provable at any point in time, and a transfer that costs
-- little more than the smallest correct one.
--
-- Running balances. Every movement of an account (a user's balance of one token) is one row of
-- public.token_entries, written by the same statement that moves the balance: the account's version
-- (a counter that rises by one per movement, kept on token_balances), the signed amount, and the
-- balance after it, as pgledger keeps its entries. A transfer writes two entries, a mint one. The
-- entries are per side rather than columns of the ledger row because a ledger row is readable by both
-- parties, and a receiver must not learn the sender's balance: each user reads only their own entries.
-- An entry's time is when its account moved, taken after the account's row is locked and never
-- earlier than the account's previous entry, so an account's entries are in version order in time too
-- and "the balance at T" is the last entry at or before T: one probe of an index.
--
-- Integrity. The chain is checked by private.ledger_chain_violations(): for every account, version n's
-- balance is version n-1's plus its amount, versions run 1..n without a gap, the last balance and
-- version are token_balances', and every ledger row has exactly the entries its kind says. Existing
-- ledgers are backfilled here (in order of created_at, id) and the migration refuses to finish when
-- the result does not chain.
--
-- Foreign keys. The ledger's foreign keys to users and token_types re-checked, per row and per
-- transfer, facts the same statement establishes (both parties' accounts are locked or created in it,
-- and an account, a token_balances row, has foreign keys to users and token_types); each check was a
-- query of its own and locked the referenced rows. What they protected stays protected: an account
-- with history cannot be deleted, truncated or re-keyed (a trigger refuses with account_has_history),
-- so no ledger row or entry can lose its account, its user or its token type.
--
-- Speed. transfer_tokens and mint_tokens are one flat PL/pgSQL body each, and the work is one SQL
-- statement: the ledger row (its unique key per sender decides replays first), both balance rows
-- locked and moved in user id order by one upsert (no deadlock; the first credit creates the
-- receiver's row), and the two entries. The caller is read from the role setting and the JWT claims
-- once; only an unusual role costs a catalog lookup. Checks that fail take a slower path that names
-- the documented error.

insert into private.error_codes (sqlstate, name, message, hint) values
  ('VT012', 'account_has_history', 'a token account with ledger history cannot be deleted',
   'balances change only through new transfers; an account that has moved tokens stays, with its user')
on conflict (sqlstate) do update
  set name = excluded.name, message = excluded.message, hint = excluded.hint;

-- The account's version: how many movements it has had.
alter table public.token_balances add column if not exists version bigint not null default 0;
comment on column public.token_balances.version is
  'Movements of this balance so far; the version of its latest entry in public.token_entries (0 before the first).';
comment on column public.token_balances.updated_at is
  'When the balance last moved: the created_at of its latest entry.';

create table if not exists public.token_entries (
  user_id uuid not null,
  token_type text not null,
  version bigint not null,
  transaction_id uuid not null,
  amount numeric(38, 18) not null,
  balance_after numeric(38, 18) not null,
  created_at timestamptz not null,
  constraint token_entries_pkey primary key (user_id, token_type, created_at, version)
);
comment on table public.token_entries is
  'One row per movement of one balance (account = user and token): its version, signed amount and the balance after it. Append-only, written by the ledger functions with the movement. Users read their own.';
comment on column public.token_entries.version is 'The account''s movement number: 1, 2, 3 ... without gaps.';
comment on column public.token_entries.transaction_id is 'The public.token_transactions row this movement belongs to.';
comment on column public.token_entries.amount is 'Signed: positive for a credit, negative for a debit.';
comment on column public.token_entries.balance_after is 'The account''s balance right after this movement.';
comment on column public.token_entries.created_at is 'When the account moved; never earlier than its previous entry.';

-- One index, the primary key: each account's entries in time order, which is also version order (an
-- entry is never dated before the account's previous one). "The balance at T" (the last entry at or
-- before T) is one probe of it and a statement (a period's entries, keyset by (created_at, version))
-- one range. A second index to make (account, version) unique on its own would cost every transfer
-- two more index insertions; versions are assigned one by one under the account's row lock, and
-- private.ledger_chain_violations() finds any gap or repeat.

alter table public.token_entries enable row level security;
revoke all on table public.token_entries from public, anon, authenticated, service_role;
grant select on table public.token_entries to authenticated, service_role;

drop policy if exists token_entries_select_own on public.token_entries;
create policy token_entries_select_own on public.token_entries
  for select to authenticated
  using (user_id = any (select auth.uid()));

-- Append-only like the ledger, with the same triggers, fired always, and kept by the same guard.
do $triggers$
begin
  if not exists (select from pg_catalog.pg_trigger where tgrelid = 'public.token_entries'::regclass and tgname = 'token_entries_refuse_change') then
    create trigger token_entries_refuse_change
      before update or delete on public.token_entries
      for each row execute function private.refuse_mutation('ledger_append_only');
  end if;
  if not exists (select from pg_catalog.pg_trigger where tgrelid = 'public.token_entries'::regclass and tgname = 'token_entries_refuse_truncate') then
    create trigger token_entries_refuse_truncate
      before truncate on public.token_entries
      for each statement execute function private.refuse_mutation('ledger_append_only');
  end if;
end
$triggers$;
alter table public.token_entries enable always trigger token_entries_refuse_change;
alter table public.token_entries enable always trigger token_entries_refuse_truncate;
comment on trigger token_entries_refuse_change on public.token_entries is
  'Refuses every update and delete of the entries, in replica mode too. The event trigger avolve_append_only_guard keeps it in place.';
comment on trigger token_entries_refuse_truncate on public.token_entries is
  'Refuses truncating the entries, in replica mode too. The event trigger avolve_append_only_guard keeps it in place.';

create or replace function private.guard_append_only_tables()
returns event_trigger
language plpgsql
set search_path = ''
as $$
declare
  v_missing record;
begin
  -- Each trigger as pg_get_triggerdef() prints it: a trigger that was dropped, redefined, or sits on
  -- a renamed table or function no longer matches; one that matches must also fire always.
  for v_missing in
    select g.error_name, g.trigger_name, g.table_name
    from (values
      ('history_append_only', 'consent_history_refuse_change', 'public.consent_history',
       'CREATE TRIGGER consent_history_refuse_change BEFORE DELETE OR UPDATE ON public.consent_history FOR EACH ROW EXECUTE FUNCTION private.refuse_mutation(''history_append_only'')'),
      ('history_append_only', 'consent_history_refuse_truncate', 'public.consent_history',
       'CREATE TRIGGER consent_history_refuse_truncate BEFORE TRUNCATE ON public.consent_history FOR EACH STATEMENT EXECUTE FUNCTION private.refuse_mutation(''history_append_only'')'),
      ('ledger_append_only', 'token_transactions_refuse_change', 'public.token_transactions',
       'CREATE TRIGGER token_transactions_refuse_change BEFORE DELETE OR UPDATE ON public.token_transactions FOR EACH ROW EXECUTE FUNCTION private.refuse_mutation(''ledger_append_only'')'),
      ('ledger_append_only', 'token_transactions_refuse_truncate', 'public.token_transactions',
       'CREATE TRIGGER token_transactions_refuse_truncate BEFORE TRUNCATE ON public.token_transactions FOR EACH STATEMENT EXECUTE FUNCTION private.refuse_mutation(''ledger_append_only'')'),
      ('ledger_append_only', 'token_entries_refuse_change', 'public.token_entries',
       'CREATE TRIGGER token_entries_refuse_change BEFORE DELETE OR UPDATE ON public.token_entries FOR EACH ROW EXECUTE FUNCTION private.refuse_mutation(''ledger_append_only'')'),
      ('ledger_append_only', 'token_entries_refuse_truncate', 'public.token_entries',
       'CREATE TRIGGER token_entries_refuse_truncate BEFORE TRUNCATE ON public.token_entries FOR EACH STATEMENT EXECUTE FUNCTION private.refuse_mutation(''ledger_append_only'')')
    ) as g(error_name, trigger_name, table_name, definition)
    where not exists (
      select from pg_catalog.pg_trigger t
      where t.tgname = g.trigger_name and t.tgenabled = 'A' and pg_catalog.pg_get_triggerdef(t.oid) = g.definition
    )
    limit 1
  loop
    perform private.raise_error(v_missing.error_name, pg_catalog.format(
      '%s would leave %s without its trigger %s, as created and enabled always', tg_tag, v_missing.table_name, v_missing.trigger_name));
  end loop;
end
$$;
comment on function private.guard_append_only_tables() is
  'Event trigger function (avolve_append_only_guard): refuses any DDL that leaves the append-only triggers of consent_history, token_transactions or token_entries missing, changed or not enabled always. Not callable directly.';
revoke all on function private.guard_append_only_tables() from public;

-- An account with history keeps its row: the foreign keys' protection, without a check per transfer.
create or replace function private.keep_accounts_with_history()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'TRUNCATE' then
    if exists (select from public.token_entries) then
      perform private.raise_error('account_has_history', 'TRUNCATE on public.token_balances');
    end if;
    return null;
  end if;
  if exists (select from public.token_entries e where e.user_id = old.user_id and e.token_type = old.token_type) then
    perform private.raise_error('account_has_history', pg_catalog.format('%s of the %s account of %s', tg_op, old.token_type, old.user_id));
  end if;
  return case tg_op when 'DELETE' then old else new end;
end
$$;
comment on function private.keep_accounts_with_history() is
  'BEFORE DELETE / UPDATE OF user_id, token_type / TRUNCATE trigger on token_balances: refuses to remove or re-key an account that has entries (so deleting its user is refused too). Not callable directly.';
revoke all on function private.keep_accounts_with_history() from public;

drop trigger if exists token_balances_keep_history on public.token_balances;
create trigger token_balances_keep_history
  before delete or update of user_id, token_type on public.token_balances
  for each row execute function private.keep_accounts_with_history();
drop trigger if exists token_balances_keep_history_truncate on public.token_balances;
create trigger token_balances_keep_history_truncate
  before truncate on public.token_balances
  for each statement execute function private.keep_accounts_with_history();

-- A new account's user must exist. The ledger functions create accounts inside their one statement
-- (a receiver's first credit; an empty sender's account, always rolled back), without looking the
-- user up first; this trigger, which fires only for the rare insert, gives the documented error. The
-- foreign key to users stays, checked at commit, so that the trigger answers first.
create or replace function private.check_account_user()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not exists (select from public.users u where u.id = new.user_id) then
    -- Version 0: the sender's account of a transfer that moves nothing; otherwise a receiver's.
    perform private.raise_error('unknown_user',
      case when new.version = 0 then 'p_from_user_id' else 'p_to_user_id' end || ' does not name an existing user');
  end if;
  return null;
end
$$;
comment on function private.check_account_user() is
  'AFTER INSERT trigger on token_balances: refuses an account whose user does not exist with unknown_user (the foreign key checks again at commit). Not callable directly.';
revoke all on function private.check_account_user() from public;

drop trigger if exists token_balances_check_user on public.token_balances;
create trigger token_balances_check_user
  after insert on public.token_balances
  for each row execute function private.check_account_user();
alter table public.token_balances alter constraint token_balances_user_id_fkey deferrable initially deferred;

alter table public.token_transactions drop constraint if exists token_transactions_from_user_id_fkey;
alter table public.token_transactions drop constraint if exists token_transactions_to_user_id_fkey;
alter table public.token_transactions drop constraint if exists token_transactions_token_type_fkey;
-- It served only the token_type foreign key.
drop index if exists public.token_transactions_token_type_idx;

-- The same rule as before, written so that the check, parsed again for every insert, is shorter.
alter table public.token_transactions drop constraint if exists token_transactions_parties;
alter table public.token_transactions add constraint token_transactions_parties check (
  (from_user_id is null) = (kind = 'mint') and (to_user_id is null) = (kind = 'burn') and from_user_id is distinct from to_user_id
);

create or replace function private.ledger_chain_violations()
returns setof text
language sql
stable
set search_path = ''
as $$
  with chain as (
    select e.user_id, e.token_type, e.version, e.amount, e.balance_after, e.created_at,
      pg_catalog.row_number() over w as n,
      pg_catalog.lag(e.balance_after) over w as previous_balance,
      pg_catalog.lag(e.created_at) over w as previous_at
    from public.token_entries e
    window w as (partition by e.user_id, e.token_type order by e.version)
  ), latest as (
    select distinct on (c.user_id, c.token_type) c.user_id, c.token_type, c.version, c.balance_after
    from chain c order by c.user_id, c.token_type, c.version desc
  ), expected as (
    select t.id, t.to_user_id as user_id, t.token_type, t.amount from public.token_transactions t where t.to_user_id is not null
    union all
    select t.id, t.from_user_id, t.token_type, -t.amount from public.token_transactions t where t.from_user_id is not null
  )
  select pg_catalog.format('%s/%s: version %s is entry %s of the account (a gap or a repeat)', c.user_id, c.token_type, c.version, c.n)
  from chain c where c.version <> c.n
  union all
  select pg_catalog.format('%s/%s: version %s has balance %s, not %s + %s', c.user_id, c.token_type, c.version,
    c.balance_after, coalesce(c.previous_balance, 0), c.amount)
  from chain c where c.balance_after <> coalesce(c.previous_balance, 0) + c.amount
  union all
  select pg_catalog.format('%s/%s: version %s is dated before version %s', c.user_id, c.token_type, c.version, c.version - 1)
  from chain c where c.created_at < c.previous_at
  union all
  select pg_catalog.format('%s/%s: balance %s at version %s, but its last entry says %s at version %s', b.user_id, b.token_type,
    b.balance, b.version, coalesce(l.balance_after, 0), coalesce(l.version, 0))
  from public.token_balances b
  left join latest l on l.user_id = b.user_id and l.token_type = b.token_type
  where b.balance <> coalesce(l.balance_after, 0) or b.version <> coalesce(l.version, 0)
  union all
  select pg_catalog.format('%s/%s: entries without a balance row', l.user_id, l.token_type)
  from latest l
  where not exists (select from public.token_balances b where b.user_id = l.user_id and b.token_type = l.token_type)
  union all
  select pg_catalog.format('transaction %s moves %s %s for %s, its entry says %s',
    coalesce(x.id, e.transaction_id), coalesce(x.amount::text, 'nothing'), coalesce(x.token_type, e.token_type),
    coalesce(x.user_id, e.user_id), coalesce(e.amount::text, 'nothing'))
  from expected x
  full join public.token_entries e on e.transaction_id = x.id and e.user_id = x.user_id and e.token_type = x.token_type
  where x.id is null or e.transaction_id is null or e.amount <> x.amount
$$;
comment on function private.ledger_chain_violations() is
  'The ledger''s invariant, one line per violation (none when it holds): every account''s entries chain (version n = n-1 + amount, versions 1..n, in time order), end at token_balances'' balance and version, and match the ledger rows one to one. For migrations, tests and operators (superuser or owner); no API role.';
revoke all on function private.ledger_chain_violations() from public;

-- The history before this migration, as entries: each account's ledger rows in order of created_at,
-- then id. Only once: a ledger that already has entries got every one with its movement.
do $backfill$
begin
  if not exists (select from public.token_entries) then
    insert into public.token_entries (user_id, token_type, version, transaction_id, amount, balance_after, created_at)
    select s.user_id, s.token_type, pg_catalog.row_number() over w, s.id, s.amount, pg_catalog.sum(s.amount) over w, s.created_at
    from (
      select t.to_user_id as user_id, t.token_type, t.id, t.amount, t.created_at
      from public.token_transactions t where t.to_user_id is not null
      union all
      select t.from_user_id, t.token_type, t.id, -t.amount, t.created_at
      from public.token_transactions t where t.from_user_id is not null
    ) s
    window w as (partition by s.user_id, s.token_type order by s.created_at, s.id rows between unbounded preceding and current row);

    update public.token_balances b
    set version = l.version, updated_at = greatest(b.updated_at, l.created_at)
    from (
      select distinct on (e.user_id, e.token_type) e.user_id, e.token_type, e.version, e.created_at
      from public.token_entries e order by e.user_id, e.token_type, e.version desc
    ) l
    where l.user_id = b.user_id and l.token_type = b.token_type;
  end if;
end
$backfill$;

do $verify$
declare
  v_violation text;
  v_count bigint;
begin
  select count(*), min(v) into v_count, v_violation from private.ledger_chain_violations() v;
  if v_count > 0 then
    raise exception using
      message = pg_catalog.format('the ledger does not chain: %s violations, e.g. %s', v_count, v_violation),
      hint = 'each balance must equal the sum of its ledger rows; correct the ledger, then migrate again';
  end if;
end
$verify$;

create or replace function private.transfer_tokens(
  p_from_user_id uuid, p_to_user_id uuid, p_token_type text, p_amount numeric,
  p_idempotency_key uuid, p_memo text default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_role text := pg_catalog.current_setting('role');
  v_caller_ok boolean;
  v_id uuid;
  v_lo uuid;
  v_hi uuid;
  v_moved bigint;
  v_balance numeric;
  v_version bigint;
begin
  -- The caller. A signed-in user sends from their own account only; the service role and superusers
  -- from any. Inside this definer body current_user is the owner, but the setting `role` is still the
  -- caller's, and is_superuser follows it. Anything else gets the full check, with its errors.
  if v_role = 'authenticated' then
    v_caller_ok := auth.uid() = p_from_user_id;
  else
    v_caller_ok := v_role = 'service_role' or pg_catalog.current_setting('is_superuser') = 'on';
  end if;
  if v_caller_ok is not true then
    perform private.assert_may_act_for(p_from_user_id, 'p_from_user_id');
  end if;

  if p_from_user_id is null or p_to_user_id is null or p_idempotency_key is null or p_token_type is null
     or not (p_amount > 0 and p_amount < 1e20) or pg_catalog.char_length(p_memo) > 500 or p_to_user_id = p_from_user_id then
    if p_from_user_id is null then
      perform private.raise_error('missing_argument', 'p_from_user_id is null');
    end if;
    if p_to_user_id is null then
      perform private.raise_error('missing_argument', 'p_to_user_id is null');
    end if;
    if p_idempotency_key is null then
      perform private.raise_error('missing_argument', 'p_idempotency_key is null');
    end if;
    perform private.check_token_amount(p_token_type, p_amount, true);
    if pg_catalog.char_length(p_memo) > 500 then
      perform private.raise_error('invalid_memo');
    end if;
    perform private.raise_error('self_transfer');
  end if;

  -- A time-ordered id (UUID version 7): new ledger rows go to the right edge of the primary key.
  v_id := pg_catalog.encode(
    pg_catalog.int8send(((extract(epoch from pg_catalog.clock_timestamp()) * 1000)::bigint << 16) | (28672 + (pg_catalog.random() * 4095)::bigint))
    || pg_catalog.int8send(-9223372036854775808 + (pg_catalog.random() * 4611686018427387000)::bigint), 'hex')::uuid;
  if p_from_user_id < p_to_user_id then
    v_lo := p_from_user_id;
    v_hi := p_to_user_id;
  else
    v_lo := p_to_user_id;
    v_hi := p_from_user_id;
  end if;

  -- One statement. The ledger row first: a second request with the same sender and key waits on the
  -- key, then inserts nothing and moves nothing. Then both accounts, locked in user id order by the
  -- upsert: the sender's debited only if it covers the amount, the receiver's credited only below the
  -- cap. A receiver's first credit creates its account (version 1); a sender without an account gets
  -- an empty one (version 0, no entry), which the refusal below rolls back. New accounts are checked
  -- by private.check_account_user(). Then an entry per account moved.
  with ledger as (
    insert into public.token_transactions (id, kind, token_type, from_user_id, to_user_id, amount, idempotency_key, memo)
    select v_id, 'transfer', t.code, p_from_user_id, p_to_user_id, p_amount, p_idempotency_key, p_memo
    from public.token_types t
    where t.code = p_token_type and t.transferable and p_amount = pg_catalog.round(p_amount, t.decimals)
    on conflict (from_user_id, idempotency_key) do nothing
    returning 1
  ), moved as (
    insert into public.token_balances as b (user_id, token_type, balance, version, updated_at)
    select a.user_id, p_token_type, case when a.user_id = p_to_user_id then p_amount else 0 end,
           case when a.user_id = p_to_user_id then 1 else 0 end, pg_catalog.clock_timestamp()
    from (values (v_lo), (v_hi)) as a (user_id)
    where exists (select from ledger)
    on conflict (user_id, token_type) do update
      set balance = b.balance + case when b.user_id = p_to_user_id then p_amount else -p_amount end,
          version = b.version + 1,
          updated_at = greatest(pg_catalog.clock_timestamp(), b.updated_at)
      where case when b.user_id = p_to_user_id then b.balance + p_amount < 1e20 else b.balance >= p_amount end
    returning b.user_id, b.balance, b.version, b.updated_at
  )
  insert into public.token_entries (user_id, token_type, version, transaction_id, amount, balance_after, created_at)
  select m.user_id, p_token_type, m.version, v_id, case when m.user_id = p_to_user_id then p_amount else -p_amount end, m.balance, m.updated_at
  from moved m
  where m.version > 0;
  get diagnostics v_moved = row_count;
  if v_moved = 2 then
    return v_id;
  end if;

  -- Refused somewhere: say why. Raising undoes whatever the statement did.
  perform private.check_token_amount(p_token_type, p_amount, true);
  if not exists (select from public.token_transactions t where t.id = v_id) then
    return private.replay_or_refuse(p_idempotency_key, 'transfer', p_token_type, p_from_user_id, p_to_user_id, p_amount, p_memo);
  end if;
  -- Whether the sender's account moved in this statement: its latest entry is this transaction's.
  select b.balance, b.version into v_balance, v_version
  from public.token_balances b where b.user_id = p_from_user_id and b.token_type = p_token_type;
  if not exists (
    select from public.token_entries e
    where e.user_id = p_from_user_id and e.token_type = p_token_type and e.version = v_version and e.transaction_id = v_id
  ) then
    perform private.raise_error('insufficient_balance',
      pg_catalog.format('available %s, requested %s', pg_catalog.trim_scale(coalesce(v_balance, 0)), pg_catalog.trim_scale(p_amount)));
  end if;
  perform private.raise_error('balance_limit_exceeded');
  return null;
end
$$;
comment on function private.transfer_tokens(uuid, uuid, text, numeric, uuid, text) is
  'Body of public.transfer_tokens (SECURITY DEFINER: writes balances, the ledger and its entries). Call the public function.';

create or replace function private.mint_tokens(
  p_to_user_id uuid, p_token_type text, p_amount numeric, p_idempotency_key uuid, p_memo text default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_role text := pg_catalog.current_setting('role');
  v_id uuid;
  v_moved bigint;
begin
  if not (v_role = 'service_role' or pg_catalog.current_setting('is_superuser') = 'on') and not private.request_is_privileged() then
    perform private.raise_error('permission_denied', 'minting needs the service role');
  end if;
  if p_to_user_id is null or p_idempotency_key is null or p_token_type is null
     or not (p_amount > 0 and p_amount < 1e20) or pg_catalog.char_length(p_memo) > 500 then
    if p_to_user_id is null then
      perform private.raise_error('missing_argument', 'p_to_user_id is null');
    end if;
    if p_idempotency_key is null then
      perform private.raise_error('missing_argument', 'p_idempotency_key is null');
    end if;
    perform private.check_token_amount(p_token_type, p_amount, false);
    perform private.raise_error('invalid_memo');
  end if;

  v_id := pg_catalog.encode(
    pg_catalog.int8send(((extract(epoch from pg_catalog.clock_timestamp()) * 1000)::bigint << 16) | (28672 + (pg_catalog.random() * 4095)::bigint))
    || pg_catalog.int8send(-9223372036854775808 + (pg_catalog.random() * 4611686018427387000)::bigint), 'hex')::uuid;

  with ledger as (
    insert into public.token_transactions (id, kind, token_type, from_user_id, to_user_id, amount, idempotency_key, memo)
    select v_id, 'mint', t.code, null, p_to_user_id, p_amount, p_idempotency_key, p_memo
    from public.token_types t
    where t.code = p_token_type and p_amount = pg_catalog.round(p_amount, t.decimals)
    on conflict (idempotency_key) where kind = 'mint' do nothing
    returning 1
  ), moved as (
    insert into public.token_balances as b (user_id, token_type, balance, version, updated_at)
    select p_to_user_id, p_token_type, p_amount, 1, pg_catalog.clock_timestamp()
    where exists (select from ledger)
    on conflict (user_id, token_type) do update
      set balance = b.balance + p_amount,
          version = b.version + 1,
          updated_at = greatest(pg_catalog.clock_timestamp(), b.updated_at)
      where b.balance + p_amount < 1e20
    returning b.user_id, b.balance, b.version, b.updated_at
  )
  insert into public.token_entries (user_id, token_type, version, transaction_id, amount, balance_after, created_at)
  select m.user_id, p_token_type, m.version, v_id, p_amount, m.balance, m.updated_at
  from moved m;
  get diagnostics v_moved = row_count;
  if v_moved = 1 then
    return v_id;
  end if;

  perform private.check_token_amount(p_token_type, p_amount, false);
  if not exists (select from public.token_transactions t where t.id = v_id) then
    return private.replay_or_refuse(p_idempotency_key, 'mint', p_token_type, null, p_to_user_id, p_amount, p_memo);
  end if;
  perform private.raise_error('balance_limit_exceeded');
  return null;
end
$$;
comment on function private.mint_tokens(uuid, text, numeric, uuid, text) is
  'Body of public.mint_tokens (SECURITY DEFINER: writes balances, the ledger and its entries). Call the public function.';

-- PL/pgSQL rather than SQL: a SQL function's body is parsed and planned again for every query that
-- calls it, a PL/pgSQL one once per session.
create or replace function public.transfer_tokens(
  p_from_user_id uuid, p_to_user_id uuid, p_token_type text, p_amount numeric,
  p_idempotency_key uuid, p_memo text default null
)
returns uuid
language plpgsql
security invoker
set search_path = ''
as $$
begin
  return private.transfer_tokens(p_from_user_id, p_to_user_id, p_token_type, p_amount, p_idempotency_key, p_memo);
end
$$;

create or replace function public.mint_tokens(
  p_to_user_id uuid, p_token_type text, p_amount numeric, p_idempotency_key uuid, p_memo text default null
)
returns uuid
language plpgsql
security invoker
set search_path = ''
as $$
begin
  return private.mint_tokens(p_to_user_id, p_token_type, p_amount, p_idempotency_key, p_memo);
end
$$;

drop function if exists private.debit_balance(uuid, text, numeric);
drop function if exists private.credit_balance(uuid, text, numeric);

create or replace function public.token_balance_at(p_token_type text, p_at timestamptz, p_user_id uuid default null)
returns numeric
language sql
stable
security invoker
set search_path = ''
as $$
  select case when p_token_type is null or p_at is null or coalesce(p_user_id, (select auth.uid())) is null then null
    else coalesce((
      select e.balance_after from public.token_entries e
      where e.user_id = coalesce(p_user_id, (select auth.uid())) and e.token_type = p_token_type and e.created_at <= p_at
      order by e.created_at desc, e.version desc
      limit 1
    ), 0)
  end
$$;
comment on function public.token_balance_at(text, timestamptz, uuid) is
  'The balance of p_token_type at the instant p_at (after every movement at or before it; 0 before the first), from the entries alone. Of the caller, or of p_user_id for the service role (a user sees only their own: another''s reads 0). Null when an argument is missing. Callable by authenticated and service_role.';

revoke all on function public.token_balance_at(text, timestamptz, uuid) from public, anon, authenticated, service_role;
grant execute on function public.token_balance_at(text, timestamptz, uuid) to authenticated, service_role;
