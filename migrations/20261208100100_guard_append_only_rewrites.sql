-- The append-only guard (20261207100100_append_only_guard.sql) keeps the refusing triggers of the
-- append-only tables in place. A review found two kinds of DDL that still change such a table's rows
-- without firing a row trigger, in one statement of its owner:
--
--   * a rewrite: `alter table ... alter column ... type ... using <any expression>` writes new values
--     into every row (`set unlogged`, a volatile default and a changed access method rewrite too);
--   * dropping a column: its values are gone from every row.
--
-- Two more event triggers refuse both, enabled always like the first, with the error of the table's
-- own refusing trigger (ledger_append_only, history_append_only):
--
--   * avolve_append_only_rewrite_guard, on table_rewrite, before any row is rewritten;
--   * avolve_append_only_drop_guard, on sql_drop, for a dropped column.
--
-- An append-only table is one with a trigger that runs private.refuse_mutation, so a table made
-- append-only later is covered with no change here. Adding a column, renaming one, indexes and
-- comments stay allowed: none of them changes a stored value. What the first guard leaves to the
-- event triggers' owner (dropping or disabling them) holds for these two as well.

-- Both functions run as whoever issues the DDL, for every table in the database: they read only
-- pg_catalog (no name lookup in schema private) until they refuse, so a role without access to that
-- schema can still rewrite its own tables. The argument of the table's refusing trigger is the error
-- to raise.

create or replace function private.refuse_append_only_rewrite()
returns event_trigger
language plpgsql
set search_path = ''
as $$
declare
  v_table oid := pg_catalog.pg_event_trigger_table_rewrite_oid();
  v_error text;
begin
  select pg_catalog.split_part(pg_catalog.encode(t.tgargs, 'escape'), E'\\000', 1) into v_error
  from pg_catalog.pg_trigger t
  join pg_catalog.pg_proc p on p.oid = t.tgfoid and p.proname = 'refuse_mutation'
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace and n.nspname = 'private'
  where t.tgrelid = v_table
  order by t.tgname
  limit 1;
  if v_error is not null then
    perform private.raise_error(v_error, pg_catalog.format('%s would rewrite every row of %s, whose rows are never changed', tg_tag, v_table::pg_catalog.regclass));
  end if;
end
$$;
comment on function private.refuse_append_only_rewrite() is
  'Event trigger function (avolve_append_only_rewrite_guard): refuses rewriting an append-only table (one with a private.refuse_mutation trigger: alter column type with using, set unlogged, ...). Not callable directly.';
revoke all on function private.refuse_append_only_rewrite() from public;

create or replace function private.refuse_append_only_column_drop()
returns event_trigger
language plpgsql
set search_path = ''
as $$
declare
  v_dropped record;
begin
  for v_dropped in
    select d.object_identity, pg_catalog.split_part(pg_catalog.encode(t.tgargs, 'escape'), E'\\000', 1) as error_name
    from pg_catalog.pg_event_trigger_dropped_objects() d
    join pg_catalog.pg_trigger t on t.tgrelid = d.objid
    join pg_catalog.pg_proc p on p.oid = t.tgfoid and p.proname = 'refuse_mutation'
    join pg_catalog.pg_namespace n on n.oid = p.pronamespace and n.nspname = 'private'
    where d.object_type = 'table column'
    order by t.tgname
    limit 1
  loop
    perform private.raise_error(v_dropped.error_name, pg_catalog.format('%s would drop the column %s and its values, which are never changed', tg_tag, v_dropped.object_identity));
  end loop;
end
$$;
comment on function private.refuse_append_only_column_drop() is
  'Event trigger function (avolve_append_only_drop_guard): refuses dropping a column of an append-only table (one with a private.refuse_mutation trigger). Not callable directly.';
revoke all on function private.refuse_append_only_column_drop() from public;

do $guard$
begin
  if not exists (select from pg_catalog.pg_event_trigger where evtname = 'avolve_append_only_rewrite_guard') then
    create event trigger avolve_append_only_rewrite_guard on table_rewrite
      execute function private.refuse_append_only_rewrite();
  end if;
  if not exists (select from pg_catalog.pg_event_trigger where evtname = 'avolve_append_only_drop_guard') then
    create event trigger avolve_append_only_drop_guard on sql_drop
      execute function private.refuse_append_only_column_drop();
  end if;
  -- Enabled always: an event trigger enabled for origin does not fire in replica mode either.
  alter event trigger avolve_append_only_rewrite_guard enable always;
  alter event trigger avolve_append_only_drop_guard enable always;
  comment on event trigger avolve_append_only_rewrite_guard is
    'Refuses rewriting an append-only table (one with a private.refuse_mutation trigger). A migration that must drops it first and creates it again after.';
  comment on event trigger avolve_append_only_drop_guard is
    'Refuses dropping a column of an append-only table (one with a private.refuse_mutation trigger). A migration that must drops it first and creates it again after.';
exception
  when insufficient_privilege then
    raise warning using
      message = 'avolve_append_only_rewrite_guard and avolve_append_only_drop_guard not created: this role may not create event triggers',
      detail = 'the tables'' owner can still rewrite an append-only table or drop one of its columns',
      hint = 'run migrations/20261208100100_guard_append_only_rewrites.sql again as a superuser, or on Supabase as postgres with supautils';
end
$guard$;
