-- The SECURITY DEFINER functions run with `search_path = ''` (DESIGN.md, and Supabase's linter asks
-- for exactly that). With pg_temp left out of the path, PostgreSQL still searches the caller's
-- temporary schema first for type and relation names. The functions' bodies name built-in types
-- unqualified (`text`, `uuid`, `jsonb`, `record`, ...), and so does auth.uid(), which they call; a
-- body is compiled in the caller's session. So a role with a direct SQL connection (the
-- `authenticator` login the server adapter uses, for one) could create `pg_temp.text` as a domain
-- whose check calls a function of its own, call one of these functions, and have that check run as
-- the functions' owner.
--
-- An event trigger, enabled always like the append-only guards, refuses the DDL command that leaves a
-- type or relation in the session's temporary schema named like one in pg_catalog: `create domain
-- pg_temp.text`, `create temp table uuid`, a temporary view or `select ... into temp` of such a
-- name, a range type whose multirange takes one, or a rename to one. It checks the schema's state
-- after the command, not the command's text, so every way of making such a name is covered. Other
-- temporary objects stay allowed.
--
-- The function runs as whoever issues the DDL, for every command in the database: it reads only
-- pg_catalog, qualifies every type it names (the offending type may already exist when it is first
-- compiled) and raises its own 42501, without calling into schema private: the API roles it
-- refuses may not call private.raise_error.

create or replace function private.refuse_temporary_builtin_names()
returns event_trigger
language plpgsql
set search_path = ''
as $$
declare
  v_temp pg_catalog.oid := pg_catalog.pg_my_temp_schema();
  v_name pg_catalog.name;
begin
  if v_temp = 0 then
    return;
  end if;
  select t.typname into v_name
  from pg_catalog.pg_type t
  where t.typnamespace = v_temp
    and exists (select from pg_catalog.pg_type b where b.typnamespace = 'pg_catalog'::pg_catalog.regnamespace and b.typname = t.typname)
  union all
  select c.relname
  from pg_catalog.pg_class c
  where c.relnamespace = v_temp
    and exists (select from pg_catalog.pg_class b where b.relnamespace = 'pg_catalog'::pg_catalog.regnamespace and b.relname = c.relname)
  limit 1;
  if v_name is not null then
    raise exception using
      errcode = 'insufficient_privilege',
      message = pg_catalog.format('%s would leave a temporary object named %s, like a built-in type or catalog relation', tg_tag, v_name),
      hint = 'choose another name: a temporary object of a built-in name would be found before it by functions that run with search_path = ''''';
  end if;
end
$$;
comment on function private.refuse_temporary_builtin_names() is
  'Event trigger function (avolve_temporary_name_guard): refuses DDL that leaves a type or relation in the session''s temporary schema named like one in pg_catalog, which would shadow built-in names in the SECURITY DEFINER functions. Not callable directly.';
revoke all on function private.refuse_temporary_builtin_names() from public;

do $guard$
begin
  if not exists (select from pg_catalog.pg_event_trigger where evtname = 'avolve_temporary_name_guard') then
    create event trigger avolve_temporary_name_guard on ddl_command_end
      execute function private.refuse_temporary_builtin_names();
  end if;
  alter event trigger avolve_temporary_name_guard enable always;
  comment on event trigger avolve_temporary_name_guard is
    'Refuses a temporary type or relation named like a built-in one (pg_temp is searched first for those names, even by functions with search_path = '''').';
exception
  when insufficient_privilege then
    raise warning using
      message = 'avolve_temporary_name_guard not created: this role may not create event triggers',
      detail = 'a role with a direct SQL connection could shadow built-in type names in the SECURITY DEFINER functions',
      hint = 'run migrations/20261208110000_guard_temporary_type_names.sql again as a superuser, or on Supabase as postgres with supautils';
end
$guard$;
