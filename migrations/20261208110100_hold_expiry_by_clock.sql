-- A hold's expiry was compared with now(), the time its transaction began. A payee whose
-- transaction began before the expiry could still capture after it (a unit of work that waits on
-- something else, or a direct SQL session), and its entries (running balances), stamped with the
-- clock, then showed a capture after the hold had expired. The capture, the payer's release once
-- expired and the expiry sweep now read the clock (clock_timestamp()), as the entries do; a hold's resolved_at is the
-- clock's time too, so it is never before the movement it records. A capture checks the expiry again
-- once it holds the accounts' locks and has stamped its movement: waiting for those locks may outlast
-- the expiry. A hold's own created_at and
-- expires_at stay the transaction's now(): a retry compares the expiry it asks for with their
-- difference (20261208100000_hold_payer_and_expiry_replay.sql).
--
-- Each function below is 20261207130100_token_holds.sql's, with only those reads (and that check) changed.

create or replace function private.capture_hold(p_hold_id uuid, p_amount numeric default null)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_hold public.token_holds := private.locked_hold(p_hold_id);
  v_amount numeric := coalesce(p_amount, v_hold.amount);
begin
  if not private.request_is_privileged() and auth.uid() <> v_hold.to_user_id then
    perform private.raise_error('permission_denied', 'a hold is captured by its payee or the service role');
  end if;
  if v_hold.status = 'captured' and v_hold.captured_amount = v_amount then
    -- A retry of the capture that succeeded: its outcome again.
    return v_hold.id;
  end if;
  if v_hold.status <> 'pending' then
    perform private.raise_error('hold_resolved', pg_catalog.format('the hold is %s', v_hold.status));
  end if;
  if v_hold.expires_at <= pg_catalog.clock_timestamp() then
    perform private.raise_error('hold_expired', pg_catalog.format('it expired at %s', v_hold.expires_at));
  end if;
  perform private.check_token_amount(v_hold.token_type, v_amount, true);
  if v_amount > v_hold.amount then
    perform private.raise_error('invalid_amount', pg_catalog.format('a capture takes at most the %s held', pg_catalog.trim_scale(v_hold.amount)));
  end if;

  -- The captured amount moves; the whole hold leaves `held` (a partial capture releases the rest).
  perform private.move_hold(v_hold, 'capture', v_amount, v_amount, -v_hold.amount, v_amount);
  update public.token_holds set status = 'captured', captured_amount = v_amount, resolved_at = pg_catalog.clock_timestamp() where id = v_hold.id;
  -- Again, now that the accounts are locked and the movement stamped: the wait for the locks may have
  -- outlasted the expiry, and raising undoes the capture.
  if v_hold.expires_at <= pg_catalog.clock_timestamp() then
    perform private.raise_error('hold_expired', pg_catalog.format('it expired at %s, while the capture waited', v_hold.expires_at));
  end if;
  return v_hold.id;
end
$$;
comment on function private.capture_hold(uuid, numeric) is
  'Body of public.capture_hold (SECURITY DEFINER: writes holds, balances and the ledger). Call the public function.';

create or replace function private.release_locked_hold(p_hold public.token_holds, p_status public.token_hold_status)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform private.move_hold(p_hold, 'release', p_hold.amount, 0, -p_hold.amount, 0);
  update public.token_holds set status = p_status, resolved_at = pg_catalog.clock_timestamp() where id = p_hold.id;
end
$$;
comment on function private.release_locked_hold(public.token_holds, public.token_hold_status) is
  'Voids a pending hold the caller locked: its ledger row and entry, and its status. For the hold functions only.';
revoke all on function private.release_locked_hold(public.token_holds, public.token_hold_status) from public;

create or replace function private.release_hold(p_hold_id uuid)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_hold public.token_holds := private.locked_hold(p_hold_id);
begin
  if v_hold.status in ('released', 'expired') then
    return v_hold.id;
  end if;
  if v_hold.status <> 'pending' then
    perform private.raise_error('hold_resolved', pg_catalog.format('the hold is %s', v_hold.status));
  end if;
  if not private.request_is_privileged() and auth.uid() <> v_hold.to_user_id and v_hold.expires_at > pg_catalog.clock_timestamp() then
    perform private.raise_error('permission_denied', 'the payer may release a hold only once it has expired');
  end if;
  perform private.release_locked_hold(v_hold, 'released');
  return v_hold.id;
end
$$;
comment on function private.release_hold(uuid) is
  'Body of public.release_hold (SECURITY DEFINER: writes holds, balances and the ledger). Call the public function.';

create or replace function private.release_expired_holds(p_limit integer default 1000)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_hold public.token_holds;
  v_ids uuid[];
  v_count integer := 0;
  -- Read once, as a parameter of the scan below: a volatile call in its condition would keep the
  -- planner off the index of pending holds by expiry.
  v_now timestamp with time zone := pg_catalog.clock_timestamp();
begin
  if not private.request_is_privileged() then
    perform private.raise_error('permission_denied', 'the expiry sweep needs the service role');
  end if;
  -- The holds first (those another transaction is resolving are skipped: that one decides them),
  -- then their payers' accounts in the global order (user id, token type), as a transfer or a batch
  -- takes them; releasing in expiry order while taking accounts as they come could deadlock.
  select pg_catalog.array_agg(l.id) into v_ids
  from (
    select h.id from public.token_holds h
    where h.status = 'pending' and h.expires_at <= v_now
    order by h.expires_at
    limit least(greatest(coalesce(p_limit, 1000), 1), 10000)
    for update skip locked
  ) l;
  perform from public.token_balances b
  where (b.user_id, b.token_type) in (select h.from_user_id, h.token_type from public.token_holds h where h.id = any (v_ids))
  order by b.user_id, b.token_type
  for update;
  for v_hold in select h.* from public.token_holds h where h.id = any (v_ids) order by h.from_user_id, h.token_type, h.expires_at
  loop
    perform private.release_locked_hold(v_hold, 'expired');
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;
comment on function private.release_expired_holds(integer) is
  'Body of public.release_expired_holds (SECURITY DEFINER: releases expired holds). Call the public function.';
