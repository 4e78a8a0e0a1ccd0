-- The append-only tables, public.consent_history and public.token_transactions, refused updates,
-- deletes and truncates through ordinary triggers, which the tables' owner could switch off in one
-- statement and then delete rows: `alter table ... disable trigger`, `drop trigger`, or
-- `set session_replication_role = replica`, which skips ordinary triggers and which Supabase lets
-- its postgres role set. This migration closes those routes as far as PostgreSQL allows:
--
--   * the triggers are re-created enabled ALWAYS, so they fire in replica mode too (restores and
--     replication only ever insert into these tables);
--   * an event trigger, itself enabled always, refuses at the end of every DDL command a state in
--     which one of them is missing, disabled, enabled for replica only, redefined, or attached to a
--     renamed or moved table or function. Disabling or dropping a trigger, `create or replace
--     trigger`, dropping, renaming or moving the table, all roll back with the table's listed
--     error (history_append_only, ledger_append_only).
--
-- What remains is DDL on the guard itself, which PostgreSQL leaves to whoever owns it: dropping or
-- disabling the event trigger, or dropping or replacing the functions it and the triggers run
-- (dropping schema private drops them all). In plain PostgreSQL only a superuser creates and owns an
-- event trigger. On Supabase, supautils lets the postgres role create one, owned by postgres and
-- skipped for superusers; postgres owns the tables too, so there removing a row takes a deliberate
-- change to the guard first, never a statement on the table. A superuser can always get past (it
-- may set event_triggers = off, or start the server in single-user mode, where none fire).
--
-- Where the migrating role may not create event triggers (plain PostgreSQL without superuser, a
-- Supabase image without supautils' event triggers) the rest still applies and a warning says the
-- event trigger is missing; running this file again as a role that may create it installs it.
--
-- The triggers get new names because earlier migrations, when run again, drop and re-create theirs
-- by the old names; this file, which runs after them, drops the old ones again. It creates the new
-- ones only when they are missing: dropping them is what the event trigger refuses.

drop trigger if exists consent_history_append_only on public.consent_history;
drop trigger if exists consent_history_no_truncate on public.consent_history;
drop trigger if exists token_transactions_append_only on public.token_transactions;
drop trigger if exists token_transactions_no_truncate on public.token_transactions;

do $triggers$
begin
  if not exists (select from pg_catalog.pg_trigger where tgrelid = 'public.consent_history'::regclass and tgname = 'consent_history_refuse_change') then
    create trigger consent_history_refuse_change
      before update or delete on public.consent_history
      for each row execute function private.refuse_mutation('history_append_only');
  end if;
  if not exists (select from pg_catalog.pg_trigger where tgrelid = 'public.consent_history'::regclass and tgname = 'consent_history_refuse_truncate') then
    create trigger consent_history_refuse_truncate
      before truncate on public.consent_history
      for each statement execute function private.refuse_mutation('history_append_only');
  end if;
  if not exists (select from pg_catalog.pg_trigger where tgrelid = 'public.token_transactions'::regclass and tgname = 'token_transactions_refuse_change') then
    create trigger token_transactions_refuse_change
      before update or delete on public.token_transactions
      for each row execute function private.refuse_mutation('ledger_append_only');
  end if;
  if not exists (select from pg_catalog.pg_trigger where tgrelid = 'public.token_transactions'::regclass and tgname = 'token_transactions_refuse_truncate') then
    create trigger token_transactions_refuse_truncate
      before truncate on public.token_transactions
      for each statement execute function private.refuse_mutation('ledger_append_only');
  end if;
end
$triggers$;

alter table public.consent_history enable always trigger consent_history_refuse_change;
alter table public.consent_history enable always trigger consent_history_refuse_truncate;
alter table public.token_transactions enable always trigger token_transactions_refuse_change;
alter table public.token_transactions enable always trigger token_transactions_refuse_truncate;

comment on trigger consent_history_refuse_change on public.consent_history is
  'Refuses every update and delete of the history, in replica mode too. The event trigger avolve_append_only_guard keeps it in place.';
comment on trigger consent_history_refuse_truncate on public.consent_history is
  'Refuses truncating the history, in replica mode too. The event trigger avolve_append_only_guard keeps it in place.';
comment on trigger token_transactions_refuse_change on public.token_transactions is
  'Refuses every update and delete of the ledger, in replica mode too. The event trigger avolve_append_only_guard keeps it in place.';
comment on trigger token_transactions_refuse_truncate on public.token_transactions is
  'Refuses truncating the ledger, in replica mode too. The event trigger avolve_append_only_guard keeps it in place.';

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
revoke all on function private.guard_append_only_tables() from public;

do $guard$
begin
  if not exists (select from pg_catalog.pg_event_trigger where evtname = 'avolve_append_only_guard') then
    create event trigger avolve_append_only_guard on ddl_command_end
      execute function private.guard_append_only_tables();
  end if;
  -- Enabled always: an event trigger enabled for origin does not fire in replica mode either.
  alter event trigger avolve_append_only_guard enable always;
  comment on event trigger avolve_append_only_guard is
    'Keeps the append-only triggers of public.consent_history and public.token_transactions in place and enabled always. A migration that must change them drops it first and creates it again after.';
exception
  when insufficient_privilege then
    raise warning using
      message = 'avolve_append_only_guard not created: this role may not create event triggers',
      detail = 'the append-only triggers fire always, but the tables'' owner can still disable or drop them',
      hint = 'run migrations/20261207100100_append_only_guard.sql again as a superuser, or on Supabase as postgres with supautils';
end
$guard$;
