-- Rollback of 20261207130100_token_holds.sql: the hold functions and table, the held amounts, and the
-- ledger functions and chain check as 20261207110200_ledger_entries.sql left them. It refuses while
-- any hold movement is in the ledger: without the holds its history would no longer chain.
do $refuse$
begin
  if exists (select from public.token_transactions t where t.hold_id is not null) then
    raise exception 'the ledger has hold movements: rolling back the holds would break its chain'
      using hint = 'keep this migration; holds are part of the ledger''s history';
  end if;
end
$refuse$;

-- The ledger functions and the chain check as 20261207110200_ledger_entries.sql defined them.
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

drop function if exists private.new_ledger_id();
create or replace function private.spendable_balance(p_user_id uuid, p_token_type text)
returns numeric
language sql
stable
set search_path = ''
as $$
  select coalesce((select b.balance from public.token_balances b where b.user_id = p_user_id and b.token_type = p_token_type), 0)
$$;
drop index if exists public.token_transactions_hold_movement;

drop function if exists public.release_expired_holds(integer);
drop function if exists public.release_hold(uuid);
drop function if exists public.capture_hold(uuid, numeric);
drop function if exists public.hold_tokens(uuid, uuid, text, numeric, integer, uuid, text);
drop function if exists private.release_expired_holds(integer);
drop function if exists private.release_hold(uuid);
drop function if exists private.capture_hold(uuid, numeric);
drop function if exists private.hold_tokens(uuid, uuid, text, numeric, integer, uuid, text);
drop function if exists private.release_locked_hold(public.token_holds, public.token_hold_status);
drop function if exists private.locked_hold(uuid);
drop function if exists private.move_hold(public.token_holds, public.token_transaction_kind, numeric, numeric, numeric, numeric);
drop table if exists public.token_holds;
drop type if exists public.token_hold_status;
alter table public.token_transactions drop column if exists hold_id;
alter table public.token_entries drop column if exists held_after;
alter table public.token_balances drop column if exists available;
alter table public.token_balances drop constraint if exists token_balances_held_covered;
alter table public.token_balances drop column if exists held;
delete from private.error_codes where sqlstate in ('VT014', 'VT015', 'VT016', 'VT017');
