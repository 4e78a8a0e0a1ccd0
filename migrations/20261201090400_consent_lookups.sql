-- The vocabularies of consent: which interactions need consent (a lookup table, so a new one is a row,
-- not a migration of every check), the statuses (an enum: the lifecycle is code), and the allowed
-- status changes (a table, so the database, the SDK and its generated types share one rule).

create table if not exists public.consent_interaction_types (
  code text primary key check (code ~ '^[a-z][a-z0-9_]{0,62}$'),
  description text not null check (description <> '')
);
comment on table public.consent_interaction_types is
  'Interactions that need a user''s consent. Readable by signed-in users; written by migrations only.';

insert into public.consent_interaction_types (code, description) values
  ('governance_proposal', 'Voting on or submitting a governance proposal'),
  ('terms_of_service', 'Accepting the terms of service'),
  ('privacy_policy', 'Accepting the privacy policy'),
  ('token_transfer', 'Sending tokens to another user'),
  ('data_sharing', 'Sharing personal data with a third party')
on conflict (code) do update set description = excluded.description;

do $$
begin
  create type public.consent_status as enum ('pending', 'approved', 'rejected', 'withdrawn');
exception
  when duplicate_object then null;
end
$$;
comment on type public.consent_status is 'Lifecycle of a consent record; see public.consent_status_transitions.';

create table if not exists public.consent_status_transitions (
  from_status public.consent_status not null,
  to_status public.consent_status not null,
  primary key (from_status, to_status),
  check (from_status <> to_status)
);
comment on table public.consent_status_transitions is
  'The status changes public.update_consent_status allows. Readable by signed-in users; written by migrations only.';

insert into public.consent_status_transitions (from_status, to_status) values
  ('pending', 'approved'),
  ('pending', 'rejected'),
  ('approved', 'withdrawn')
on conflict do nothing;

alter table public.consent_interaction_types enable row level security;
alter table public.consent_status_transitions enable row level security;

revoke all on table public.consent_interaction_types from public, anon, authenticated, service_role;
revoke all on table public.consent_status_transitions from public, anon, authenticated, service_role;
grant select on table public.consent_interaction_types to authenticated, service_role;
grant select on table public.consent_status_transitions to authenticated, service_role;

drop policy if exists consent_interaction_types_select on public.consent_interaction_types;
create policy consent_interaction_types_select on public.consent_interaction_types
  for select to authenticated
  using (true);

drop policy if exists consent_status_transitions_select on public.consent_status_transitions;
create policy consent_status_transitions_select on public.consent_status_transitions
  for select to authenticated
  using (true);
