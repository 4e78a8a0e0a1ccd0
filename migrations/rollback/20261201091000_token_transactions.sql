drop table if exists public.token_transactions;
drop type if exists public.token_transaction_kind;
