drop function if exists public.refresh_user_stats();
drop function if exists private.refresh_user_stats();
drop materialized view if exists private.user_stats;
