-- Supabase base for plain PostgreSQL (modelled on supabase/postgres init scripts and supabase/auth
-- migrations: roles as of the 2023 switch of the API roles to INHERIT, auth functions as GoTrue defines
-- them today).
--
-- A hosted Supabase database already has everything in this file. Plain PostgreSQL (the embedded
-- server used by tests, codegen, the demo and benchmarks) does not, so this script recreates exactly
-- the Supabase-owned objects that migrations/ relies on, with Supabase's semantics:
--   * the API roles anon, authenticated and service_role (service_role bypasses RLS), and the
--     authenticator login role that PostgREST connects as and switches from;
--   * schema auth with auth.users and auth.uid() / auth.role() / auth.jwt(), which read the JWT
--     claims PostgREST puts in the transaction-local setting request.jwt.claims;
--   * Supabase's grants on schema public, including the traditional default privileges that give
--     anon, authenticated and service_role every privilege on new tables and functions there. Projects
--     created since 2026 no longer get those defaults; the base keeps them because they are the
--     harsher case: every migration revokes what a role must not have and grants what it needs, so it
--     is correct under both.
-- Never run this against a Supabase project. It is idempotent: running it twice is harmless.
--
-- Roles belong to the whole server, not to one database: a role that already exists is left as it
-- is (its settings are not touched), so applying the base to a new database changes no role another
-- database relies on.

do $roles$
begin
  -- Supabase's per-role limits, set on the roles made here (PostgREST, and the server SDK, apply the
  -- impersonated role's settings per request; service_role has none, so the login role's hold).
  if not exists (select from pg_catalog.pg_roles where rolname = 'anon') then
    create role anon nologin;
    alter role anon set statement_timeout = '3s';
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'authenticated') then
    create role authenticated nologin;
    alter role authenticated set statement_timeout = '8s';
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
    create role service_role nologin bypassrls;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
    alter role authenticator set statement_timeout = '8s';
    alter role authenticator set lock_timeout = '8s';
  end if;
end
$roles$;

-- Granted where missing only: a grant repeated by another superuser would add a membership of its own.
do $memberships$
declare
  api_role text;
begin
  foreach api_role in array array['anon', 'authenticated', 'service_role'] loop
    if not pg_catalog.pg_has_role('authenticator', api_role, 'member') then
      execute pg_catalog.format('grant %I to authenticator', api_role);
    end if;
  end loop;
end
$memberships$;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

create table if not exists auth.users (
  id uuid primary key,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  created_at timestamptz default pg_catalog.now(),
  updated_at timestamptz default pg_catalog.now()
);
comment on table auth.users is 'Stand-in for Supabase Auth''s users table (the columns migrations use).';

create or replace function auth.uid() returns uuid
language sql stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.sub', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
$$;
comment on function auth.uid() is 'The JWT''s sub claim, as Supabase defines it; null for anon.';

create or replace function auth.role() returns text
language sql stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.role', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
$$;
comment on function auth.role() is 'The JWT''s role claim, as Supabase defines it.';

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim', true), ''),
      nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;
comment on function auth.jwt() is 'All JWT claims, as Supabase defines it.';

-- As on Supabase, EXECUTE on the auth functions comes from PostgreSQL's default grant to PUBLIC.

grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to postgres, anon, authenticated, service_role;
