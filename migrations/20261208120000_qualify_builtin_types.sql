-- The SECURITY DEFINER functions run with `search_path = ''`, as DESIGN.md and Supabase's linter
-- ask. With pg_temp left out of the path, PostgreSQL still searches the caller's temporary schema
-- first for type (and relation) names, and compiles a function's body in the caller's session. The
-- bodies named built-in types unqualified (`text`, `uuid`, `jsonb`, `record`, ...), and so does
-- auth.uid(), which they called: a caller with a direct SQL connection (the `authenticator` login the
-- server adapter uses, for one) could create `pg_temp.text` as a domain whose check calls a function
-- of their own, call one of these functions, and have that check run as the functions' owner.
--
-- Every type these functions name is now qualified (`pg_catalog.text`), and they read the caller's
-- user id through private.request_user_id(), whose body is qualified too, instead of auth.uid();
-- private.transfer_tokens reads it inline, as it is on the transfer's hot path. SQL's own type
-- keywords (`numeric`, `integer`, `bigint`, `boolean`, `timestamp with time zone`, ...) always mean
-- pg_catalog's types and stay as they are. Each function below is otherwise its previous definition,
-- unchanged; test/database/builtin-type-shadowing.test.ts holds the rule for later ones.

create or replace function private.request_user_id()
returns uuid
language sql
stable
set search_path = ''
as $$
  -- auth.uid()'s reading of the request's claims (the legacy setting first), with every type qualified.
  select coalesce(
    nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), ''),
    nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::pg_catalog.jsonb ->> 'sub'
  )::pg_catalog.uuid
$$;
comment on function private.request_user_id() is
  'The signed-in caller''s user id from the request''s claims, as auth.uid() reads it, safe to call from SECURITY DEFINER bodies. For Avolve functions only.';
revoke all on function private.request_user_id() from public;

create or replace function private.append_consent_history()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- SECURITY DEFINER: the history is written for every change to user_consent, but no caller may
  -- write the history table itself.
  if tg_op = 'INSERT' or new.status <> old.status then
    insert into public.consent_history (consent_id, user_id, interaction_type, from_status, to_status, actor_id, actor_role)
    values (
      new.id, new.user_id, new.interaction_type,
      case when tg_op = 'UPDATE' then old.status end,
      new.status, private.request_user_id(), private.request_role()
    );
  end if;
  return null;
end
$$;

create or replace function private.assert_may_act_for(p_user_id uuid, p_argument text)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  v_uid pg_catalog.uuid;
begin
  if p_user_id is null then
    perform private.raise_error('missing_argument', pg_catalog.format('%s is null', p_argument));
  end if;
  if private.request_is_privileged() then
    if not exists (select from public.users u where u.id = p_user_id) then
      perform private.raise_error('unknown_user', pg_catalog.format('%s does not name an existing user', p_argument));
    end if;
    return;
  end if;
  v_uid := private.request_user_id();
  if v_uid is null then
    perform private.raise_error('not_authenticated');
  end if;
  if v_uid <> p_user_id then
    perform private.raise_error('permission_denied', pg_catalog.format('%s must be your own user id', p_argument));
  end if;
end
$$;

create or replace function private.batch_reply(p_ids uuid[], p_replayed boolean)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object('applied', true, 'replayed', p_replayed, 'transactions',
    (select pg_catalog.jsonb_agg(pg_catalog.to_jsonb(t) || pg_catalog.jsonb_build_object('amount', t.amount::pg_catalog.text)
                                 order by pg_catalog.array_position(p_ids, t.id))
     from public.token_transactions t where t.id = any (p_ids)))
$$;

create or replace function private.batch_transfer_key(p_batch_id uuid, p_index integer)
returns uuid
language sql
immutable parallel safe
set search_path = ''
as $$
  select pg_catalog.md5(p_batch_id::pg_catalog.text || ':' || p_index::pg_catalog.text)::pg_catalog.uuid
$$;

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
  if not private.request_is_privileged() and private.request_user_id() <> v_hold.to_user_id then
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

create or replace function private.guard_append_only_tables()
returns event_trigger
language plpgsql
set search_path = ''
as $$
declare
  v_missing pg_catalog.record;
begin
  -- Each trigger as pg_get_triggerdef() prints it: a trigger that was dropped, redefined, or sits on
  -- a renamed table or function no longer matches; one that matches must also fire always.
  for v_missing in
    select g.error_name, g.trigger_name, g.table_name
    from (values
      ('history_append_only', 'consent_history_refuse_change', 'public.consent_history',
       'CREATE TRIGGER consent_history_refuse_change BEFORE DELETE OR UPDATE ON public.consent_history FOR EACH ROW EXECUTE FUNCTION private.refuse_mutation(''history_append_only'')'),
      ('history_append_only', 'consent_history_refuse_truncate', 'public.consent_history',
       'CREATE TRIGGER consent_history_refuse_truncate BEFORE TRUNCATE ON public.consent_history FOR EACH STATEMENT EXECUTE FUNCTION private.refuse_mutation(''history_append_only'')'),
      ('ledger_append_only', 'token_transactions_refuse_change', 'public.token_transactions',
       'CREATE TRIGGER token_transactions_refuse_change BEFORE DELETE OR UPDATE ON public.token_transactions FOR EACH ROW EXECUTE FUNCTION private.refuse_mutation(''ledger_append_only'')'),
      ('ledger_append_only', 'token_transactions_refuse_truncate', 'public.token_transactions',
       'CREATE TRIGGER token_transactions_refuse_truncate BEFORE TRUNCATE ON public.token_transactions FOR EACH STATEMENT EXECUTE FUNCTION private.refuse_mutation(''ledger_append_only'')'),
      ('ledger_append_only', 'token_entries_refuse_change', 'public.token_entries',
       'CREATE TRIGGER token_entries_refuse_change BEFORE DELETE OR UPDATE ON public.token_entries FOR EACH ROW EXECUTE FUNCTION private.refuse_mutation(''ledger_append_only'')'),
      ('ledger_append_only', 'token_entries_refuse_truncate', 'public.token_entries',
       'CREATE TRIGGER token_entries_refuse_truncate BEFORE TRUNCATE ON public.token_entries FOR EACH STATEMENT EXECUTE FUNCTION private.refuse_mutation(''ledger_append_only'')'),
      ('ledger_append_only', 'token_batches_refuse_change', 'public.token_batches',
       'CREATE TRIGGER token_batches_refuse_change BEFORE DELETE OR UPDATE ON public.token_batches FOR EACH ROW EXECUTE FUNCTION private.refuse_mutation(''ledger_append_only'')'),
      ('ledger_append_only', 'token_batches_refuse_truncate', 'public.token_batches',
       'CREATE TRIGGER token_batches_refuse_truncate BEFORE TRUNCATE ON public.token_batches FOR EACH STATEMENT EXECUTE FUNCTION private.refuse_mutation(''ledger_append_only'')')
    ) as g(error_name, trigger_name, table_name, definition)
    where not exists (
      select from pg_catalog.pg_trigger t
      where t.tgname = g.trigger_name and t.tgenabled = 'A' and pg_catalog.pg_get_triggerdef(t.oid) = g.definition
    )
    limit 1
  loop
    perform private.raise_error(v_missing.error_name, pg_catalog.format(
      '%s would leave %s without its trigger %s, as created and enabled always', tg_tag, v_missing.table_name, v_missing.trigger_name));
  end loop;
end
$$;

create or replace function private.hold_tokens(p_from_user_id uuid, p_to_user_id uuid, p_token_type text, p_amount numeric, p_expires_in_seconds integer, p_idempotency_key uuid, p_memo text default null)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_hold public.token_holds;
  v_first public.token_holds;
begin
  perform private.assert_may_act_for(p_from_user_id, 'p_from_user_id');
  if p_to_user_id is null then
    perform private.raise_error('missing_argument', 'p_to_user_id is null');
  end if;
  if p_idempotency_key is null then
    perform private.raise_error('missing_argument', 'p_idempotency_key is null');
  end if;
  perform private.check_token_amount(p_token_type, p_amount, true);
  if pg_catalog.char_length(p_memo) > 500 then
    perform private.raise_error('invalid_memo');
  end if;
  if p_to_user_id = p_from_user_id then
    perform private.raise_error('self_transfer');
  end if;
  if p_expires_in_seconds is null or p_expires_in_seconds < 1 or p_expires_in_seconds > 2592000 then
    perform private.raise_error('invalid_expiry', pg_catalog.format('expires in %s seconds', coalesce(p_expires_in_seconds::pg_catalog.text, 'null')));
  end if;
  if not exists (select from public.users u where u.id = p_to_user_id) then
    perform private.raise_error('unknown_user', 'p_to_user_id does not name an existing user');
  end if;
  -- A signed-in user without a profile passes the caller check (it is their own id); without this
  -- the hold's foreign key would answer with a raw 23503 naming the key.
  if not exists (select from public.users u where u.id = p_from_user_id) then
    perform private.raise_error('unknown_user', 'p_from_user_id does not name an existing user');
  end if;

  -- The key first: a second request with it waits here, then replays the first hold or is refused.
  insert into public.token_holds (id, from_user_id, to_user_id, token_type, amount, expires_at, idempotency_key, memo)
  values (private.new_ledger_id(), p_from_user_id, p_to_user_id, p_token_type, p_amount,
          pg_catalog.now() + pg_catalog.make_interval(secs => p_expires_in_seconds), p_idempotency_key, p_memo)
  on conflict (from_user_id, idempotency_key) do nothing
  returning * into v_hold;
  if v_hold.id is null then
    select h.* into v_first from public.token_holds h where h.from_user_id = p_from_user_id and h.idempotency_key = p_idempotency_key;
    -- The expiry asked for is the one the first hold got: expires_at and created_at are both its now().
    if v_first.to_user_id = p_to_user_id and v_first.token_type = p_token_type and v_first.amount = p_amount and v_first.memo is not distinct from p_memo
       and v_first.expires_at - v_first.created_at = pg_catalog.make_interval(secs => p_expires_in_seconds) then
      return v_first.id;
    end if;
    perform private.raise_error('idempotency_conflict', 'this key was used for a different hold');
  end if;

  perform private.move_hold(v_hold, 'hold', p_amount, 0, p_amount, 0);
  return v_hold.id;
end
$$;

create or replace function private.ledger_chain_violations()
returns setof text
language sql
stable
set search_path = ''
as $$
  with chain as (
    select e.user_id, e.token_type, e.version, e.amount, e.balance_after, e.held_after, e.created_at, e.transaction_id,
      pg_catalog.row_number() over w as n,
      pg_catalog.lag(e.balance_after) over w as previous_balance,
      pg_catalog.lag(e.held_after) over w as previous_held,
      pg_catalog.lag(e.created_at) over w as previous_at
    from public.token_entries e
    window w as (partition by e.user_id, e.token_type order by e.version)
  ), latest as (
    select distinct on (c.user_id, c.token_type) c.user_id, c.token_type, c.version, c.balance_after, c.held_after
    from chain c order by c.user_id, c.token_type, c.version desc
  ), expected as (
    select t.id, t.to_user_id as user_id, t.token_type, t.amount, 0::numeric as held
    from public.token_transactions t where t.to_user_id is not null and t.kind in ('mint', 'transfer', 'capture')
    union all
    select t.id, t.from_user_id, t.token_type,
      case when t.kind in ('hold', 'release') then 0 else -t.amount end,
      case t.kind when 'hold' then t.amount when 'release' then -t.amount when 'capture' then -h.amount else 0 end
    from public.token_transactions t
    left join public.token_holds h on h.id = t.hold_id
    where t.from_user_id is not null
  )
  select pg_catalog.format('%s/%s: version %s is entry %s of the account (a gap or a repeat)', c.user_id, c.token_type, c.version, c.n)
  from chain c where c.version <> c.n
  union all
  select pg_catalog.format('%s/%s: version %s has balance %s, not %s + %s', c.user_id, c.token_type, c.version,
    c.balance_after, coalesce(c.previous_balance, 0), c.amount)
  from chain c where c.balance_after <> coalesce(c.previous_balance, 0) + c.amount
  union all
  select pg_catalog.format('%s/%s: version %s holds %s, not %s %s', c.user_id, c.token_type, c.version,
    c.held_after, coalesce(c.previous_held, 0), coalesce(x.held::pg_catalog.text, 'and a movement it does not match'))
  from chain c
  left join expected x on x.id = c.transaction_id and x.user_id = c.user_id and x.token_type = c.token_type
  where c.held_after <> coalesce(c.previous_held, 0) + coalesce(x.held, 0)
  union all
  select pg_catalog.format('%s/%s: version %s is dated before version %s', c.user_id, c.token_type, c.version, c.version - 1)
  from chain c where c.created_at < c.previous_at
  union all
  select pg_catalog.format('%s/%s: balance %s (held %s) at version %s, but its last entry says %s (held %s) at version %s', b.user_id, b.token_type,
    b.balance, b.held, b.version, coalesce(l.balance_after, 0), coalesce(l.held_after, 0), coalesce(l.version, 0))
  from public.token_balances b
  left join latest l on l.user_id = b.user_id and l.token_type = b.token_type
  where b.balance <> coalesce(l.balance_after, 0) or b.held <> coalesce(l.held_after, 0) or b.version <> coalesce(l.version, 0)
  union all
  select pg_catalog.format('%s/%s: entries without a balance row', l.user_id, l.token_type)
  from latest l
  where not exists (select from public.token_balances b where b.user_id = l.user_id and b.token_type = l.token_type)
  union all
  select pg_catalog.format('%s/%s: holds %s, but its pending holds add up to %s', b.user_id, b.token_type, b.held, coalesce(p.total, 0))
  from public.token_balances b
  left join (
    select h.from_user_id, h.token_type, pg_catalog.sum(h.amount) as total from public.token_holds h where h.status = 'pending' group by 1, 2
  ) p on p.from_user_id = b.user_id and p.token_type = b.token_type
  where b.held <> coalesce(p.total, 0)
  union all
  select pg_catalog.format('transaction %s moves %s %s for %s, its entry says %s',
    coalesce(x.id, e.transaction_id), coalesce(x.amount::pg_catalog.text, 'nothing'), coalesce(x.token_type, e.token_type),
    coalesce(x.user_id, e.user_id), coalesce(e.amount::pg_catalog.text, 'nothing'))
  from expected x
  full join public.token_entries e on e.transaction_id = x.id and e.user_id = x.user_id and e.token_type = x.token_type
  where x.id is null or e.transaction_id is null or e.amount <> x.amount
$$;

create or replace function private.locked_hold(p_hold_id uuid)
returns token_holds
language plpgsql
set search_path = ''
as $$
declare
  v_hold public.token_holds;
  v_uid pg_catalog.uuid;
begin
  if p_hold_id is null then
    perform private.raise_error('missing_argument', 'p_hold_id is null');
  end if;
  select h.* into v_hold from public.token_holds h where h.id = p_hold_id for update;
  if not private.request_is_privileged() then
    v_uid := private.request_user_id();
    if v_uid is null then
      perform private.raise_error('not_authenticated');
    end if;
    if v_hold.id is not null and v_uid <> v_hold.from_user_id and v_uid <> v_hold.to_user_id then
      v_hold := null;
    end if;
  end if;
  if v_hold.id is null then
    perform private.raise_error('hold_not_found');
  end if;
  return v_hold;
end
$$;

create or replace function private.mint_tokens(p_to_user_id uuid, p_token_type text, p_amount numeric, p_idempotency_key uuid, p_memo text default null)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_role pg_catalog.text := pg_catalog.current_setting('role');
  v_id pg_catalog.uuid;
  v_moved bigint;
begin
  if not (v_role = 'service_role' or pg_catalog.current_setting('is_superuser') = 'on') and not private.request_is_privileged() then
    perform private.raise_error('permission_denied', 'minting needs the service role');
  end if;
  if p_to_user_id is null or p_idempotency_key is null or p_token_type is null
     or not (p_amount > 0 and p_amount < 1e20) or pg_catalog.char_length(p_memo) > 500 then
    if p_to_user_id is null then
      perform private.raise_error('missing_argument', 'p_to_user_id is null');
    end if;
    if p_idempotency_key is null then
      perform private.raise_error('missing_argument', 'p_idempotency_key is null');
    end if;
    perform private.check_token_amount(p_token_type, p_amount, false);
    perform private.raise_error('invalid_memo');
  end if;

  -- A time-ordered id (UUID version 7), written out rather than a call of private.new_ledger_id(): a
  -- function with its own search_path is a call of its own on the transfer's hot path.
  v_id := pg_catalog.encode(
    pg_catalog.int8send((pg_catalog.floor(extract(epoch from pg_catalog.clock_timestamp()) * 1000)::bigint << 16) | (28672 + (pg_catalog.random() * 4095)::bigint))
    || pg_catalog.int8send(-9223372036854775808 + (pg_catalog.random() * 4611686018427387000)::bigint), 'hex')::pg_catalog.uuid;
  with ledger as (
    insert into public.token_transactions (id, kind, token_type, from_user_id, to_user_id, amount, idempotency_key, memo)
    select v_id, 'mint', t.code, null, p_to_user_id, p_amount, p_idempotency_key, p_memo
    from public.token_types t
    where t.code = p_token_type and p_amount = pg_catalog.round(p_amount, t.decimals)
    on conflict (idempotency_key) where kind = 'mint' do nothing
    returning 1
  ), moved as (
    insert into public.token_balances as b (user_id, token_type, balance, version, updated_at)
    select p_to_user_id, p_token_type, p_amount, 1, pg_catalog.clock_timestamp()
    where exists (select from ledger)
    on conflict (user_id, token_type) do update
      set balance = b.balance + p_amount,
          version = b.version + 1,
          updated_at = greatest(pg_catalog.clock_timestamp(), b.updated_at)
      where b.balance + p_amount < 1e20
    returning b.user_id, b.balance, b.held, b.version, b.updated_at
  )
  insert into public.token_entries (user_id, token_type, version, transaction_id, amount, balance_after, held_after, created_at)
  select m.user_id, p_token_type, m.version, v_id, p_amount, m.balance, m.held, m.updated_at
  from moved m;
  get diagnostics v_moved = row_count;
  if v_moved = 1 then
    return v_id;
  end if;

  perform private.check_token_amount(p_token_type, p_amount, false);
  if not exists (select from public.token_transactions t where t.id = v_id) then
    return private.replay_or_refuse(p_idempotency_key, 'mint', p_token_type, null, p_to_user_id, p_amount, p_memo);
  end if;
  perform private.raise_error('balance_limit_exceeded');
  return null;
end
$$;

create or replace function private.move_hold(p_hold token_holds, p_kind token_transaction_kind, p_amount numeric, p_debit numeric, p_held numeric, p_credit numeric)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_id pg_catalog.uuid := private.new_ledger_id();
  v_moved bigint;
begin
  -- Keyed by its own id, which no caller knows before it exists (a key derived from the hold's id could
  -- be taken first by a transfer of the payer's); once per hold and kind by token_transactions_hold_movement.
  insert into public.token_transactions (id, kind, token_type, from_user_id, to_user_id, amount, idempotency_key, memo, hold_id)
  values (v_id, p_kind, p_hold.token_type, p_hold.from_user_id, p_hold.to_user_id, p_amount, v_id, p_hold.memo, p_hold.id);
  -- Both accounts in user id order, as a transfer locks them; the payee's only when it is credited.
  with moved as (
    insert into public.token_balances as b (user_id, token_type, balance, version, updated_at)
    select a.user_id, p_hold.token_type, case when a.user_id = p_hold.to_user_id then p_credit else 0 end,
           case when a.user_id = p_hold.to_user_id then 1 else 0 end, pg_catalog.clock_timestamp()
    from (values (p_hold.from_user_id), (p_hold.to_user_id)) as a (user_id)
    where a.user_id = p_hold.from_user_id or p_credit > 0
    order by a.user_id
    on conflict (user_id, token_type) do update
      set balance = b.balance + case when b.user_id = p_hold.to_user_id then p_credit else -p_debit end,
          held = b.held + case when b.user_id = p_hold.to_user_id then 0 else p_held end,
          version = b.version + 1,
          updated_at = greatest(pg_catalog.clock_timestamp(), b.updated_at)
      where case when b.user_id = p_hold.to_user_id then b.balance + p_credit < 1e20 else b.balance - b.held - p_held >= 0 or p_held <= 0 end
    returning b.user_id, b.balance, b.held, b.version, b.updated_at
  )
  insert into public.token_entries (user_id, token_type, version, transaction_id, amount, balance_after, held_after, created_at)
  select m.user_id, p_hold.token_type, m.version, v_id, case when m.user_id = p_hold.to_user_id then p_credit else -p_debit end, m.balance, m.held, m.updated_at
  from moved m
  -- A payer without an account gets an empty one (version 0, no entry), which the refusal below undoes.
  where m.version > 0;
  get diagnostics v_moved = row_count;
  if v_moved = 1 + (p_credit > 0)::integer then
    return v_id;
  end if;
  if p_credit > 0 and exists (select from public.token_balances b where b.user_id = p_hold.to_user_id and b.token_type = p_hold.token_type and b.balance + p_credit >= 1e20) then
    perform private.raise_error('balance_limit_exceeded');
  end if;
  perform private.raise_error('insufficient_balance',
    pg_catalog.format('available %s, requested %s',
      pg_catalog.trim_scale(coalesce((select b.balance - b.held from public.token_balances b where b.user_id = p_hold.from_user_id and b.token_type = p_hold.token_type), 0)),
      pg_catalog.trim_scale(p_hold.amount)));
  return null;
end
$$;

create or replace function private.new_ledger_id()
returns uuid
language sql
set search_path = ''
as $$
  select pg_catalog.encode(
    pg_catalog.int8send((pg_catalog.floor(extract(epoch from pg_catalog.clock_timestamp()) * 1000)::bigint << 16) | (28672 + (pg_catalog.random() * 4095)::bigint))
    || pg_catalog.int8send(-9223372036854775808 + (pg_catalog.random() * 4611686018427387000)::bigint), 'hex')::pg_catalog.uuid
$$;

create or replace function private.record_consent(p_user_id uuid, p_interaction_type text, p_terms text[])
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id pg_catalog.uuid;
begin
  perform private.assert_may_act_for(p_user_id, 'p_user_id');
  if p_interaction_type is null then
    perform private.raise_error('missing_argument', 'p_interaction_type is null');
  end if;
  if not exists (select from public.consent_interaction_types t where t.code = p_interaction_type) then
    perform private.raise_error('unknown_interaction_type');
  end if;
  if p_terms is null then
    perform private.raise_error('missing_argument', 'p_terms is null');
  end if;
  if not private.terms_are_valid(p_terms) then
    perform private.raise_error('invalid_terms');
  end if;

  insert into public.user_consent (user_id, interaction_type, terms, status)
  values (p_user_id, p_interaction_type, p_terms, 'approved')
  returning id into v_id;
  return v_id;
end
$$;

create or replace function private.refuse_append_only_column_drop()
returns event_trigger
language plpgsql
set search_path = ''
as $$
declare
  v_dropped pg_catalog.record;
begin
  for v_dropped in
    select d.object_identity, pg_catalog.split_part(pg_catalog.encode(t.tgargs, 'escape'), E'\\000', 1) as error_name
    from pg_catalog.pg_event_trigger_dropped_objects() d
    join pg_catalog.pg_trigger t on t.tgrelid = d.objid
    join pg_catalog.pg_proc p on p.oid = t.tgfoid and p.proname = 'refuse_mutation'
    join pg_catalog.pg_namespace n on n.oid = p.pronamespace and n.nspname = 'private'
    where d.object_type = 'table column'
    order by t.tgname
    limit 1
  loop
    perform private.raise_error(v_dropped.error_name, pg_catalog.format('%s would drop the column %s and its values, which are never changed', tg_tag, v_dropped.object_identity));
  end loop;
end
$$;

create or replace function private.refuse_append_only_rewrite()
returns event_trigger
language plpgsql
set search_path = ''
as $$
declare
  v_table pg_catalog.oid := pg_catalog.pg_event_trigger_table_rewrite_oid();
  v_error pg_catalog.text;
begin
  select pg_catalog.split_part(pg_catalog.encode(t.tgargs, 'escape'), E'\\000', 1) into v_error
  from pg_catalog.pg_trigger t
  join pg_catalog.pg_proc p on p.oid = t.tgfoid and p.proname = 'refuse_mutation'
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace and n.nspname = 'private'
  where t.tgrelid = v_table
  order by t.tgname
  limit 1;
  if v_error is not null then
    perform private.raise_error(v_error, pg_catalog.format('%s would rewrite every row of %s, whose rows are never changed', tg_tag, v_table::pg_catalog.regclass));
  end if;
end
$$;

create or replace function private.release_expired_holds(p_limit integer default 1000)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_hold public.token_holds;
  v_ids pg_catalog.uuid[];
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
  if not private.request_is_privileged() and private.request_user_id() <> v_hold.to_user_id and v_hold.expires_at > pg_catalog.clock_timestamp() then
    perform private.raise_error('permission_denied', 'the payer may release a hold only once it has expired');
  end if;
  perform private.release_locked_hold(v_hold, 'released');
  return v_hold.id;
end
$$;

create or replace function private.replay_or_refuse(p_idempotency_key uuid, p_kind token_transaction_kind, p_token_type text, p_from_user_id uuid, p_to_user_id uuid, p_amount numeric, p_memo text)
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  v_first public.token_transactions;
  v_differs pg_catalog.text[];
begin
  -- The caller's own scope only: the sender's rows, or for a mint the mints.
  if p_kind = 'mint' then
    select t.* into v_first from public.token_transactions t
    where t.kind = 'mint' and t.idempotency_key = p_idempotency_key;
  else
    select t.* into v_first from public.token_transactions t
    where t.from_user_id = p_from_user_id and t.idempotency_key = p_idempotency_key;
  end if;
  v_differs := pg_catalog.array_remove(array[
    case when v_first.kind <> p_kind then 'kind' end,
    case when v_first.token_type <> p_token_type then 'p_token_type' end,
    case when v_first.from_user_id is distinct from p_from_user_id then 'p_from_user_id' end,
    case when v_first.to_user_id is distinct from p_to_user_id then 'p_to_user_id' end,
    case when v_first.amount <> p_amount then 'p_amount' end,
    case when v_first.memo is distinct from p_memo then 'p_memo' end
  ], null);
  if pg_catalog.cardinality(v_differs) = 0 then
    return v_first.id;
  end if;
  perform private.raise_error('idempotency_conflict',
    pg_catalog.format('differs from the first request in: %s', pg_catalog.array_to_string(v_differs, ', ')));
  return null;
end
$$;

create or replace function private.request_role()
returns text
language sql
stable
set search_path = ''
as $$
  select case pg_catalog.current_setting('role')
    when 'none' then session_user::pg_catalog.text
    else pg_catalog.current_setting('role')
  end
$$;

create or replace function private.transfer_tokens(p_from_user_id uuid, p_to_user_id uuid, p_token_type text, p_amount numeric, p_idempotency_key uuid, p_memo text default null)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_role pg_catalog.text := pg_catalog.current_setting('role');
  v_caller_ok boolean;
  v_id pg_catalog.uuid;
  v_lo pg_catalog.uuid;
  v_hi pg_catalog.uuid;
  v_moved bigint;
  v_available numeric;
  v_version bigint;
begin
  -- The caller. A signed-in user sends from their own account only; the service role and superusers
  -- from any. Inside this definer body current_user is the owner, but the setting `role` is still the
  -- caller's, and is_superuser follows it. Anything else gets the full check, with its errors.
  if v_role = 'authenticated' then
    v_caller_ok := coalesce(nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), ''), nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::pg_catalog.jsonb ->> 'sub')::pg_catalog.uuid = p_from_user_id;
  else
    v_caller_ok := v_role = 'service_role' or pg_catalog.current_setting('is_superuser') = 'on';
  end if;
  if v_caller_ok is not true then
    perform private.assert_may_act_for(p_from_user_id, 'p_from_user_id');
  end if;

  if p_from_user_id is null or p_to_user_id is null or p_idempotency_key is null or p_token_type is null
     or not (p_amount > 0 and p_amount < 1e20) or pg_catalog.char_length(p_memo) > 500 or p_to_user_id = p_from_user_id then
    if p_from_user_id is null then
      perform private.raise_error('missing_argument', 'p_from_user_id is null');
    end if;
    if p_to_user_id is null then
      perform private.raise_error('missing_argument', 'p_to_user_id is null');
    end if;
    if p_idempotency_key is null then
      perform private.raise_error('missing_argument', 'p_idempotency_key is null');
    end if;
    perform private.check_token_amount(p_token_type, p_amount, true);
    if pg_catalog.char_length(p_memo) > 500 then
      perform private.raise_error('invalid_memo');
    end if;
    perform private.raise_error('self_transfer');
  end if;

  -- A time-ordered id (UUID version 7), written out rather than a call of private.new_ledger_id(): a
  -- function with its own search_path is a call of its own on the transfer's hot path.
  v_id := pg_catalog.encode(
    pg_catalog.int8send((pg_catalog.floor(extract(epoch from pg_catalog.clock_timestamp()) * 1000)::bigint << 16) | (28672 + (pg_catalog.random() * 4095)::bigint))
    || pg_catalog.int8send(-9223372036854775808 + (pg_catalog.random() * 4611686018427387000)::bigint), 'hex')::pg_catalog.uuid;
  if p_from_user_id < p_to_user_id then
    v_lo := p_from_user_id;
    v_hi := p_to_user_id;
  else
    v_lo := p_to_user_id;
    v_hi := p_from_user_id;
  end if;

  -- One statement, as before (20261207110200_ledger_entries.sql): the ledger row, both accounts
  -- locked and moved in user id order by one upsert (the sender's only if its available balance
  -- covers the amount), then an entry per account moved.
  with ledger as (
    insert into public.token_transactions (id, kind, token_type, from_user_id, to_user_id, amount, idempotency_key, memo)
    select v_id, 'transfer', t.code, p_from_user_id, p_to_user_id, p_amount, p_idempotency_key, p_memo
    from public.token_types t
    where t.code = p_token_type and t.transferable and p_amount = pg_catalog.round(p_amount, t.decimals)
    on conflict (from_user_id, idempotency_key) do nothing
    returning 1
  ), moved as (
    insert into public.token_balances as b (user_id, token_type, balance, version, updated_at)
    select a.user_id, p_token_type, case when a.user_id = p_to_user_id then p_amount else 0 end,
           case when a.user_id = p_to_user_id then 1 else 0 end, pg_catalog.clock_timestamp()
    from (values (v_lo), (v_hi)) as a (user_id)
    where exists (select from ledger)
    on conflict (user_id, token_type) do update
      set balance = b.balance + case when b.user_id = p_to_user_id then p_amount else -p_amount end,
          version = b.version + 1,
          updated_at = greatest(pg_catalog.clock_timestamp(), b.updated_at)
      where case when b.user_id = p_to_user_id then b.balance + p_amount < 1e20 else b.balance - b.held >= p_amount end
    returning b.user_id, b.balance, b.held, b.version, b.updated_at
  )
  insert into public.token_entries (user_id, token_type, version, transaction_id, amount, balance_after, held_after, created_at)
  select m.user_id, p_token_type, m.version, v_id, case when m.user_id = p_to_user_id then p_amount else -p_amount end, m.balance, m.held, m.updated_at
  from moved m
  where m.version > 0;
  get diagnostics v_moved = row_count;
  if v_moved = 2 then
    return v_id;
  end if;

  -- Refused somewhere: say why. Raising undoes whatever the statement did.
  perform private.check_token_amount(p_token_type, p_amount, true);
  if not exists (select from public.token_transactions t where t.id = v_id) then
    return private.replay_or_refuse(p_idempotency_key, 'transfer', p_token_type, p_from_user_id, p_to_user_id, p_amount, p_memo);
  end if;
  -- Whether the sender's account moved in this statement: its latest entry is this transaction's.
  select b.balance - b.held, b.version into v_available, v_version
  from public.token_balances b where b.user_id = p_from_user_id and b.token_type = p_token_type;
  if not exists (
    select from public.token_entries e
    where e.user_id = p_from_user_id and e.token_type = p_token_type and e.version = v_version and e.transaction_id = v_id
  ) then
    perform private.raise_error('insufficient_balance',
      pg_catalog.format('available %s, requested %s', pg_catalog.trim_scale(coalesce(v_available, 0)), pg_catalog.trim_scale(p_amount)));
  end if;
  perform private.raise_error('balance_limit_exceeded');
  return null;
end
$$;

create or replace function private.transfer_tokens_batch(p_transfers jsonb, p_idempotency_key uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_role pg_catalog.text := pg_catalog.current_setting('role');
  v_service boolean;
  v_scope pg_catalog.uuid;
  v_count integer;
  v_items pg_catalog.jsonb;
  v_fingerprint pg_catalog.text;
  v_index integer := -1;
  v_batch_id pg_catalog.uuid;
  v_net pg_catalog.jsonb := '{}';
  v_key pg_catalog.text;
  v_available numeric;
  v_ids pg_catalog.uuid[] := '{}';
  v_item pg_catalog.record;
  v_state pg_catalog.text;
  v_message pg_catalog.text;
  v_detail pg_catalog.text;
  v_hint pg_catalog.text;
begin
  -- The caller's scope: the service role and superusers act for anyone, a signed-in user for themselves.
  v_service := v_role = 'service_role' or pg_catalog.current_setting('is_superuser') = 'on' or private.request_is_privileged();
  if not v_service then
    v_scope := private.request_user_id();
    if v_scope is null then
      perform private.raise_error('not_authenticated');
    end if;
  end if;
  if p_idempotency_key is null then
    perform private.raise_error('missing_argument', 'p_idempotency_key is null');
  end if;
  if p_transfers is null or pg_catalog.jsonb_typeof(p_transfers) <> 'array' then
    perform private.raise_error('invalid_batch', 'p_transfers is not a JSON array');
  end if;
  v_count := pg_catalog.jsonb_array_length(p_transfers);
  if v_count < 1 or v_count > 100 then
    perform private.raise_error('invalid_batch', pg_catalog.format('%s transfers; a batch has 1 to 100', v_count));
  end if;
  if exists (
    select from pg_catalog.jsonb_array_elements(p_transfers) e (item)
    where pg_catalog.jsonb_typeof(e.item) <> 'object'
       or exists (
         select from pg_catalog.jsonb_each(e.item) f (name, value)
         where case f.name
           when 'amount' then pg_catalog.jsonb_typeof(f.value) not in ('string', 'number')
           when 'from' then pg_catalog.jsonb_typeof(f.value) not in ('string', 'null')
           when 'memo' then pg_catalog.jsonb_typeof(f.value) not in ('string', 'null')
           when 'to' then pg_catalog.jsonb_typeof(f.value) <> 'string'
           when 'token_type' then pg_catalog.jsonb_typeof(f.value) <> 'string'
           else true
         end
       )
  ) then
    perform private.raise_error('invalid_batch', 'each transfer is an object of from, to, token_type and memo (strings) and amount (a string or a number) only');
  end if;

  -- The transfers as typed values; a user's batch sends from the user (a `from` of someone else is
  -- refused by the transfer's own caller check, attributed to its item).
  begin
    select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
             'from', coalesce((e.item ->> 'from')::pg_catalog.uuid, v_scope),
             'to', (e.item ->> 'to')::pg_catalog.uuid,
             'token_type', e.item ->> 'token_type',
             'amount', pg_catalog.trim_scale((e.item ->> 'amount')::numeric),
             'memo', e.item ->> 'memo') order by e.n)
    into v_items
    from pg_catalog.jsonb_array_elements(p_transfers) with ordinality e (item, n);
  exception when invalid_text_representation or numeric_value_out_of_range then
    perform private.raise_error('invalid_batch', sqlerrm);
  end;
  v_fingerprint := pg_catalog.md5(v_items::pg_catalog.text);

  begin
    -- The key first: a second request with it waits here for the first, then replays or is refused.
    insert into public.token_batches (idempotency_key, created_by, fingerprint, transfer_count)
    values (p_idempotency_key, v_scope, v_fingerprint, v_count)
    on conflict (created_by, idempotency_key) do nothing
    returning id into v_batch_id;
    if v_batch_id is null then
      select b.id into v_batch_id from public.token_batches b
      where b.idempotency_key = p_idempotency_key and b.created_by is not distinct from v_scope and b.fingerprint = v_fingerprint;
      if v_batch_id is null then
        perform private.raise_error('idempotency_conflict', 'this key was used for a different batch');
      end if;
      select pg_catalog.array_agg(t.id order by i.n) into v_ids
      from pg_catalog.jsonb_array_elements(v_items) with ordinality i (item, n)
      join public.token_transactions t
        on t.from_user_id = (i.item ->> 'from')::pg_catalog.uuid
       and t.idempotency_key = private.batch_transfer_key(v_batch_id, (i.n - 1)::integer);
      return private.batch_reply(v_ids, true);
    end if;

    -- Each transfer's checks, in order, before any lock, as if the transfers before it had applied:
    -- an unknown party or token type, a bad amount or memo, a transfer to oneself, or a sender whose
    -- available balance (read without a lock, with the batch's movements so far) does not cover it
    -- is reported as that transfer's error, and a caller who cannot pay locks nothing. The locked
    -- checks of each transfer below stay the ones that count.
    for v_item in
      select (i.n - 1)::integer as index, (i.item ->> 'from')::pg_catalog.uuid as from_user_id, (i.item ->> 'to')::pg_catalog.uuid as to_user_id,
             i.item ->> 'token_type' as token_type, (i.item ->> 'amount')::numeric as amount, i.item ->> 'memo' as memo
      from pg_catalog.jsonb_array_elements(v_items) with ordinality i (item, n)
      order by i.n
    loop
      v_index := v_item.index;
      if not v_service and v_item.from_user_id is distinct from v_scope then
        perform private.raise_error('permission_denied', 'a user''s batch sends from the user only');
      end if;
      if v_service and v_item.from_user_id is null then
        perform private.raise_error('missing_argument', 'from is null');
      end if;
      perform private.check_token_amount(v_item.token_type, v_item.amount, true);
      if pg_catalog.char_length(v_item.memo) > 500 then
        perform private.raise_error('invalid_memo');
      end if;
      if v_item.to_user_id is null then
        perform private.raise_error('missing_argument', 'to is null');
      end if;
      if not exists (select from public.users u where u.id = v_item.to_user_id) then
        perform private.raise_error('unknown_user', 'to does not name an existing user');
      end if;
      if not exists (select from public.users u where u.id = v_item.from_user_id) then
        perform private.raise_error('unknown_user', 'from does not name an existing user');
      end if;
      if v_item.to_user_id = v_item.from_user_id then
        perform private.raise_error('self_transfer');
      end if;
      -- The sender's available balance after the batch's transfers so far (credits included).
      v_key := v_item.from_user_id::pg_catalog.text || ' ' || v_item.token_type;
      v_available := private.spendable_balance(v_item.from_user_id, v_item.token_type)
        + coalesce((v_net ->> v_key)::numeric, 0);
      if v_available < v_item.amount then
        perform private.raise_error('insufficient_balance',
          pg_catalog.format('available %s, requested %s', pg_catalog.trim_scale(v_available), pg_catalog.trim_scale(v_item.amount)));
      end if;
      v_net := v_net || pg_catalog.jsonb_build_object(v_key, coalesce((v_net ->> v_key)::numeric, 0) - v_item.amount,
        v_item.to_user_id::pg_catalog.text || ' ' || v_item.token_type, coalesce((v_net ->> (v_item.to_user_id::pg_catalog.text || ' ' || v_item.token_type))::numeric, 0) + v_item.amount);
    end loop;
    v_index := -1;

    -- Every account of the batch locked in one global order, an account that does not exist yet
    -- created (version 0) in the same pass, so that no transfer below locks anything out of that
    -- order. The update that never applies still locks the row.
    insert into public.token_balances as b (user_id, token_type, balance, version, updated_at)
    select a.user_id, a.token_type, 0, 0, pg_catalog.clock_timestamp()
    from (
      select distinct s.user_id, s.token_type
      from pg_catalog.jsonb_array_elements(v_items) i (item)
      cross join lateral (values ((i.item ->> 'from')::pg_catalog.uuid, i.item ->> 'token_type'), ((i.item ->> 'to')::pg_catalog.uuid, i.item ->> 'token_type')) s (user_id, token_type)
      where s.user_id is not null
    ) a
    order by a.user_id, a.token_type
    on conflict (user_id, token_type) do update set version = b.version where false;

    for v_item in
      select (i.n - 1)::integer as index, (i.item ->> 'from')::pg_catalog.uuid as from_user_id, (i.item ->> 'to')::pg_catalog.uuid as to_user_id,
             i.item ->> 'token_type' as token_type, (i.item ->> 'amount')::numeric as amount, i.item ->> 'memo' as memo
      from pg_catalog.jsonb_array_elements(v_items) with ordinality i (item, n)
      order by i.n
    loop
      v_index := v_item.index;
      v_ids := v_ids || private.transfer_tokens(v_item.from_user_id, v_item.to_user_id, v_item.token_type, v_item.amount,
        private.batch_transfer_key(v_batch_id, v_item.index), v_item.memo);
    end loop;
  exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    -- Only the documented refusals are an item's result; anything else (a deadlock, a timeout, a
    -- key conflict) is raised, and the batch may be retried whole.
    if v_index < 0 or not exists (select from private.error_codes c where c.sqlstate = v_state) then
      raise;
    end if;
    return pg_catalog.jsonb_build_object('applied', false, 'failed_index', v_index,
      'error', pg_catalog.jsonb_build_object('code', v_state, 'message', v_message, 'details', v_detail, 'hint', v_hint));
  end;
  return private.batch_reply(v_ids, false);
end
$$;

create or replace function private.update_consent_status(p_consent_id uuid, p_status text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_owner pg_catalog.uuid;
  v_current public.consent_status;
  v_next public.consent_status;
  v_uid pg_catalog.uuid;
begin
  if p_consent_id is null then
    perform private.raise_error('missing_argument', 'p_consent_id is null');
  end if;
  if p_status is null then
    perform private.raise_error('missing_argument', 'p_status is null');
  end if;
  if not private.request_is_privileged() then
    v_uid := private.request_user_id();
    if v_uid is null then
      perform private.raise_error('not_authenticated');
    end if;
  end if;
  if not p_status = any (pg_catalog.enum_range(null::public.consent_status)::pg_catalog.text[]) then
    perform private.raise_error('invalid_status');
  end if;
  v_next := p_status::public.consent_status;

  select c.user_id, c.status into v_owner, v_current
  from public.user_consent c
  where c.id = p_consent_id
  for update;
  -- Someone else's record is reported exactly like a missing one: ids are not an oracle.
  if not found or (v_uid is not null and v_owner <> v_uid) then
    perform private.raise_error('consent_not_found');
  end if;
  if not exists (
    select from public.consent_status_transitions t
    where t.from_status = v_current and t.to_status = v_next
  ) then
    perform private.raise_error('invalid_transition', pg_catalog.format('%s -> %s', v_current, v_next));
  end if;

  update public.user_consent set status = v_next where id = p_consent_id;
end
$$;
