-- Rollback of 20261207140000_guard_token_batches.sql: the guard's function as
-- 20261207110200_ledger_entries.sql defined it, without the batch record's triggers.

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
       'CREATE TRIGGER token_transactions_refuse_truncate BEFORE TRUNCATE ON public.token_transactions FOR EACH STATEMENT EXECUTE FUNCTION private.refuse_mutation(''ledger_append_only'')'),
      ('ledger_append_only', 'token_entries_refuse_change', 'public.token_entries',
       'CREATE TRIGGER token_entries_refuse_change BEFORE DELETE OR UPDATE ON public.token_entries FOR EACH ROW EXECUTE FUNCTION private.refuse_mutation(''ledger_append_only'')'),
      ('ledger_append_only', 'token_entries_refuse_truncate', 'public.token_entries',
       'CREATE TRIGGER token_entries_refuse_truncate BEFORE TRUNCATE ON public.token_entries FOR EACH STATEMENT EXECUTE FUNCTION private.refuse_mutation(''ledger_append_only'')')
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
  'Event trigger function (avolve_append_only_guard): refuses any DDL that leaves the append-only triggers of consent_history, token_transactions or token_entries missing, changed or not enabled always. Not callable directly.';
revoke all on function private.guard_append_only_tables() from public;
