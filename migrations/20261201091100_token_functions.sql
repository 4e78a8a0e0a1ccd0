-- The token API: public.transfer_tokens and public.mint_tokens, thin SECURITY INVOKER functions over
-- SECURITY DEFINER bodies in private. The bodies are definers because they write the balances and
-- the ledger, which no caller may write directly, so they check the caller themselves.
--
-- How a transfer stays exact under any number of concurrent callers:
--   1. the ledger row is inserted first; its unique idempotency key makes a second request with the
--      same key wait for the first, then replay its result (same arguments) or refuse (different);
--   2. the two balance rows are locked in user id order, so no two transfers can wait on each other
--      in a cycle (no deadlock), and each update re-reads the committed balance (no lost update);
--   3. the debit only happens where balance >= amount; the check constraint is the last defence.

create or replace function private.check_token_amount(p_token_type text, p_amount numeric, p_for_transfer boolean)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  v_decimals smallint;
  v_transferable boolean;
begin
  if p_token_type is null then
    perform private.raise_error('missing_argument', 'p_token_type is null');
  end if;
  select t.decimals, t.transferable into v_decimals, v_transferable
  from public.token_types t where t.code = p_token_type;
  if not found then
    perform private.raise_error('unknown_token_type');
  end if;
  if p_for_transfer and not v_transferable then
    perform private.raise_error('token_not_transferable');
  end if;
  if p_amount is null then
    perform private.raise_error('missing_argument', 'p_amount is null');
  end if;
  if p_amount in ('NaN'::numeric, 'Infinity'::numeric, '-Infinity'::numeric) or p_amount <= 0 or p_amount >= 1e20 then
    perform private.raise_error('invalid_amount');
  end if;
  if p_amount <> pg_catalog.round(p_amount, v_decimals) then
    perform private.raise_error('amount_precision', pg_catalog.format('%s allows %s decimal places', p_token_type, v_decimals));
  end if;
end
$$;
comment on function private.check_token_amount(text, numeric, boolean) is
  'Refuses an unknown (or, for transfers, non-transferable) token and an amount that is not > 0, < 10^20 and within the token''s decimals. For ledger functions.';

create or replace function private.replay_or_refuse(
  p_idempotency_key uuid, p_kind public.token_transaction_kind, p_token_type text,
  p_from_user_id uuid, p_to_user_id uuid, p_amount numeric, p_memo text
)
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  v_first public.token_transactions;
  v_differs text[];
begin
  select t.* into v_first from public.token_transactions t where t.idempotency_key = p_idempotency_key;
  v_differs := pg_catalog.array_remove(array[
    case when v_first.kind <> p_kind then 'kind' end,
    case when v_first.token_type <> p_token_type then 'p_token_type' end,
    case when v_first.from_user_id is distinct from p_from_user_id then 'p_from_user_id' end,
    case when v_first.to_user_id is distinct from p_to_user_id then 'p_to_user_id' end,
    case when v_first.amount <> p_amount then 'p_amount' end,
    case when v_first.memo is distinct from p_memo then 'p_memo' end
  ], null);
  if pg_catalog.cardinality(v_differs) = 0 then
    return v_first.id;
  end if;
  perform private.raise_error('idempotency_conflict',
    pg_catalog.format('differs from the first request in: %s', pg_catalog.array_to_string(v_differs, ', ')));
  return null;
end
$$;
comment on function private.replay_or_refuse(uuid, public.token_transaction_kind, text, uuid, uuid, numeric, text) is
  'For a key already in the ledger: returns the first transaction''s id when every field matches, else refuses naming the fields. For ledger functions.';

create or replace function private.debit_balance(p_user_id uuid, p_token_type text, p_amount numeric)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_available numeric;
begin
  update public.token_balances b
  set balance = b.balance - p_amount, updated_at = pg_catalog.now()
  where b.user_id = p_user_id and b.token_type = p_token_type and b.balance >= p_amount;
  if not found then
    select b.balance into v_available from public.token_balances b
    where b.user_id = p_user_id and b.token_type = p_token_type;
    perform private.raise_error('insufficient_balance',
      pg_catalog.format('available %s, requested %s', pg_catalog.trim_scale(coalesce(v_available, 0)), pg_catalog.trim_scale(p_amount)));
  end if;
end
$$;
comment on function private.debit_balance(uuid, text, numeric) is
  'Takes p_amount from a balance (locking its row) or refuses with insufficient_balance. For ledger functions.';

create or replace function private.credit_balance(p_user_id uuid, p_token_type text, p_amount numeric)
returns void
language sql
set search_path = ''
as $$
  insert into public.token_balances as b (user_id, token_type, balance)
  values (p_user_id, p_token_type, p_amount)
  on conflict (user_id, token_type)
  do update set balance = b.balance + excluded.balance, updated_at = pg_catalog.now();
$$;
comment on function private.credit_balance(uuid, text, numeric) is
  'Adds p_amount to a balance, creating the row at first credit (locking it). For ledger functions.';

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
  v_id uuid;
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
  if not exists (select from public.users u where u.id = p_to_user_id) then
    perform private.raise_error('unknown_user', 'p_to_user_id does not name an existing user');
  end if;

  insert into public.token_transactions (kind, token_type, from_user_id, to_user_id, amount, idempotency_key, memo)
  values ('transfer', p_token_type, p_from_user_id, p_to_user_id, p_amount, p_idempotency_key, p_memo)
  on conflict (idempotency_key) do nothing
  returning id into v_id;
  if v_id is null then
    return private.replay_or_refuse(p_idempotency_key, 'transfer', p_token_type, p_from_user_id, p_to_user_id, p_amount, p_memo);
  end if;

  if p_from_user_id < p_to_user_id then
    perform private.debit_balance(p_from_user_id, p_token_type, p_amount);
    perform private.credit_balance(p_to_user_id, p_token_type, p_amount);
  else
    perform private.credit_balance(p_to_user_id, p_token_type, p_amount);
    perform private.debit_balance(p_from_user_id, p_token_type, p_amount);
  end if;
  return v_id;
end
$$;
comment on function private.transfer_tokens(uuid, uuid, text, numeric, uuid, text) is
  'Body of public.transfer_tokens (SECURITY DEFINER: writes balances and the ledger). Call the public function.';

create or replace function private.mint_tokens(
  p_to_user_id uuid, p_token_type text, p_amount numeric, p_idempotency_key uuid, p_memo text default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid;
begin
  if not private.request_is_privileged() then
    perform private.raise_error('permission_denied', 'minting needs the service role');
  end if;
  perform private.assert_may_act_for(p_to_user_id, 'p_to_user_id');
  if p_idempotency_key is null then
    perform private.raise_error('missing_argument', 'p_idempotency_key is null');
  end if;
  perform private.check_token_amount(p_token_type, p_amount, false);
  if pg_catalog.char_length(p_memo) > 500 then
    perform private.raise_error('invalid_memo');
  end if;

  insert into public.token_transactions (kind, token_type, from_user_id, to_user_id, amount, idempotency_key, memo)
  values ('mint', p_token_type, null, p_to_user_id, p_amount, p_idempotency_key, p_memo)
  on conflict (idempotency_key) do nothing
  returning id into v_id;
  if v_id is null then
    return private.replay_or_refuse(p_idempotency_key, 'mint', p_token_type, null, p_to_user_id, p_amount, p_memo);
  end if;

  perform private.credit_balance(p_to_user_id, p_token_type, p_amount);
  return v_id;
end
$$;
comment on function private.mint_tokens(uuid, text, numeric, uuid, text) is
  'Body of public.mint_tokens (SECURITY DEFINER: writes balances and the ledger). Call the public function.';

create or replace function public.transfer_tokens(
  p_from_user_id uuid, p_to_user_id uuid, p_token_type text, p_amount numeric,
  p_idempotency_key uuid, p_memo text default null
)
returns uuid
language sql
security invoker
set search_path = ''
as $$
  select private.transfer_tokens(p_from_user_id, p_to_user_id, p_token_type, p_amount, p_idempotency_key, p_memo)
$$;
comment on function public.transfer_tokens(uuid, uuid, text, numeric, uuid, text) is
  'Moves p_amount of p_token_type from p_from_user_id to p_to_user_id; returns the ledger row id. Idempotent per p_idempotency_key. Callable by authenticated (from themselves) and service_role (from anyone).';

create or replace function public.mint_tokens(
  p_to_user_id uuid, p_token_type text, p_amount numeric, p_idempotency_key uuid, p_memo text default null
)
returns uuid
language sql
security invoker
set search_path = ''
as $$
  select private.mint_tokens(p_to_user_id, p_token_type, p_amount, p_idempotency_key, p_memo)
$$;
comment on function public.mint_tokens(uuid, text, numeric, uuid, text) is
  'Creates p_amount of p_token_type for p_to_user_id; returns the ledger row id. Idempotent per p_idempotency_key. Callable by service_role only.';

revoke all on function private.check_token_amount(text, numeric, boolean) from public;
revoke all on function private.replay_or_refuse(uuid, public.token_transaction_kind, text, uuid, uuid, numeric, text) from public;
revoke all on function private.debit_balance(uuid, text, numeric) from public;
revoke all on function private.credit_balance(uuid, text, numeric) from public;
revoke all on function private.transfer_tokens(uuid, uuid, text, numeric, uuid, text) from public, anon;
revoke all on function private.mint_tokens(uuid, text, numeric, uuid, text) from public, anon, authenticated;
revoke all on function public.transfer_tokens(uuid, uuid, text, numeric, uuid, text) from public, anon, authenticated, service_role;
revoke all on function public.mint_tokens(uuid, text, numeric, uuid, text) from public, anon, authenticated, service_role;
grant execute on function private.transfer_tokens(uuid, uuid, text, numeric, uuid, text) to authenticated, service_role;
grant execute on function private.mint_tokens(uuid, text, numeric, uuid, text) to service_role;
grant execute on function public.transfer_tokens(uuid, uuid, text, numeric, uuid, text) to authenticated, service_role;
grant execute on function public.mint_tokens(uuid, text, numeric, uuid, text) to service_role;
