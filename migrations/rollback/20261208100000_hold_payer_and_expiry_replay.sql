-- Rollback of 20261208100000_hold_payer_and_expiry_replay.sql: private.hold_tokens as
-- 20261207130100_token_holds.sql defined it.

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
