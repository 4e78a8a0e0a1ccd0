drop table if exists public.token_balances;
