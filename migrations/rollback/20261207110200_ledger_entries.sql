-- Back to the ledger as 20261207110100_balance_limit_and_unknown_sender.sql left it: no entries and no
-- versions (the running balances are dropped; the ledger rows and balances stay as they are), the
-- ledger's foreign keys to users and token_types again (their rows all exist: every party of a ledger
-- row has an account, and an account's user and token type could not be removed), and the functions
-- of then.

-- The guard as 20261207100100_append_only_guard.sql made it, first: while it lists the entries'
-- triggers, dropping them is refused.
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
       'CREATE TRIGGER token_transactions_refuse_truncate BEFORE TRUNCATE ON public.token_transactions FOR EACH STATEMENT EXECUTE FUNCTION private.refuse_mutation(''ledger_append_only'')')
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
  'Event trigger function (avolve_append_only_guard): refuses any DDL that leaves the append-only triggers of consent_history or token_transactions missing, changed or not enabled always. Not callable directly.';


drop table if exists public.token_entries;

drop trigger if exists token_balances_check_user on public.token_balances;
drop function if exists private.check_account_user();
alter table public.token_balances alter constraint token_balances_user_id_fkey not deferrable initially immediate;
drop trigger if exists token_balances_keep_history on public.token_balances;
drop trigger if exists token_balances_keep_history_truncate on public.token_balances;
drop function if exists private.keep_accounts_with_history();
drop function if exists private.ledger_chain_violations();
drop function if exists public.token_balance_at(text, timestamptz, uuid);

alter table public.token_balances drop column if exists version;
comment on column public.token_balances.updated_at is null;

alter table public.token_transactions
  add constraint token_transactions_from_user_id_fkey foreign key (from_user_id) references public.users (id) on delete restrict;
alter table public.token_transactions
  add constraint token_transactions_to_user_id_fkey foreign key (to_user_id) references public.users (id) on delete restrict;
alter table public.token_transactions
  add constraint token_transactions_token_type_fkey foreign key (token_type) references public.token_types (code);
create index if not exists token_transactions_token_type_idx
  on public.token_transactions (token_type);

alter table public.token_transactions drop constraint if exists token_transactions_parties;
alter table public.token_transactions add constraint token_transactions_parties check (
  case kind
    when 'mint' then from_user_id is null and to_user_id is not null
    when 'transfer' then from_user_id is not null and to_user_id is not null and from_user_id <> to_user_id
    when 'burn' then from_user_id is not null and to_user_id is null
  end
);

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
  'Moves p_amount of p_token_type from p_from_user_id to p_to_user_id; returns the ledger row id. Idempotent per sender and p_idempotency_key. Callable by authenticated (from themselves) and service_role (from anyone).';

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
  'Creates p_amount of p_token_type for p_to_user_id; returns the ledger row id. Idempotent per p_idempotency_key among mints. Callable by service_role only.';

revoke all on function private.debit_balance(uuid, text, numeric) from public;
revoke all on function private.credit_balance(uuid, text, numeric) from public;

delete from private.error_codes where name = 'account_has_history';
