-- Back to one idempotency key space for the whole ledger, with the functions as
-- 20261201091100_token_functions.sql wrote them. Re-creating the ledger-wide unique key fails when two
-- senders (or a sender and a mint) have used the same key since the migration: those are two requests
-- the old rule cannot tell apart, and the rollback refuses rather than drop one of them.

drop index if exists public.token_transactions_sender_idempotency_key;
drop index if exists public.token_transactions_mint_idempotency_key;
alter table public.token_transactions
  add constraint token_transactions_idempotency_key_key unique (idempotency_key);

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


comment on function public.transfer_tokens(uuid, uuid, text, numeric, uuid, text) is
  'Moves p_amount of p_token_type from p_from_user_id to p_to_user_id; returns the ledger row id. Idempotent per p_idempotency_key. Callable by authenticated (from themselves) and service_role (from anyone).';
comment on function public.mint_tokens(uuid, text, numeric, uuid, text) is
  'Creates p_amount of p_token_type for p_to_user_id; returns the ledger row id. Idempotent per p_idempotency_key. Callable by service_role only.';
