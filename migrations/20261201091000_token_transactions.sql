-- public.token_transactions: the ledger. Every change of a balance is one row here, written in the
-- same transaction as the balance change; rows are never updated or deleted (a mistake is corrected
-- by a new transaction). The idempotency key identifies a request: the same key can never move tokens
-- twice.
--
-- Foreign keys to users restrict deletion: an account with ledger history cannot be deleted, because
-- deleting it would change other users' histories and the token supply.

do $$
begin
  create type public.token_transaction_kind as enum ('mint', 'transfer', 'burn');
exception
  when duplicate_object then null;
end
$$;
comment on type public.token_transaction_kind is 'mint: new tokens to a user; transfer: between users; burn: tokens destroyed.';

create table if not exists public.token_transactions (
  id uuid primary key default gen_random_uuid(),
  kind public.token_transaction_kind not null,
  token_type text not null references public.token_types (code),
  from_user_id uuid references public.users (id) on delete restrict,
  to_user_id uuid references public.users (id) on delete restrict,
  amount numeric(38, 18) not null constraint token_transactions_amount_positive check (amount > 0),
  idempotency_key uuid not null constraint token_transactions_idempotency_key_key unique,
  memo text constraint token_transactions_memo_length check (char_length(memo) <= 500),
  created_at timestamptz not null default pg_catalog.now(),
  constraint token_transactions_parties check (
    case kind
      when 'mint' then from_user_id is null and to_user_id is not null
      when 'transfer' then from_user_id is not null and to_user_id is not null and from_user_id <> to_user_id
      when 'burn' then from_user_id is not null and to_user_id is null
    end
  )
);
comment on table public.token_transactions is
  'The append-only token ledger. Users read rows they sent or received; only ledger functions write.';

-- Each serves one side of a user's history (keyset pages, newest first) and that side's foreign key.
create index if not exists token_transactions_from_created_idx
  on public.token_transactions (from_user_id, created_at desc, id desc);
create index if not exists token_transactions_to_created_idx
  on public.token_transactions (to_user_id, created_at desc, id desc);
create index if not exists token_transactions_token_type_idx
  on public.token_transactions (token_type);

drop trigger if exists token_transactions_append_only on public.token_transactions;
create trigger token_transactions_append_only
  before update or delete on public.token_transactions
  for each row execute function private.refuse_mutation('ledger_append_only');
drop trigger if exists token_transactions_no_truncate on public.token_transactions;
create trigger token_transactions_no_truncate
  before truncate on public.token_transactions
  for each statement execute function private.refuse_mutation('ledger_append_only');

alter table public.token_transactions enable row level security;

revoke all on table public.token_transactions from public, anon, authenticated, service_role;
grant select on table public.token_transactions to authenticated, service_role;

drop policy if exists token_transactions_select_party on public.token_transactions;
create policy token_transactions_select_party on public.token_transactions
  for select to authenticated
  using ((select auth.uid()) = from_user_id or (select auth.uid()) = to_user_id);
