-- The consent API: public.record_consent and public.update_consent_status. Each is a thin SECURITY
-- INVOKER function in the exposed schema over a SECURITY DEFINER body in private (Supabase's advice:
-- the API never exposes a definer function). The bodies are definers because they write what no
-- caller may write directly (user_consent, and through its trigger the history), and so they check
-- the caller themselves: a user acts only on their own records; service_role on anyone's.

create or replace function private.record_consent(p_user_id uuid, p_interaction_type text, p_terms text[])
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid;
begin
  perform private.assert_may_act_for(p_user_id, 'p_user_id');
  if p_interaction_type is null then
    perform private.raise_error('missing_argument', 'p_interaction_type is null');
  end if;
  if not exists (select from public.consent_interaction_types t where t.code = p_interaction_type) then
    perform private.raise_error('unknown_interaction_type');
  end if;
  if p_terms is null then
    perform private.raise_error('missing_argument', 'p_terms is null');
  end if;
  if not private.terms_are_valid(p_terms) then
    perform private.raise_error('invalid_terms');
  end if;

  insert into public.user_consent (user_id, interaction_type, terms, status)
  values (p_user_id, p_interaction_type, p_terms, 'approved')
  returning id into v_id;
  return v_id;
end
$$;
comment on function private.record_consent(uuid, text, text[]) is
  'Body of public.record_consent (SECURITY DEFINER: writes user_consent and, by trigger, its history). Call the public function.';

create or replace function private.update_consent_status(p_consent_id uuid, p_status text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_owner uuid;
  v_current public.consent_status;
  v_next public.consent_status;
  v_uid uuid;
begin
  if p_consent_id is null then
    perform private.raise_error('missing_argument', 'p_consent_id is null');
  end if;
  if p_status is null then
    perform private.raise_error('missing_argument', 'p_status is null');
  end if;
  if not private.request_is_privileged() then
    v_uid := auth.uid();
    if v_uid is null then
      perform private.raise_error('not_authenticated');
    end if;
  end if;
  if not p_status = any (pg_catalog.enum_range(null::public.consent_status)::text[]) then
    perform private.raise_error('invalid_status');
  end if;
  v_next := p_status::public.consent_status;

  select c.user_id, c.status into v_owner, v_current
  from public.user_consent c
  where c.id = p_consent_id
  for update;
  -- Someone else's record is reported exactly like a missing one: ids are not an oracle.
  if not found or (v_uid is not null and v_owner <> v_uid) then
    perform private.raise_error('consent_not_found');
  end if;
  if not exists (
    select from public.consent_status_transitions t
    where t.from_status = v_current and t.to_status = v_next
  ) then
    perform private.raise_error('invalid_transition', pg_catalog.format('%s -> %s', v_current, v_next));
  end if;

  update public.user_consent set status = v_next where id = p_consent_id;
end
$$;
comment on function private.update_consent_status(uuid, text) is
  'Body of public.update_consent_status (SECURITY DEFINER: writes user_consent and, by trigger, its history). Call the public function.';

create or replace function public.record_consent(p_user_id uuid, p_interaction_type text, p_terms text[])
returns uuid
language sql
security invoker
set search_path = ''
as $$
  select private.record_consent(p_user_id, p_interaction_type, p_terms)
$$;
comment on function public.record_consent(uuid, text, text[]) is
  'Records an approved consent of p_user_id to p_terms for p_interaction_type; returns its id. Callable by authenticated (for themselves) and service_role (for anyone).';

create or replace function public.update_consent_status(p_consent_id uuid, p_status text)
returns void
language sql
security invoker
set search_path = ''
as $$
  select private.update_consent_status(p_consent_id, p_status)
$$;
comment on function public.update_consent_status(uuid, text) is
  'Moves a consent record to p_status along public.consent_status_transitions. Callable by its owner (authenticated) and service_role.';

revoke all on function private.record_consent(uuid, text, text[]) from public, anon;
revoke all on function private.update_consent_status(uuid, text) from public, anon;
revoke all on function public.record_consent(uuid, text, text[]) from public, anon, authenticated, service_role;
revoke all on function public.update_consent_status(uuid, text) from public, anon, authenticated, service_role;
grant execute on function private.record_consent(uuid, text, text[]) to authenticated, service_role;
grant execute on function private.update_consent_status(uuid, text) to authenticated, service_role;
grant execute on function public.record_consent(uuid, text, text[]) to authenticated, service_role;
grant execute on function public.update_consent_status(uuid, text) to authenticated, service_role;
