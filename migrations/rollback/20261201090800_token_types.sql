drop table if exists public.token_types;
drop function if exists private.check_token_hierarchy();
