-- One trigger function keeps updated_at honest on every table that has it, whoever writes the row.

create or replace function private.touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := pg_catalog.now();
  return new;
end
$$;
comment on function private.touch_updated_at() is
  'BEFORE UPDATE trigger: sets updated_at to the transaction time. Attached by migrations; not callable directly.';

revoke all on function private.touch_updated_at() from public;
