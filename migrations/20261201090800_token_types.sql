-- public.token_types: the Avolve tokens in the 3-6-9 pattern. Tier 3 is the root (GEN,
-- Supercivilization); tier 6 holds SAP (Superachiever) and SCQ (Superachievers); tier 9 holds PSP, BSP
-- and SMS under SAP, and SPD, SHE, SSA and SGB under SCQ. A child's tier is always greater than its
-- parent's: a check constraint makes the root the only row without a parent, and a trigger checks
-- tiers against the parent and the children on every write.

create table if not exists public.token_types (
  code text primary key check (code ~ '^[A-Z][A-Z0-9]{1,9}$'),
  name text not null check (name <> ''),
  description text,
  tier smallint not null check (tier in (3, 6, 9)),
  parent_code text references public.token_types (code),
  decimals smallint not null default 18 check (decimals between 0 and 18),
  transferable boolean not null default true,
  constraint token_types_root_has_no_parent check ((tier = 3) = (parent_code is null))
);
comment on table public.token_types is
  'The token catalog (3-6-9 pattern). Readable by signed-in users; written by migrations only.';

create index if not exists token_types_parent_code_idx on public.token_types (parent_code);

create or replace function private.check_token_hierarchy()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_parent_tier smallint;
begin
  if new.parent_code is not null then
    select t.tier into v_parent_tier from public.token_types t where t.code = new.parent_code;
    if v_parent_tier is not null and v_parent_tier >= new.tier then
      perform private.raise_error('invalid_token_hierarchy',
        pg_catalog.format('%s (tier %s) cannot be under %s (tier %s)', new.code, new.tier, new.parent_code, v_parent_tier));
    end if;
  end if;
  if tg_op = 'UPDATE' and exists (
    select from public.token_types c where c.parent_code = old.code and c.tier <= new.tier
  ) then
    perform private.raise_error('invalid_token_hierarchy',
      pg_catalog.format('%s (tier %s) would not be above all its children', new.code, new.tier));
  end if;
  return new;
end
$$;
comment on function private.check_token_hierarchy() is
  'BEFORE INSERT/UPDATE trigger on token_types: a child''s tier must be greater than its parent''s. Not callable directly.';
revoke all on function private.check_token_hierarchy() from public;

drop trigger if exists token_types_check_hierarchy on public.token_types;
create trigger token_types_check_hierarchy
  before insert or update on public.token_types
  for each row execute function private.check_token_hierarchy();

insert into public.token_types (code, name, description, tier, parent_code, decimals, transferable) values
  ('GEN', 'Supercivilization', 'The root token of the Avolve platform', 3, null, 18, true),
  ('SAP', 'Superachiever', 'Individual journey of transformation', 6, 'GEN', 18, true),
  ('SCQ', 'Superachievers', 'Collective journey of transformation', 6, 'GEN', 18, true),
  ('PSP', 'Personal Success Puzzle', 'Personal growth and success', 9, 'SAP', 18, true),
  ('BSP', 'Business Success Puzzle', 'Business growth and success', 9, 'SAP', 18, true),
  ('SMS', 'Supermind Superpowers', 'Mental capabilities and growth', 9, 'SAP', 18, true),
  ('SPD', 'Superpuzzle Developments', 'Collective puzzle developments', 9, 'SCQ', 18, true),
  ('SHE', 'Superhuman Enhancements', 'Human capability enhancements', 9, 'SCQ', 18, true),
  ('SSA', 'Supersociety Advancements', 'Societal advancements', 9, 'SCQ', 18, true),
  ('SGB', 'Supergenius Breakthroughs', 'Breakthrough innovations', 9, 'SCQ', 18, true)
on conflict (code) do update set
  name = excluded.name,
  description = excluded.description,
  tier = excluded.tier,
  parent_code = excluded.parent_code,
  decimals = excluded.decimals,
  transferable = excluded.transferable;

alter table public.token_types enable row level security;

revoke all on table public.token_types from public, anon, authenticated, service_role;
grant select on table public.token_types to authenticated, service_role;

drop policy if exists token_types_select on public.token_types;
create policy token_types_select on public.token_types
  for select to authenticated
  using (true);
