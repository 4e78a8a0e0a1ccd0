-- Rollback of 20261207120000_transfer_batches.sql: the batch functions, the batches' table and the error code.
drop function if exists public.transfer_tokens_batch(jsonb, uuid);
drop function if exists private.transfer_tokens_batch(jsonb, uuid);
drop function if exists private.batch_transfer_key(uuid, integer);
drop function if exists private.spendable_balance(uuid, text);
drop function if exists private.batch_reply(uuid[], boolean);
-- The append-only triggers refuse a drop of the table only through the guard's DDL check, which a
-- drop of the whole table passes.
drop table if exists public.token_batches;
delete from private.error_codes where sqlstate = 'VT013';
