-- Back to the functions as 20261207110000_idempotency_key_per_sender.sql left them: credits without a
-- cap (a balance past numeric(38, 18) raises 22003 again) and no profile check of the sender.

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
  on conflict (from_user_id, idempotency_key) do nothing
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


delete from private.error_codes where name = 'balance_limit_exceeded';
