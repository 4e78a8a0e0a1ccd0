-- Every failure a caller can cause has a documented code (issue 16, item 6). Two did not:
--
--   * A credit that takes a balance past what numeric(38, 18) holds raised a raw 22003 (numeric field
--     overflow), and from then on the receiver could not be paid at all. A balance now has a documented
--     cap: it stays below 10^20 (at most 99999999999999999999.999999999999999999), the same bound as a
--     single amount. A credit that would reach it is refused with balance_limit_exceeded before the
--     balance changes, so the whole transfer or mint is refused cleanly and the sender keeps their
--     tokens. The error says nothing about the receiver's balance.
--   * A signed-in user whose id has no public.users row (a profile deleted, or an auth user created
--     before the profile trigger) got a raw 23503 from the ledger's foreign key, with the key in its
--     detail. The sender is now checked like the receiver: unknown_user.

insert into private.error_codes (sqlstate, name, message, hint) values
  ('VT011', 'balance_limit_exceeded', 'the receiver''s balance would exceed the most a balance can hold',
   'a balance of a token stays below 10^20 (at most 99999999999999999999.999999999999999999); send less')
on conflict (sqlstate) do update
  set name = excluded.name, message = excluded.message, hint = excluded.hint;

create or replace function private.credit_balance(p_user_id uuid, p_token_type text, p_amount numeric)
returns void
language plpgsql
set search_path = ''
as $$
begin
  insert into public.token_balances as b (user_id, token_type, balance)
  values (p_user_id, p_token_type, p_amount)
  on conflict (user_id, token_type)
  do update set balance = b.balance + excluded.balance, updated_at = pg_catalog.now()
  where b.balance + excluded.balance < 1e20;
  -- The row is locked either way; not updated means the cap would be passed.
  if not found then
    perform private.raise_error('balance_limit_exceeded');
  end if;
end
$$;
comment on function private.credit_balance(uuid, text, numeric) is
  'Adds p_amount to a balance, creating the row at first credit (locking it), or refuses with balance_limit_exceeded when the balance would reach 10^20. For ledger functions.';

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
  -- A signed-in user whose profile row is gone (or was never made) has no account to send from.
  if not exists (select from public.users u where u.id = p_from_user_id) then
    perform private.raise_error('unknown_user', 'p_from_user_id does not name an existing user');
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

