-- Rollback of 20261208110000_guard_temporary_type_names.sql: the event trigger and its function.

drop event trigger if exists avolve_temporary_name_guard;
drop function if exists private.refuse_temporary_builtin_names();
