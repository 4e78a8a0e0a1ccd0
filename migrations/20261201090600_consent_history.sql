-- public.consent_history: the audit trail. Triggers on user_consent append a row for every record
-- created and every status change, whoever makes it, so the trail is complete by construction. Rows
-- are never updated or deleted, by anyone: triggers refuse it even for the table's owner.
--
-- It has no foreign keys on purpose: the trail must outlive the consent record and the user (when an
-- account is deleted, its consent records go with it, but the proof of what was consented stays).

create table if not exists public.consent_history (
  id bigint generated always as identity primary key,
  consent_id uuid not null,
  user_id uuid not null,
  interaction_type text not null,
  from_status public.consent_status,
  to_status public.consent_status not null,
  actor_id uuid,
  actor_role text not null,
  occurred_at timestamptz not null default pg_catalog.now()
);
comment on table public.consent_history is
  'Append-only history of consent records: creation (from_status null) and every status change, with who made it. Owners read their own.';

create index if not exists consent_history_user_idx
  on public.consent_history (user_id, occurred_at desc, id desc);
create index if not exists consent_history_consent_idx
  on public.consent_history (consent_id, id);

create or replace function private.append_consent_history()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- SECURITY DEFINER: the history is written for every change to user_consent, but no caller may
  -- write the history table itself.
  if tg_op = 'INSERT' or new.status <> old.status then
    insert into public.consent_history (consent_id, user_id, interaction_type, from_status, to_status, actor_id, actor_role)
    values (
      new.id, new.user_id, new.interaction_type,
      case when tg_op = 'UPDATE' then old.status end,
      new.status, auth.uid(), private.request_role()
    );
  end if;
  return null;
end
$$;
comment on function private.append_consent_history() is
  'AFTER INSERT/UPDATE trigger on user_consent: appends the change to consent_history. Not callable directly.';
revoke all on function private.append_consent_history() from public;

drop trigger if exists user_consent_append_history on public.user_consent;
create trigger user_consent_append_history
  after insert or update on public.user_consent
  for each row execute function private.append_consent_history();

create or replace function private.refuse_mutation()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- tg_argv[0] names the listed error to raise, so each append-only table reports its own code.
  perform private.raise_error(tg_argv[0], pg_catalog.format('%s on %s.%s', tg_op, tg_table_schema, tg_table_name));
  return null;
end
$$;
comment on function private.refuse_mutation() is
  'BEFORE UPDATE/DELETE/TRUNCATE trigger that makes a table append-only; its argument is the error name. Not callable directly.';
revoke all on function private.refuse_mutation() from public;

drop trigger if exists consent_history_append_only on public.consent_history;
create trigger consent_history_append_only
  before update or delete on public.consent_history
  for each row execute function private.refuse_mutation('history_append_only');
drop trigger if exists consent_history_no_truncate on public.consent_history;
create trigger consent_history_no_truncate
  before truncate on public.consent_history
  for each statement execute function private.refuse_mutation('history_append_only');

alter table public.consent_history enable row level security;

revoke all on table public.consent_history from public, anon, authenticated, service_role;
grant select on table public.consent_history to authenticated, service_role;

drop policy if exists consent_history_select_own on public.consent_history;
create policy consent_history_select_own on public.consent_history
  for select to authenticated
  using ((select auth.uid()) = user_id);
