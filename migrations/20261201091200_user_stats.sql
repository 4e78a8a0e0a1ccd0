-- private.user_stats: per-user consent counts for dashboards and back-office reports. A materialized
-- view ignores RLS, so it lives in the unexposed private schema and only service_role may read it;
-- public.refresh_user_stats() refreshes it concurrently (readers are never blocked).

create materialized view if not exists private.user_stats as
  select
    u.id as user_id,
    count(c.id) as total_consents,
    count(c.id) filter (where c.status = 'approved') as approved_consents,
    max(c.created_at) as last_consent_at
  from public.users u
  left join public.user_consent c on c.user_id = u.id
  group by u.id
with data;
comment on materialized view private.user_stats is
  'Per-user consent totals (refreshed by public.refresh_user_stats). Readable by service_role only; not exposed through the API.';

-- A unique index is what lets the view be refreshed concurrently.
create unique index if not exists user_stats_user_id_key on private.user_stats (user_id);

revoke all on table private.user_stats from public, anon, authenticated, service_role;
grant select on table private.user_stats to service_role;

create or replace function private.refresh_user_stats()
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- SECURITY DEFINER: only the view's owner may refresh it; EXECUTE is granted to service_role alone.
  refresh materialized view concurrently private.user_stats;
end
$$;
comment on function private.refresh_user_stats() is
  'Body of public.refresh_user_stats (SECURITY DEFINER: refreshing needs the owner). Call the public function.';

create or replace function public.refresh_user_stats()
returns void
language sql
security invoker
set search_path = ''
as $$
  select private.refresh_user_stats()
$$;
comment on function public.refresh_user_stats() is
  'Refreshes private.user_stats concurrently. Callable by service_role only.';

revoke all on function private.refresh_user_stats() from public, anon, authenticated;
revoke all on function public.refresh_user_stats() from public, anon, authenticated, service_role;
grant execute on function private.refresh_user_stats() to service_role;
grant execute on function public.refresh_user_stats() to service_role;
