-- The smallest correct transfer: the baseline public.transfer_tokens is measured against under pgbench
-- (bench/minimal.ts). Created only in the benchmark's database, never shipped and never a migration.
--
-- Correct means: concurrent transfers neither deadlock nor lose an update (the two balance rows are
-- locked in user id order before either is changed), no balance goes below zero (the check
-- constraint), a key can move tokens only once (the unique key), every movement leaves one ledger
-- row, and a transfer to an unknown account, to oneself or of a non-positive amount moves nothing.
-- Anything more (token types, caller checks, replaying a key, typed errors, memos) is what the
-- project's function adds, and what the ratio prices.

drop schema if exists bench_minimal cascade;
create schema bench_minimal;
comment on schema bench_minimal is
  'Benchmark only: the minimal correct transfer public.transfer_tokens is compared with. Never shipped.';
revoke all on schema bench_minimal from public;

create table bench_minimal.balances (
  user_id uuid primary key,
  balance numeric(38, 18) not null check (balance >= 0)
);
comment on table bench_minimal.balances is
  'Benchmark only: one balance per account. Written by bench_minimal.transfer; read by the benchmark.';

create table bench_minimal.ledger (
  id bigint generated always as identity primary key,
  idempotency_key uuid not null unique,
  from_user_id uuid not null,
  to_user_id uuid not null,
  amount numeric(38, 18) not null check (amount > 0),
  created_at timestamptz not null default pg_catalog.now(),
  check (from_user_id <> to_user_id)
);
comment on table bench_minimal.ledger is
  'Benchmark only: one row per transfer, keyed by identity, unique per idempotency key. Written by bench_minimal.transfer.';

-- No `set search_path` clause: the names are qualified, the only caller is the benchmark's superuser,
-- and the clause is one of the per-call costs the comparison is meant to expose, not to share.
create function bench_minimal.transfer(p_from uuid, p_to uuid, p_amount numeric, p_idempotency_key uuid)
returns bigint
language plpgsql
as $$
declare
  v_id bigint;
  v_moved bigint;
begin
  -- First, so that a second request with the same key waits for the first and then fails on the key.
  insert into bench_minimal.ledger (idempotency_key, from_user_id, to_user_id, amount)
  values (p_idempotency_key, p_from, p_to, p_amount)
  returning id into v_id;
  perform from bench_minimal.balances b where b.user_id in (p_from, p_to) order by b.user_id for update;
  update bench_minimal.balances b
  set balance = b.balance + case when b.user_id = p_to then p_amount else -p_amount end
  where b.user_id in (p_from, p_to);
  get diagnostics v_moved = row_count;
  if v_moved <> 2 then
    raise exception 'unknown account' using errcode = 'foreign_key_violation';
  end if;
  return v_id;
end
$$;
comment on function bench_minimal.transfer(uuid, uuid, numeric, uuid) is
  'Benchmark only: moves p_amount from p_from to p_to once per p_idempotency_key; returns the ledger id. Called by the benchmark''s superuser.';
revoke all on function bench_minimal.transfer(uuid, uuid, numeric, uuid) from public;
