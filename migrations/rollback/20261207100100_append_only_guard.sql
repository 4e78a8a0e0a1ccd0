-- The event trigger first: while it exists, dropping the triggers it guards is refused.
drop event trigger if exists avolve_append_only_guard;
drop function if exists private.guard_append_only_tables();

drop trigger if exists consent_history_refuse_change on public.consent_history;
drop trigger if exists consent_history_refuse_truncate on public.consent_history;
drop trigger if exists token_transactions_refuse_change on public.token_transactions;
drop trigger if exists token_transactions_refuse_truncate on public.token_transactions;

-- The triggers as 20261201090600_consent_history.sql and 20261201091000_token_transactions.sql made them.
create trigger consent_history_append_only
  before update or delete on public.consent_history
  for each row execute function private.refuse_mutation('history_append_only');
create trigger consent_history_no_truncate
  before truncate on public.consent_history
  for each statement execute function private.refuse_mutation('history_append_only');
create trigger token_transactions_append_only
  before update or delete on public.token_transactions
  for each row execute function private.refuse_mutation('ledger_append_only');
create trigger token_transactions_no_truncate
  before truncate on public.token_transactions
  for each statement execute function private.refuse_mutation('ledger_append_only');
