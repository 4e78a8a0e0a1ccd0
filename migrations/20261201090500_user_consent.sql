-- public.user_consent: a user's consent to the terms of one interaction. Written only through
-- public.record_consent and public.update_consent_status; a record's content never changes after it
-- is written, only its status, and only along public.consent_status_transitions (checked by trigger,
-- so it holds for every writer, the service role and migrations included).

create or replace function private.terms_are_valid(p_terms text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select p_terms is not null
    and pg_catalog.array_ndims(p_terms) = 1
    and pg_catalog.cardinality(p_terms) between 1 and 100
    and pg_catalog.array_position(p_terms, null) is null
    and not exists (
      select from pg_catalog.unnest(p_terms) as t(term)
      where pg_catalog.btrim(t.term) = '' or pg_catalog.char_length(t.term) > 10000
    )
$$;
comment on function private.terms_are_valid(text[]) is
  'The rule for consent terms: 1 to 100 non-blank strings of at most 10000 characters. Used by a check constraint and by record_consent.';
revoke all on function private.terms_are_valid(text[]) from public;

create table if not exists public.user_consent (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  interaction_type text not null references public.consent_interaction_types (code),
  terms text[] not null constraint user_consent_terms_valid check (private.terms_are_valid(terms)),
  status public.consent_status not null default 'approved',
  created_at timestamptz not null default pg_catalog.now(),
  updated_at timestamptz not null default pg_catalog.now()
);
comment on table public.user_consent is
  'Consent records. Owners read their own; nobody writes directly: use record_consent / update_consent_status.';

-- Serves keyset pages of a user's consents, newest first, and the user_id foreign key.
create index if not exists user_consent_user_created_idx
  on public.user_consent (user_id, created_at desc, id desc);
-- Serves the common lookup: my consents of one interaction type since a time, newest first.
create index if not exists user_consent_user_type_created_idx
  on public.user_consent (user_id, interaction_type, created_at desc, id desc);
create index if not exists user_consent_interaction_type_idx
  on public.user_consent (interaction_type);

create or replace function private.guard_consent_update()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.id <> old.id or new.user_id <> old.user_id or new.interaction_type <> old.interaction_type
     or new.terms <> old.terms or new.created_at <> old.created_at then
    perform private.raise_error('consent_immutable');
  end if;
  if new.status <> old.status and not exists (
    select from public.consent_status_transitions t
    where t.from_status = old.status and t.to_status = new.status
  ) then
    perform private.raise_error('invalid_transition', pg_catalog.format('%s -> %s', old.status, new.status));
  end if;
  new.updated_at := pg_catalog.now();
  return new;
end
$$;
comment on function private.guard_consent_update() is
  'BEFORE UPDATE trigger on user_consent: only status may change, only along allowed transitions. Not callable directly.';
revoke all on function private.guard_consent_update() from public;

drop trigger if exists user_consent_guard_update on public.user_consent;
create trigger user_consent_guard_update
  before update on public.user_consent
  for each row execute function private.guard_consent_update();

alter table public.user_consent enable row level security;

revoke all on table public.user_consent from public, anon, authenticated, service_role;
grant select on table public.user_consent to authenticated, service_role;

drop policy if exists user_consent_select_own on public.user_consent;
create policy user_consent_select_own on public.user_consent
  for select to authenticated
  using ((select auth.uid()) = user_id);
