-- Idempotency keys are scoped to the account that sends them, as Stripe scopes them: the same key
-- from two different senders are two different requests. Until now the key was unique across the
-- whole ledger, so one user who knew or guessed another's key could claim it first (blocking that
-- user's transfer, or a service mint) and could probe the other request field by field through the
-- conflict's detail, which names the fields that differ.
--
-- A transfer's (or burn's) scope is its sender, from_user_id; a mint's is the service's own scope,
-- the mints. A replay or a conflict is decided against the one earlier row of the caller's own scope,
-- a row the caller could read anyway (a user reads every row they sent; only the service mints), so
-- the detail of a conflict never says anything about a request another account made.

alter table public.token_transactions drop constraint if exists token_transactions_idempotency_key_key;

-- Unique per sender; mint rows have no sender and never collide here (nulls are distinct).
create unique index if not exists token_transactions_sender_idempotency_key
  on public.token_transactions (from_user_id, idempotency_key);
comment on index public.token_transactions_sender_idempotency_key is
  'A sender''s idempotency key moves tokens at most once: one ledger row per (from_user_id, idempotency_key).';

create unique index if not exists token_transactions_mint_idempotency_key
  on public.token_transactions (idempotency_key) where kind = 'mint';
comment on index public.token_transactions_mint_idempotency_key is
  'The service''s own scope: a mint''s idempotency key creates tokens at most once.';

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
  -- The caller's own scope only: the sender's rows, or for a mint the mints.
  if p_kind = 'mint' then
    select t.* into v_first from public.token_transactions t
    where t.kind = 'mint' and t.idempotency_key = p_idempotency_key;
  else
    select t.* into v_first from public.token_transactions t
    where t.from_user_id = p_from_user_id and t.idempotency_key = p_idempotency_key;
  end if;
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
  'For a key already used in the caller''s scope (the sender''s rows; for a mint, the mints): returns the first transaction''s id when every field matches, else refuses naming the fields. For ledger functions.';

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
  on conflict (idempotency_key) where kind = 'mint' do nothing
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
  'Moves p_amount of p_token_type from p_from_user_id to p_to_user_id; returns the ledger row id. Idempotent per sender and p_idempotency_key. Callable by authenticated (from themselves) and service_role (from anyone).';
comment on function public.mint_tokens(uuid, text, numeric, uuid, text) is
  'Creates p_amount of p_token_type for p_to_user_id; returns the ledger row id. Idempotent per p_idempotency_key among mints. Callable by service_role only.';
