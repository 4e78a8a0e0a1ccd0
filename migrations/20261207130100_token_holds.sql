-- Two-phase transfers (issue 19): a hold reserves an amount of the payer's balance for a payee until
-- it expires; a capture posts all or part of it to the payee (the rest is released with it); a
-- release voids it. A hold resolves at most once. TigerBeetle's pending transfers with post, void and
-- timeout are the model.
--
-- Balances. token_balances.balance stays the total a user owns; `held` is the part reserved by
-- pending holds and `available` (balance - held) what a transfer, a batch or a new hold may spend:
-- the overdraft check counts holds. `held <= balance` is a check of the row, so no path can spend
-- held tokens.
--
-- The ledger. A hold, a capture and a release are each a ledger row (kinds hold, capture, release,
-- the hold's id in hold_id) with an entry per account moved, as transfers have: a hold's and a
-- release's entry move no balance (amount 0) and change `held_after`; a capture's move the balances
-- and release the whole hold from `held`. private.ledger_chain_violations() now checks the held
-- chain too: every entry's held_after is the previous one's plus what its movement reserved or
-- released, and the last is token_balances.held.
--
-- Who may do what (enforced here, documented in the README):
-- - hold: the payer (a signed-in user, from themselves) or the service role (from anyone);
-- - capture: the payee or the service role, never after the hold expired;
-- - release: the payee or the service role at any time; the payer only once the hold has expired
--   (so a buyer cannot take back what a seller is delivering against);
-- - expired holds are released in bounded batches by public.release_expired_holds (service role;
--   `avolve-db maintain` calls it).
-- A user who is neither party learns nothing: such a hold is hold_not_found, as a missing one.
-- Capturing a captured hold with the same amount, or releasing a released one, replays the first
-- outcome (so the SDK may retry them); any other second resolution is hold_resolved.
--
-- Locks. Creating a hold locks the payer's account; capturing or releasing locks the hold first,
-- then the accounts in user id order, as transfers do: no cycle with transfers, batches or the sweep.

insert into private.error_codes (sqlstate, name, message, hint) values
  ('VT014', 'hold_not_found', 'hold not found', 'the id must be a hold you pay or are paid by'),
  ('VT015', 'hold_resolved', 'the hold was already captured or released', 'a hold resolves once; make a new hold'),
  ('VT016', 'hold_expired', 'the hold has expired', 'an expired hold can only be released'),
  ('VT017', 'invalid_expiry', 'invalid hold expiry', 'a hold expires 1 second to 30 days after it is made')
on conflict (sqlstate) do update
  set name = excluded.name, message = excluded.message, hint = excluded.hint;

alter table public.token_balances add column if not exists held numeric(38, 18) not null default 0;
alter table public.token_balances drop constraint if exists token_balances_held_covered;
alter table public.token_balances add constraint token_balances_held_covered check (held >= 0 and held <= balance);
alter table public.token_balances add column if not exists available numeric(38, 18) generated always as (balance - held) stored;
comment on column public.token_balances.balance is 'The total the user owns, held tokens included.';
comment on column public.token_balances.held is 'The part of the balance reserved by pending holds (public.token_holds).';
comment on column public.token_balances.available is 'balance - held: what transfers and new holds may spend.';

alter table public.token_entries add column if not exists held_after numeric(38, 18) not null default 0;
comment on column public.token_entries.held_after is 'The account''s held amount right after this movement.';

alter table public.token_transactions add column if not exists hold_id uuid;
comment on column public.token_transactions.hold_id is 'For kinds hold, capture and release: the public.token_holds row moved.';
-- A hold moves once per kind: one hold row, at most one capture or release. Partial, so a transfer pays nothing for it.
create unique index if not exists token_transactions_hold_movement on public.token_transactions (hold_id, kind) where hold_id is not null;

do $status$
begin
  create type public.token_hold_status as enum ('pending', 'captured', 'released', 'expired');
exception
  when duplicate_object then null;
end
$status$;
comment on type public.token_hold_status is
  'pending: reserved; captured: posted to the payee; released: voided by a party or the service; expired: released by the expiry sweep.';

create table if not exists public.token_holds (
  id uuid primary key,
  from_user_id uuid not null references public.users (id) on delete restrict,
  to_user_id uuid not null references public.users (id) on delete restrict,
  token_type text not null references public.token_types (code),
  amount numeric(38, 18) not null check (amount > 0),
  status public.token_hold_status not null default 'pending',
  expires_at timestamptz not null,
  idempotency_key uuid not null,
  memo text check (pg_catalog.char_length(memo) <= 500),
  captured_amount numeric(38, 18) check (captured_amount > 0 and captured_amount <= amount),
  created_at timestamptz not null default pg_catalog.now(),
  resolved_at timestamptz,
  constraint token_holds_parties check (from_user_id <> to_user_id),
  constraint token_holds_resolution check ((status = 'pending') = (resolved_at is null) and (status = 'captured') = (captured_amount is not null))
);
comment on table public.token_holds is
  'Two-phase transfers: tokens of the payer (from) reserved for the payee (to) until expires_at, then captured or released once. Written by the hold functions only; each party reads its own holds.';

create unique index if not exists token_holds_payer_key on public.token_holds (from_user_id, idempotency_key);
-- Each serves one side of a user's list of holds (keyset pages, newest first).
create index if not exists token_holds_payer_created_idx on public.token_holds (from_user_id, created_at desc, id desc);
create index if not exists token_holds_payee_created_idx on public.token_holds (to_user_id, created_at desc, id desc);
-- It serves the foreign key to token_types.
create index if not exists token_holds_token_type_idx on public.token_holds (token_type);
-- The sweep's queue: pending holds by expiry.
create index if not exists token_holds_pending_expiry_idx on public.token_holds (expires_at) where status = 'pending';

alter table public.token_holds enable row level security;
revoke all on table public.token_holds from public, anon, authenticated, service_role;
grant select on table public.token_holds to authenticated, service_role;
drop policy if exists token_holds_select_parties on public.token_holds;
create policy token_holds_select_parties on public.token_holds
  for select to authenticated
  using (from_user_id = any (select auth.uid()) or to_user_id = any (select auth.uid()));
drop policy if exists token_holds_select_service on public.token_holds;
create policy token_holds_select_service on public.token_holds
  for select to service_role
  using (true);

-- The chain of every account, held amounts included (see the head of this file).
create or replace function private.ledger_chain_violations()
returns setof text
language sql
stable
set search_path = ''
as $$
  with chain as (
    select e.user_id, e.token_type, e.version, e.amount, e.balance_after, e.held_after, e.created_at, e.transaction_id,
      pg_catalog.row_number() over w as n,
      pg_catalog.lag(e.balance_after) over w as previous_balance,
      pg_catalog.lag(e.held_after) over w as previous_held,
      pg_catalog.lag(e.created_at) over w as previous_at
    from public.token_entries e
    window w as (partition by e.user_id, e.token_type order by e.version)
  ), latest as (
    select distinct on (c.user_id, c.token_type) c.user_id, c.token_type, c.version, c.balance_after, c.held_after
    from chain c order by c.user_id, c.token_type, c.version desc
  ), expected as (
    select t.id, t.to_user_id as user_id, t.token_type, t.amount, 0::numeric as held
    from public.token_transactions t where t.to_user_id is not null and t.kind in ('mint', 'transfer', 'capture')
    union all
    select t.id, t.from_user_id, t.token_type,
      case when t.kind in ('hold', 'release') then 0 else -t.amount end,
      case t.kind when 'hold' then t.amount when 'release' then -t.amount when 'capture' then -h.amount else 0 end
    from public.token_transactions t
    left join public.token_holds h on h.id = t.hold_id
    where t.from_user_id is not null
  )
  select pg_catalog.format('%s/%s: version %s is entry %s of the account (a gap or a repeat)', c.user_id, c.token_type, c.version, c.n)
  from chain c where c.version <> c.n
  union all
  select pg_catalog.format('%s/%s: version %s has balance %s, not %s + %s', c.user_id, c.token_type, c.version,
    c.balance_after, coalesce(c.previous_balance, 0), c.amount)
  from chain c where c.balance_after <> coalesce(c.previous_balance, 0) + c.amount
  union all
  select pg_catalog.format('%s/%s: version %s holds %s, not %s %s', c.user_id, c.token_type, c.version,
    c.held_after, coalesce(c.previous_held, 0), coalesce(x.held::text, 'and a movement it does not match'))
  from chain c
  left join expected x on x.id = c.transaction_id and x.user_id = c.user_id and x.token_type = c.token_type
  where c.held_after <> coalesce(c.previous_held, 0) + coalesce(x.held, 0)
  union all
  select pg_catalog.format('%s/%s: version %s is dated before version %s', c.user_id, c.token_type, c.version, c.version - 1)
  from chain c where c.created_at < c.previous_at
  union all
  select pg_catalog.format('%s/%s: balance %s (held %s) at version %s, but its last entry says %s (held %s) at version %s', b.user_id, b.token_type,
    b.balance, b.held, b.version, coalesce(l.balance_after, 0), coalesce(l.held_after, 0), coalesce(l.version, 0))
  from public.token_balances b
  left join latest l on l.user_id = b.user_id and l.token_type = b.token_type
  where b.balance <> coalesce(l.balance_after, 0) or b.held <> coalesce(l.held_after, 0) or b.version <> coalesce(l.version, 0)
  union all
  select pg_catalog.format('%s/%s: entries without a balance row', l.user_id, l.token_type)
  from latest l
  where not exists (select from public.token_balances b where b.user_id = l.user_id and b.token_type = l.token_type)
  union all
  select pg_catalog.format('%s/%s: holds %s, but its pending holds add up to %s', b.user_id, b.token_type, b.held, coalesce(p.total, 0))
  from public.token_balances b
  left join (
    select h.from_user_id, h.token_type, pg_catalog.sum(h.amount) as total from public.token_holds h where h.status = 'pending' group by 1, 2
  ) p on p.from_user_id = b.user_id and p.token_type = b.token_type
  where b.held <> coalesce(p.total, 0)
  union all
  select pg_catalog.format('transaction %s moves %s %s for %s, its entry says %s',
    coalesce(x.id, e.transaction_id), coalesce(x.amount::text, 'nothing'), coalesce(x.token_type, e.token_type),
    coalesce(x.user_id, e.user_id), coalesce(e.amount::text, 'nothing'))
  from expected x
  full join public.token_entries e on e.transaction_id = x.id and e.user_id = x.user_id and e.token_type = x.token_type
  where x.id is null or e.transaction_id is null or e.amount <> x.amount
$$;
comment on function private.ledger_chain_violations() is
  'The ledger''s invariant, one line per violation (none when it holds): every account''s entries chain (version n = n-1 + amount, held amounts as its holds, captures and releases say, versions 1..n, in time order), end at token_balances'' balance, held and version, held equals the pending holds, and entries match the ledger rows one to one. For migrations, tests and operators (superuser or owner); no API role.';
revoke all on function private.ledger_chain_violations() from public;

-- A transfer spends only what is available (balance - held), and its entries record the held amount.
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
  v_available numeric;
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

  -- A time-ordered id (UUID version 7), written out rather than a call of private.new_ledger_id(): a
  -- function with its own search_path is a call of its own on the transfer's hot path.
  v_id := pg_catalog.encode(
    pg_catalog.int8send((pg_catalog.floor(extract(epoch from pg_catalog.clock_timestamp()) * 1000)::bigint << 16) | (28672 + (pg_catalog.random() * 4095)::bigint))
    || pg_catalog.int8send(-9223372036854775808 + (pg_catalog.random() * 4611686018427387000)::bigint), 'hex')::uuid;
  if p_from_user_id < p_to_user_id then
    v_lo := p_from_user_id;
    v_hi := p_to_user_id;
  else
    v_lo := p_to_user_id;
    v_hi := p_from_user_id;
  end if;

  -- One statement, as before (20261207110200_ledger_entries.sql): the ledger row, both accounts
  -- locked and moved in user id order by one upsert (the sender's only if its available balance
  -- covers the amount), then an entry per account moved.
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
      where case when b.user_id = p_to_user_id then b.balance + p_amount < 1e20 else b.balance - b.held >= p_amount end
    returning b.user_id, b.balance, b.held, b.version, b.updated_at
  )
  insert into public.token_entries (user_id, token_type, version, transaction_id, amount, balance_after, held_after, created_at)
  select m.user_id, p_token_type, m.version, v_id, case when m.user_id = p_to_user_id then p_amount else -p_amount end, m.balance, m.held, m.updated_at
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
  select b.balance - b.held, b.version into v_available, v_version
  from public.token_balances b where b.user_id = p_from_user_id and b.token_type = p_token_type;
  if not exists (
    select from public.token_entries e
    where e.user_id = p_from_user_id and e.token_type = p_token_type and e.version = v_version and e.transaction_id = v_id
  ) then
    perform private.raise_error('insufficient_balance',
      pg_catalog.format('available %s, requested %s', pg_catalog.trim_scale(coalesce(v_available, 0)), pg_catalog.trim_scale(p_amount)));
  end if;
  perform private.raise_error('balance_limit_exceeded');
  return null;
end
$$;
comment on function private.transfer_tokens(uuid, uuid, text, numeric, uuid, text) is
  'Body of public.transfer_tokens (SECURITY DEFINER: writes balances, the ledger and its entries; spends the available balance). Call the public function.';

-- A time-ordered id (UUID version 7): new ledger rows go to the right edge of the primary key.
create or replace function private.new_ledger_id()
returns uuid
language sql
volatile
set search_path = ''
as $$
  select pg_catalog.encode(
    pg_catalog.int8send((pg_catalog.floor(extract(epoch from pg_catalog.clock_timestamp()) * 1000)::bigint << 16) | (28672 + (pg_catalog.random() * 4095)::bigint))
    || pg_catalog.int8send(-9223372036854775808 + (pg_catalog.random() * 4611686018427387000)::bigint), 'hex')::uuid
$$;
comment on function private.new_ledger_id() is 'A UUID version 7 (time-ordered) for a new ledger row or hold. For the ledger functions.';
revoke all on function private.new_ledger_id() from public;

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

  -- A time-ordered id (UUID version 7), written out rather than a call of private.new_ledger_id(): a
  -- function with its own search_path is a call of its own on the transfer's hot path.
  v_id := pg_catalog.encode(
    pg_catalog.int8send((pg_catalog.floor(extract(epoch from pg_catalog.clock_timestamp()) * 1000)::bigint << 16) | (28672 + (pg_catalog.random() * 4095)::bigint))
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
    returning b.user_id, b.balance, b.held, b.version, b.updated_at
  )
  insert into public.token_entries (user_id, token_type, version, transaction_id, amount, balance_after, held_after, created_at)
  select m.user_id, p_token_type, m.version, v_id, p_amount, m.balance, m.held, m.updated_at
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

-- A batch spends only what is available.
create or replace function private.spendable_balance(p_user_id uuid, p_token_type text)
returns numeric
language sql
stable
set search_path = ''
as $$
  select coalesce((select b.balance - b.held from public.token_balances b where b.user_id = p_user_id and b.token_type = p_token_type), 0)
$$;

-- One movement of a hold's accounts (its ledger row and an entry per account moved), for the hold
-- functions below, which have locked the hold and checked the caller. p_debit moves the payer's
-- balance, p_held its held amount, p_credit the payee's balance (creating its account).
create or replace function private.move_hold(
  p_hold public.token_holds, p_kind public.token_transaction_kind, p_amount numeric, p_debit numeric, p_held numeric, p_credit numeric
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid := private.new_ledger_id();
  v_moved bigint;
begin
  -- Keyed by its own id, which no caller knows before it exists (a key derived from the hold's id could
  -- be taken first by a transfer of the payer's); once per hold and kind by token_transactions_hold_movement.
  insert into public.token_transactions (id, kind, token_type, from_user_id, to_user_id, amount, idempotency_key, memo, hold_id)
  values (v_id, p_kind, p_hold.token_type, p_hold.from_user_id, p_hold.to_user_id, p_amount, v_id, p_hold.memo, p_hold.id);
  -- Both accounts in user id order, as a transfer locks them; the payee's only when it is credited.
  with moved as (
    insert into public.token_balances as b (user_id, token_type, balance, version, updated_at)
    select a.user_id, p_hold.token_type, case when a.user_id = p_hold.to_user_id then p_credit else 0 end,
           case when a.user_id = p_hold.to_user_id then 1 else 0 end, pg_catalog.clock_timestamp()
    from (values (p_hold.from_user_id), (p_hold.to_user_id)) as a (user_id)
    where a.user_id = p_hold.from_user_id or p_credit > 0
    order by a.user_id
    on conflict (user_id, token_type) do update
      set balance = b.balance + case when b.user_id = p_hold.to_user_id then p_credit else -p_debit end,
          held = b.held + case when b.user_id = p_hold.to_user_id then 0 else p_held end,
          version = b.version + 1,
          updated_at = greatest(pg_catalog.clock_timestamp(), b.updated_at)
      where case when b.user_id = p_hold.to_user_id then b.balance + p_credit < 1e20 else b.balance - b.held - p_held >= 0 or p_held <= 0 end
    returning b.user_id, b.balance, b.held, b.version, b.updated_at
  )
  insert into public.token_entries (user_id, token_type, version, transaction_id, amount, balance_after, held_after, created_at)
  select m.user_id, p_hold.token_type, m.version, v_id, case when m.user_id = p_hold.to_user_id then p_credit else -p_debit end, m.balance, m.held, m.updated_at
  from moved m
  -- A payer without an account gets an empty one (version 0, no entry), which the refusal below undoes.
  where m.version > 0;
  get diagnostics v_moved = row_count;
  if v_moved = 1 + (p_credit > 0)::integer then
    return v_id;
  end if;
  if p_credit > 0 and exists (select from public.token_balances b where b.user_id = p_hold.to_user_id and b.token_type = p_hold.token_type and b.balance + p_credit >= 1e20) then
    perform private.raise_error('balance_limit_exceeded');
  end if;
  perform private.raise_error('insufficient_balance',
    pg_catalog.format('available %s, requested %s',
      pg_catalog.trim_scale(coalesce((select b.balance - b.held from public.token_balances b where b.user_id = p_hold.from_user_id and b.token_type = p_hold.token_type), 0)),
      pg_catalog.trim_scale(p_hold.amount)));
  return null;
end
$$;
comment on function private.move_hold(public.token_holds, public.token_transaction_kind, numeric, numeric, numeric, numeric) is
  'One ledger movement of a hold (hold, capture or release) with its entries, after the caller locked the hold. For the hold functions only.';
revoke all on function private.move_hold(public.token_holds, public.token_transaction_kind, numeric, numeric, numeric, numeric) from public;

create or replace function private.hold_tokens(
  p_from_user_id uuid, p_to_user_id uuid, p_token_type text, p_amount numeric, p_expires_in_seconds integer,
  p_idempotency_key uuid, p_memo text default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_hold public.token_holds;
  v_first public.token_holds;
begin
  perform private.assert_may_act_for(p_from_user_id, 'p_from_user_id');
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
  if p_to_user_id = p_from_user_id then
    perform private.raise_error('self_transfer');
  end if;
  if p_expires_in_seconds is null or p_expires_in_seconds < 1 or p_expires_in_seconds > 2592000 then
    perform private.raise_error('invalid_expiry', pg_catalog.format('expires in %s seconds', coalesce(p_expires_in_seconds::text, 'null')));
  end if;
  if not exists (select from public.users u where u.id = p_to_user_id) then
    perform private.raise_error('unknown_user', 'p_to_user_id does not name an existing user');
  end if;

  -- The key first: a second request with it waits here, then replays the first hold or is refused.
  insert into public.token_holds (id, from_user_id, to_user_id, token_type, amount, expires_at, idempotency_key, memo)
  values (private.new_ledger_id(), p_from_user_id, p_to_user_id, p_token_type, p_amount,
          pg_catalog.now() + pg_catalog.make_interval(secs => p_expires_in_seconds), p_idempotency_key, p_memo)
  on conflict (from_user_id, idempotency_key) do nothing
  returning * into v_hold;
  if v_hold.id is null then
    select h.* into v_first from public.token_holds h where h.from_user_id = p_from_user_id and h.idempotency_key = p_idempotency_key;
    if v_first.to_user_id = p_to_user_id and v_first.token_type = p_token_type and v_first.amount = p_amount and v_first.memo is not distinct from p_memo then
      return v_first.id;
    end if;
    perform private.raise_error('idempotency_conflict', 'this key was used for a different hold');
  end if;

  perform private.move_hold(v_hold, 'hold', p_amount, 0, p_amount, 0);
  return v_hold.id;
end
$$;
comment on function private.hold_tokens(uuid, uuid, text, numeric, integer, uuid, text) is
  'Body of public.hold_tokens (SECURITY DEFINER: writes holds, balances and the ledger). Call the public function.';

-- The hold p_hold_id, locked, if the caller may see it (a party, or the service role).
create or replace function private.locked_hold(p_hold_id uuid)
returns public.token_holds
language plpgsql
set search_path = ''
as $$
declare
  v_hold public.token_holds;
  v_uid uuid;
begin
  if p_hold_id is null then
    perform private.raise_error('missing_argument', 'p_hold_id is null');
  end if;
  select h.* into v_hold from public.token_holds h where h.id = p_hold_id for update;
  if not private.request_is_privileged() then
    v_uid := auth.uid();
    if v_uid is null then
      perform private.raise_error('not_authenticated');
    end if;
    if v_hold.id is not null and v_uid <> v_hold.from_user_id and v_uid <> v_hold.to_user_id then
      v_hold := null;
    end if;
  end if;
  if v_hold.id is null then
    perform private.raise_error('hold_not_found');
  end if;
  return v_hold;
end
$$;
comment on function private.locked_hold(uuid) is
  'Locks and returns a hold the caller is a party to (any, for the service role); hold_not_found otherwise. For the hold functions only.';
revoke all on function private.locked_hold(uuid) from public;

create or replace function private.capture_hold(p_hold_id uuid, p_amount numeric default null)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_hold public.token_holds := private.locked_hold(p_hold_id);
  v_amount numeric := coalesce(p_amount, v_hold.amount);
begin
  if not private.request_is_privileged() and auth.uid() <> v_hold.to_user_id then
    perform private.raise_error('permission_denied', 'a hold is captured by its payee or the service role');
  end if;
  if v_hold.status = 'captured' and v_hold.captured_amount = v_amount then
    -- A retry of the capture that succeeded: its outcome again.
    return v_hold.id;
  end if;
  if v_hold.status <> 'pending' then
    perform private.raise_error('hold_resolved', pg_catalog.format('the hold is %s', v_hold.status));
  end if;
  if v_hold.expires_at <= pg_catalog.now() then
    perform private.raise_error('hold_expired', pg_catalog.format('it expired at %s', v_hold.expires_at));
  end if;
  perform private.check_token_amount(v_hold.token_type, v_amount, true);
  if v_amount > v_hold.amount then
    perform private.raise_error('invalid_amount', pg_catalog.format('a capture takes at most the %s held', pg_catalog.trim_scale(v_hold.amount)));
  end if;

  -- The captured amount moves; the whole hold leaves `held` (a partial capture releases the rest).
  perform private.move_hold(v_hold, 'capture', v_amount, v_amount, -v_hold.amount, v_amount);
  update public.token_holds set status = 'captured', captured_amount = v_amount, resolved_at = pg_catalog.now() where id = v_hold.id;
  return v_hold.id;
end
$$;
comment on function private.capture_hold(uuid, numeric) is
  'Body of public.capture_hold (SECURITY DEFINER: writes holds, balances and the ledger). Call the public function.';

-- Releases a locked pending hold as `p_status` (released, or expired by the sweep).
create or replace function private.release_locked_hold(p_hold public.token_holds, p_status public.token_hold_status)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform private.move_hold(p_hold, 'release', p_hold.amount, 0, -p_hold.amount, 0);
  update public.token_holds set status = p_status, resolved_at = pg_catalog.now() where id = p_hold.id;
end
$$;
comment on function private.release_locked_hold(public.token_holds, public.token_hold_status) is
  'Voids a pending hold the caller locked: its ledger row and entry, and its status. For the hold functions only.';
revoke all on function private.release_locked_hold(public.token_holds, public.token_hold_status) from public;

create or replace function private.release_hold(p_hold_id uuid)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_hold public.token_holds := private.locked_hold(p_hold_id);
begin
  if v_hold.status in ('released', 'expired') then
    return v_hold.id;
  end if;
  if v_hold.status <> 'pending' then
    perform private.raise_error('hold_resolved', pg_catalog.format('the hold is %s', v_hold.status));
  end if;
  if not private.request_is_privileged() and auth.uid() <> v_hold.to_user_id and v_hold.expires_at > pg_catalog.now() then
    perform private.raise_error('permission_denied', 'the payer may release a hold only once it has expired');
  end if;
  perform private.release_locked_hold(v_hold, 'released');
  return v_hold.id;
end
$$;
comment on function private.release_hold(uuid) is
  'Body of public.release_hold (SECURITY DEFINER: writes holds, balances and the ledger). Call the public function.';

create or replace function private.release_expired_holds(p_limit integer default 1000)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_hold public.token_holds;
  v_ids uuid[];
  v_count integer := 0;
begin
  if not private.request_is_privileged() then
    perform private.raise_error('permission_denied', 'the expiry sweep needs the service role');
  end if;
  -- The holds first (those another transaction is resolving are skipped: that one decides them),
  -- then their payers' accounts in the global order (user id, token type), as a transfer or a batch
  -- takes them; releasing in expiry order while taking accounts as they come could deadlock.
  select pg_catalog.array_agg(l.id) into v_ids
  from (
    select h.id from public.token_holds h
    where h.status = 'pending' and h.expires_at <= pg_catalog.now()
    order by h.expires_at
    limit least(greatest(coalesce(p_limit, 1000), 1), 10000)
    for update skip locked
  ) l;
  perform from public.token_balances b
  where (b.user_id, b.token_type) in (select h.from_user_id, h.token_type from public.token_holds h where h.id = any (v_ids))
  order by b.user_id, b.token_type
  for update;
  for v_hold in select h.* from public.token_holds h where h.id = any (v_ids) order by h.from_user_id, h.token_type, h.expires_at
  loop
    perform private.release_locked_hold(v_hold, 'expired');
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;
comment on function private.release_expired_holds(integer) is
  'Body of public.release_expired_holds (SECURITY DEFINER: releases expired holds). Call the public function.';

create or replace function public.hold_tokens(
  p_from_user_id uuid, p_to_user_id uuid, p_token_type text, p_amount numeric, p_expires_in_seconds integer,
  p_idempotency_key uuid, p_memo text default null
)
returns uuid
language plpgsql
security invoker
set search_path = ''
as $$
begin
  return private.hold_tokens(p_from_user_id, p_to_user_id, p_token_type, p_amount, p_expires_in_seconds, p_idempotency_key, p_memo);
end
$$;
comment on function public.hold_tokens(uuid, uuid, text, numeric, integer, uuid, text) is
  'Reserves p_amount of p_token_type of p_from_user_id''s available balance for p_to_user_id for p_expires_in_seconds (1 to 2592000); returns the hold id. Idempotent per payer and p_idempotency_key. Callable by authenticated (from themselves) and service_role (from anyone).';

create or replace function public.capture_hold(p_hold_id uuid, p_amount numeric default null)
returns uuid
language plpgsql
security invoker
set search_path = ''
as $$
begin
  return private.capture_hold(p_hold_id, p_amount);
end
$$;
comment on function public.capture_hold(uuid, numeric) is
  'Posts p_amount (all when null) of a pending, unexpired hold to its payee and releases the rest; returns the hold id. Callable by authenticated (the payee) and service_role.';

create or replace function public.release_hold(p_hold_id uuid)
returns uuid
language plpgsql
security invoker
set search_path = ''
as $$
begin
  return private.release_hold(p_hold_id);
end
$$;
comment on function public.release_hold(uuid) is
  'Voids a pending hold; returns the hold id. Callable by authenticated (the payee at any time, the payer once it expired) and service_role.';

create or replace function public.release_expired_holds(p_limit integer default 1000)
returns integer
language plpgsql
security invoker
set search_path = ''
as $$
begin
  return private.release_expired_holds(p_limit);
end
$$;
comment on function public.release_expired_holds(integer) is
  'Releases up to p_limit (taken within 1 to 10000) expired pending holds, oldest expiry first; returns how many. Callable by service_role (avolve-db maintain).';

revoke all on function private.hold_tokens(uuid, uuid, text, numeric, integer, uuid, text) from public;
revoke all on function private.capture_hold(uuid, numeric) from public;
revoke all on function private.release_hold(uuid) from public;
revoke all on function private.release_expired_holds(integer) from public;
grant execute on function private.hold_tokens(uuid, uuid, text, numeric, integer, uuid, text) to authenticated, service_role;
grant execute on function private.capture_hold(uuid, numeric) to authenticated, service_role;
grant execute on function private.release_hold(uuid) to authenticated, service_role;
grant execute on function private.release_expired_holds(integer) to service_role;

revoke all on function public.hold_tokens(uuid, uuid, text, numeric, integer, uuid, text) from public, anon;
revoke all on function public.capture_hold(uuid, numeric) from public, anon;
revoke all on function public.release_hold(uuid) from public, anon;
revoke all on function public.release_expired_holds(integer) from public, anon, authenticated;
grant execute on function public.hold_tokens(uuid, uuid, text, numeric, integer, uuid, text) to authenticated, service_role;
grant execute on function public.capture_hold(uuid, numeric) to authenticated, service_role;
grant execute on function public.release_hold(uuid) to authenticated, service_role;
grant execute on function public.release_expired_holds(integer) to service_role;
