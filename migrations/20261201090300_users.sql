-- public.users: one profile row per Supabase Auth user, created by a trigger when the auth user is
-- created and removed with it. A user reads and renames only their own row.

create table if not exists public.users (
  id uuid primary key references auth.users (id) on delete cascade,
  display_name text check (char_length(display_name) between 1 and 100),
  created_at timestamptz not null default pg_catalog.now(),
  updated_at timestamptz not null default pg_catalog.now()
);
comment on table public.users is
  'Avolve profile of an auth.users row. Users read and update (display_name) their own row; rows are created by trigger.';

drop trigger if exists users_touch_updated_at on public.users;
create trigger users_touch_updated_at
  before update on public.users
  for each row execute function private.touch_updated_at();

create or replace function private.create_profile_for_auth_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- SECURITY DEFINER: Supabase Auth inserts into auth.users as its own role, which has no rights on
  -- public.users. The trigger writes only the new user's own row, from the row being inserted.
  insert into public.users (id, display_name)
  values (
    new.id,
    nullif(pg_catalog.left(pg_catalog.btrim(coalesce(
      new.raw_user_meta_data ->> 'display_name',
      new.raw_user_meta_data ->> 'full_name',
      pg_catalog.split_part(new.email, '@', 1)
    )), 100), '')
  )
  on conflict (id) do nothing;
  return new;
end
$$;
comment on function private.create_profile_for_auth_user() is
  'AFTER INSERT trigger on auth.users: creates the public.users profile. Not callable directly.';
revoke all on function private.create_profile_for_auth_user() from public;

drop trigger if exists on_auth_user_created on auth.users;
create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function private.create_profile_for_auth_user();

alter table public.users enable row level security;

revoke all on table public.users from public, anon, authenticated, service_role;
grant select, update (display_name) on table public.users to authenticated;
grant select, update (display_name) on table public.users to service_role;

drop policy if exists users_select_own on public.users;
create policy users_select_own on public.users
  for select to authenticated
  using ((select auth.uid()) = id);

drop policy if exists users_update_own on public.users;
create policy users_update_own on public.users
  for update to authenticated
  using ((select auth.uid()) = id)
  with check ((select auth.uid()) = id);
