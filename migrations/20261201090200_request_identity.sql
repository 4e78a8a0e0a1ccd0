-- Who is calling: the helpers every privileged function uses to check its caller itself.
--
-- Inside a SECURITY DEFINER function current_user is the function's owner, but the setting `role`
-- still holds the role that PostgREST (or the SDK) switched to with set_config('role', ..., true), so
-- the caller's role is read from there. A role cannot be claimed without being granted: switching to
-- service_role fails for anyone who is not a member of it.

create or replace function private.request_role()
returns text
language sql
stable
set search_path = ''
as $$
  select case pg_catalog.current_setting('role')
    when 'none' then session_user::text
    else pg_catalog.current_setting('role')
  end
$$;
comment on function private.request_role() is
  'The database role the request runs as (authenticated, service_role, ...), also inside SECURITY DEFINER bodies. For Avolve functions.';

create or replace function private.request_is_privileged()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(
    (select r.rolsuper or r.rolbypassrls from pg_catalog.pg_roles r where r.rolname = private.request_role()),
    false
  )
$$;
comment on function private.request_is_privileged() is
  'True for service_role and other roles that bypass RLS: back-office callers that may act for any user. For Avolve functions.';

create or replace function private.assert_may_act_for(p_user_id uuid, p_argument text)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  v_uid uuid;
begin
  if p_user_id is null then
    perform private.raise_error('missing_argument', pg_catalog.format('%s is null', p_argument));
  end if;
  if private.request_is_privileged() then
    if not exists (select from public.users u where u.id = p_user_id) then
      perform private.raise_error('unknown_user', pg_catalog.format('%s does not name an existing user', p_argument));
    end if;
    return;
  end if;
  v_uid := auth.uid();
  if v_uid is null then
    perform private.raise_error('not_authenticated');
  end if;
  if v_uid <> p_user_id then
    perform private.raise_error('permission_denied', pg_catalog.format('%s must be your own user id', p_argument));
  end if;
end
$$;
comment on function private.assert_may_act_for(uuid, text) is
  'Refuses unless the caller is p_user_id (auth.uid()) or privileged; a privileged caller must name an existing user. For Avolve functions.';

revoke all on function private.request_role() from public;
revoke all on function private.request_is_privileged() from public;
revoke all on function private.assert_may_act_for(uuid, text) from public;
