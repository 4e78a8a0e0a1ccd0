-- Rollback of 20261208100100_guard_append_only_rewrites.sql: the two event triggers and their functions.

drop event trigger if exists avolve_append_only_drop_guard;
drop event trigger if exists avolve_append_only_rewrite_guard;
drop function if exists private.refuse_append_only_column_drop();
drop function if exists private.refuse_append_only_rewrite();
