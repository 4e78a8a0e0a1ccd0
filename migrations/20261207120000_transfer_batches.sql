-- Atomic batches of transfers (issue 19): up to 100 transfers applied all or nothing, in one
-- transaction and one call, as TigerBeetle's linked events.
--
-- A batch's accounts are locked before any moves, all in one global order (user id, then token
-- type), a missing receiver's account created in the same pass: no batch can deadlock with another
-- or with a single transfer, which locks its two accounts in user id order too. Then each transfer
-- runs through private.transfer_tokens, with its checks and its errors. A transfer that fails undoes
-- the whole batch; the reply names it (its index, its documented error) and every other item is
-- reported as not applied because of it (linked_event_failed). Errors that are not the caller's
-- (deadlocks, timeouts, a lost connection) are raised as they are, so the SDK retries the batch.
--
-- Idempotent as a whole: a batch is recorded under its key, in the caller's scope (the signed-in
-- user's keys, or the service's), with a fingerprint of its transfers. The same batch again replays
-- the first reply; a different batch under the same key is refused with idempotency_conflict. Each
-- transfer's own key is derived from the batch's id (random, made here) and its index, so the
-- replay finds its rows and no caller can take a batch's keys in advance.
-- A batch that fails is not recorded: its key may be used again, as a failed transfer's may.

insert into private.error_codes (sqlstate, name, message, hint) values
  ('VT013', 'invalid_batch', 'invalid batch of transfers',
   'pass a JSON array of 1 to 100 transfers, each an object with to, token_type and amount (and from, memo)')
on conflict (sqlstate) do update
  set name = excluded.name, message = excluded.message, hint = excluded.hint;

create table if not exists public.token_batches (
  id uuid primary key default gen_random_uuid(),
  idempotency_key uuid not null,
  created_by uuid,
  fingerprint text not null,
  transfer_count integer not null check (transfer_count between 1 and 100),
  created_at timestamptz not null default pg_catalog.now()
);
comment on table public.token_batches is
  'One row per applied batch of transfers (its id seeds the keys of its ledger rows): its key in the caller''s scope (created_by: the user, null for the service) and a fingerprint of its transfers, for replays. Append-only; written by private.transfer_tokens_batch only, read by no API role.';
comment on column public.token_batches.created_by is 'The signed-in user whose batch this is; null for a batch of the service role.';
comment on column public.token_batches.fingerprint is 'md5 of the batch''s transfers as the function read them (ids, token types, amounts, memos): a replay must match it.';

create unique index if not exists token_batches_scope_key
  on public.token_batches (created_by, idempotency_key) nulls not distinct;

alter table public.token_batches enable row level security;
revoke all on table public.token_batches from public, anon, authenticated, service_role;

do $triggers$
begin
  if not exists (select from pg_catalog.pg_trigger where tgrelid = 'public.token_batches'::regclass and tgname = 'token_batches_refuse_change') then
    create trigger token_batches_refuse_change
      before update or delete on public.token_batches
      for each row execute function private.refuse_mutation('ledger_append_only');
  end if;
  if not exists (select from pg_catalog.pg_trigger where tgrelid = 'public.token_batches'::regclass and tgname = 'token_batches_refuse_truncate') then
    create trigger token_batches_refuse_truncate
      before truncate on public.token_batches
      for each statement execute function private.refuse_mutation('ledger_append_only');
  end if;
end
$triggers$;
alter table public.token_batches enable always trigger token_batches_refuse_change;
alter table public.token_batches enable always trigger token_batches_refuse_truncate;

-- An applied batch's reply: its ledger rows in the batch's order, exact amounts as text (a JSON number
-- would lose digits in a client's parser), so the caller needs no second request to read them.
create or replace function private.batch_reply(p_ids uuid[], p_replayed boolean)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object('applied', true, 'replayed', p_replayed, 'transactions',
    (select pg_catalog.jsonb_agg(pg_catalog.to_jsonb(t) || pg_catalog.jsonb_build_object('amount', t.amount::text)
                                 order by pg_catalog.array_position(p_ids, t.id))
     from public.token_transactions t where t.id = any (p_ids)))
$$;
comment on function private.batch_reply(uuid[], boolean) is
  'The reply of an applied batch: {applied, replayed, transactions} with its ledger rows in order. For the batch function.';
revoke all on function private.batch_reply(uuid[], boolean) from public;

-- What a sender may spend now, read without a lock: the batch's early check. (Holds redefine it.)
create or replace function private.spendable_balance(p_user_id uuid, p_token_type text)
returns numeric
language sql
stable
set search_path = ''
as $$
  select coalesce((select b.balance from public.token_balances b where b.user_id = p_user_id and b.token_type = p_token_type), 0)
$$;
comment on function private.spendable_balance(uuid, text) is
  'The balance of an account that transfers may spend (0 without an account), unlocked. For the batch function''s early checks.';
revoke all on function private.spendable_balance(uuid, text) from public;

create or replace function private.transfer_tokens_batch(p_transfers jsonb, p_idempotency_key uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_role text := pg_catalog.current_setting('role');
  v_service boolean;
  v_scope uuid;
  v_count integer;
  v_items jsonb;
  v_fingerprint text;
  v_index integer := -1;
  v_batch_id uuid;
  v_net jsonb := '{}';
  v_key text;
  v_available numeric;
  v_ids uuid[] := '{}';
  v_item record;
  v_state text;
  v_message text;
  v_detail text;
  v_hint text;
begin
  -- The caller's scope: the service role and superusers act for anyone, a signed-in user for themselves.
  v_service := v_role = 'service_role' or pg_catalog.current_setting('is_superuser') = 'on' or private.request_is_privileged();
  if not v_service then
    v_scope := auth.uid();
    if v_scope is null then
      perform private.raise_error('not_authenticated');
    end if;
  end if;
  if p_idempotency_key is null then
    perform private.raise_error('missing_argument', 'p_idempotency_key is null');
  end if;
  if p_transfers is null or pg_catalog.jsonb_typeof(p_transfers) <> 'array' then
    perform private.raise_error('invalid_batch', 'p_transfers is not a JSON array');
  end if;
  v_count := pg_catalog.jsonb_array_length(p_transfers);
  if v_count < 1 or v_count > 100 then
    perform private.raise_error('invalid_batch', pg_catalog.format('%s transfers; a batch has 1 to 100', v_count));
  end if;
  if exists (
    select from pg_catalog.jsonb_array_elements(p_transfers) e (item)
    where pg_catalog.jsonb_typeof(e.item) <> 'object'
       or exists (
         select from pg_catalog.jsonb_each(e.item) f (name, value)
         where case f.name
           when 'amount' then pg_catalog.jsonb_typeof(f.value) not in ('string', 'number')
           when 'from' then pg_catalog.jsonb_typeof(f.value) not in ('string', 'null')
           when 'memo' then pg_catalog.jsonb_typeof(f.value) not in ('string', 'null')
           when 'to' then pg_catalog.jsonb_typeof(f.value) <> 'string'
           when 'token_type' then pg_catalog.jsonb_typeof(f.value) <> 'string'
           else true
         end
       )
  ) then
    perform private.raise_error('invalid_batch', 'each transfer is an object of from, to, token_type and memo (strings) and amount (a string or a number) only');
  end if;

  -- The transfers as typed values; a user's batch sends from the user (a `from` of someone else is
  -- refused by the transfer's own caller check, attributed to its item).
  begin
    select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
             'from', coalesce((e.item ->> 'from')::uuid, v_scope),
             'to', (e.item ->> 'to')::uuid,
             'token_type', e.item ->> 'token_type',
             'amount', pg_catalog.trim_scale((e.item ->> 'amount')::numeric),
             'memo', e.item ->> 'memo') order by e.n)
    into v_items
    from pg_catalog.jsonb_array_elements(p_transfers) with ordinality e (item, n);
  exception when invalid_text_representation or numeric_value_out_of_range then
    perform private.raise_error('invalid_batch', sqlerrm);
  end;
  v_fingerprint := pg_catalog.md5(v_items::text);

  begin
    -- The key first: a second request with it waits here for the first, then replays or is refused.
    insert into public.token_batches (idempotency_key, created_by, fingerprint, transfer_count)
    values (p_idempotency_key, v_scope, v_fingerprint, v_count)
    on conflict (created_by, idempotency_key) do nothing
    returning id into v_batch_id;
    if v_batch_id is null then
      select b.id into v_batch_id from public.token_batches b
      where b.idempotency_key = p_idempotency_key and b.created_by is not distinct from v_scope and b.fingerprint = v_fingerprint;
      if v_batch_id is null then
        perform private.raise_error('idempotency_conflict', 'this key was used for a different batch');
      end if;
      select pg_catalog.array_agg(t.id order by i.n) into v_ids
      from pg_catalog.jsonb_array_elements(v_items) with ordinality i (item, n)
      join public.token_transactions t
        on t.from_user_id = (i.item ->> 'from')::uuid
       and t.idempotency_key = private.batch_transfer_key(v_batch_id, (i.n - 1)::integer);
      return private.batch_reply(v_ids, true);
    end if;

    -- Each transfer's checks, in order, before any lock, as if the transfers before it had applied:
    -- an unknown party or token type, a bad amount or memo, a transfer to oneself, or a sender whose
    -- available balance (read without a lock, with the batch's movements so far) does not cover it
    -- is reported as that transfer's error, and a caller who cannot pay locks nothing. The locked
    -- checks of each transfer below stay the ones that count.
    for v_item in
      select (i.n - 1)::integer as index, (i.item ->> 'from')::uuid as from_user_id, (i.item ->> 'to')::uuid as to_user_id,
             i.item ->> 'token_type' as token_type, (i.item ->> 'amount')::numeric as amount, i.item ->> 'memo' as memo
      from pg_catalog.jsonb_array_elements(v_items) with ordinality i (item, n)
      order by i.n
    loop
      v_index := v_item.index;
      if not v_service and v_item.from_user_id is distinct from v_scope then
        perform private.raise_error('permission_denied', 'a user''s batch sends from the user only');
      end if;
      if v_service and v_item.from_user_id is null then
        perform private.raise_error('missing_argument', 'from is null');
      end if;
      perform private.check_token_amount(v_item.token_type, v_item.amount, true);
      if pg_catalog.char_length(v_item.memo) > 500 then
        perform private.raise_error('invalid_memo');
      end if;
      if v_item.to_user_id is null then
        perform private.raise_error('missing_argument', 'to is null');
      end if;
      if not exists (select from public.users u where u.id = v_item.to_user_id) then
        perform private.raise_error('unknown_user', 'to does not name an existing user');
      end if;
      if not exists (select from public.users u where u.id = v_item.from_user_id) then
        perform private.raise_error('unknown_user', 'from does not name an existing user');
      end if;
      if v_item.to_user_id = v_item.from_user_id then
        perform private.raise_error('self_transfer');
      end if;
      -- The sender's available balance after the batch's transfers so far (credits included).
      v_key := v_item.from_user_id::text || ' ' || v_item.token_type;
      v_available := private.spendable_balance(v_item.from_user_id, v_item.token_type)
        + coalesce((v_net ->> v_key)::numeric, 0);
      if v_available < v_item.amount then
        perform private.raise_error('insufficient_balance',
          pg_catalog.format('available %s, requested %s', pg_catalog.trim_scale(v_available), pg_catalog.trim_scale(v_item.amount)));
      end if;
      v_net := v_net || pg_catalog.jsonb_build_object(v_key, coalesce((v_net ->> v_key)::numeric, 0) - v_item.amount,
        v_item.to_user_id::text || ' ' || v_item.token_type, coalesce((v_net ->> (v_item.to_user_id::text || ' ' || v_item.token_type))::numeric, 0) + v_item.amount);
    end loop;
    v_index := -1;

    -- Every account of the batch locked in one global order, an account that does not exist yet
    -- created (version 0) in the same pass, so that no transfer below locks anything out of that
    -- order. The update that never applies still locks the row.
    insert into public.token_balances as b (user_id, token_type, balance, version, updated_at)
    select a.user_id, a.token_type, 0, 0, pg_catalog.clock_timestamp()
    from (
      select distinct s.user_id, s.token_type
      from pg_catalog.jsonb_array_elements(v_items) i (item)
      cross join lateral (values ((i.item ->> 'from')::uuid, i.item ->> 'token_type'), ((i.item ->> 'to')::uuid, i.item ->> 'token_type')) s (user_id, token_type)
      where s.user_id is not null
    ) a
    order by a.user_id, a.token_type
    on conflict (user_id, token_type) do update set version = b.version where false;

    for v_item in
      select (i.n - 1)::integer as index, (i.item ->> 'from')::uuid as from_user_id, (i.item ->> 'to')::uuid as to_user_id,
             i.item ->> 'token_type' as token_type, (i.item ->> 'amount')::numeric as amount, i.item ->> 'memo' as memo
      from pg_catalog.jsonb_array_elements(v_items) with ordinality i (item, n)
      order by i.n
    loop
      v_index := v_item.index;
      v_ids := v_ids || private.transfer_tokens(v_item.from_user_id, v_item.to_user_id, v_item.token_type, v_item.amount,
        private.batch_transfer_key(v_batch_id, v_item.index), v_item.memo);
    end loop;
  exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    -- Only the documented refusals are an item's result; anything else (a deadlock, a timeout, a
    -- key conflict) is raised, and the batch may be retried whole.
    if v_index < 0 or not exists (select from private.error_codes c where c.sqlstate = v_state) then
      raise;
    end if;
    return pg_catalog.jsonb_build_object('applied', false, 'failed_index', v_index,
      'error', pg_catalog.jsonb_build_object('code', v_state, 'message', v_message, 'details', v_detail, 'hint', v_hint));
  end;
  return private.batch_reply(v_ids, false);
end
$$;
comment on function private.transfer_tokens_batch(jsonb, uuid) is
  'Body of public.transfer_tokens_batch (SECURITY DEFINER: records the batch, locks its accounts, runs each transfer through private.transfer_tokens). Call the public function.';
revoke all on function private.transfer_tokens_batch(jsonb, uuid) from public;
grant execute on function private.transfer_tokens_batch(jsonb, uuid) to authenticated, service_role;

create or replace function private.batch_transfer_key(p_batch_id uuid, p_index integer)
returns uuid
language sql
immutable
parallel safe
set search_path = ''
as $$
  select pg_catalog.md5(p_batch_id::text || ':' || p_index::text)::uuid
$$;
comment on function private.batch_transfer_key(uuid, integer) is
  'The idempotency key of transfer p_index (from 0) of batch p_batch_id (public.token_batches.id, made by the server, so no caller can know it in advance): a replay of the batch finds its rows. For the batch function.';
revoke all on function private.batch_transfer_key(uuid, integer) from public;

create or replace function public.transfer_tokens_batch(p_transfers jsonb, p_idempotency_key uuid)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
begin
  return private.transfer_tokens_batch(p_transfers, p_idempotency_key);
end
$$;
comment on function public.transfer_tokens_batch(jsonb, uuid) is
  'Applies up to 100 transfers (p_transfers: [{from?, to, token_type, amount, memo?}]) all or nothing; returns {applied, replayed, transactions: [ledger rows, amounts as text]} or {applied: false, failed_index, error: {code, message, details, hint}}. Idempotent per caller and p_idempotency_key. Callable by authenticated (from themselves) and service_role (from anyone).';
revoke all on function public.transfer_tokens_batch(jsonb, uuid) from public, anon;
grant execute on function public.transfer_tokens_batch(jsonb, uuid) to authenticated, service_role;
