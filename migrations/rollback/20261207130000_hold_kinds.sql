-- Rollback of 20261207130000_hold_kinds.sql. PostgreSQL cannot drop a value from an enum: the
-- values stay, unused once the holds' migration is rolled back (it refuses while rows use them).
comment on type public.token_transaction_kind is 'mint: new tokens to a user; transfer: between users; burn: tokens destroyed.';
