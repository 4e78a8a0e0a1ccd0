-- public.token_balances: each user's balance of each token. Only the ledger functions write it, in
-- the same transaction as the ledger row that explains the change, so a balance always equals the sum
-- of the user's ledger rows. It can never go negative: the functions check first, the constraint is
-- the last line of defence.

create table if not exists public.token_balances (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  token_type text not null references public.token_types (code),
  balance numeric(38, 18) not null default 0 constraint token_balances_balance_not_negative check (balance >= 0),
  updated_at timestamptz not null default pg_catalog.now(),
  constraint token_balances_user_token_key unique (user_id, token_type)
);
comment on table public.token_balances is
  'Balances per user and token, kept equal to the ledger. Owners read their own; only ledger functions write.';

-- The unique (user_id, token_type) index serves the user_id foreign key and every balance lookup.
create index if not exists token_balances_token_type_idx on public.token_balances (token_type);

alter table public.token_balances enable row level security;

revoke all on table public.token_balances from public, anon, authenticated, service_role;
grant select on table public.token_balances to authenticated, service_role;

drop policy if exists token_balances_select_own on public.token_balances;
create policy token_balances_select_own on public.token_balances
  for select to authenticated
  using ((select auth.uid()) = user_id);
