/**
 * The SQL behind `avolve-db inspect`, one constant per report, modelled on what `supabase inspect db`
 * reports (supabase/cli internal/inspect) and written for this tool. Each is read-only and works for
 * a non-superuser (other sessions' query text then reads as `<insufficient privilege>`).
 *
 * Sizes come from pg_table_size/pg_relation_size, which take a lock on the relation: they are
 * skipped (null) for a relation another session holds or awaits an ACCESS EXCLUSIVE lock on, so the
 * report never queues behind the very lock problem it is meant to show.
 *
 * Parameters: the per-relation reports take `$1`, the LIKE patterns of the schemas to leave out
 * ({@link IGNORED_SCHEMA_PATTERNS}); the long-running query report takes `$1`, the threshold in
 * seconds; the server-wide reports (connections, blocking, locks) take none.
 */

/** Schemas of PostgreSQL, Supabase's services and common extensions: not the application's tables. */
export const IGNORED_SCHEMAS: readonly string[] = [
  'information_schema',
  'pg_*',
  'auth',
  'storage',
  'realtime',
  '_realtime',
  '_analytics',
  '_supavisor',
  'extensions',
  'graphql',
  'graphql_public',
  'net',
  'pgbouncer',
  'pgsodium',
  'pgsodium_masks',
  'supabase_functions',
  'vault',
  'cron',
  'pgmq',
  'pgtle',
  'repack',
  'etl',
  'dbdev',
  'tiger',
  'tiger_data',
  'topology',
  'timescaledb_*',
  '_timescaledb_*',
]

/** {@link IGNORED_SCHEMAS} as LIKE patterns (`_` escaped, `*` a wildcard), the value of `$1`. */
export const IGNORED_SCHEMA_PATTERNS: readonly string[] = IGNORED_SCHEMAS.map((s) => s.replace(/_/g, '\\_').replace(/\*/g, '%'))

// Relations another session holds or waits for an ACCESS EXCLUSIVE lock on in this database.
const BUSY_RELATIONS = `busy as (
  select l.relation
  from pg_catalog.pg_locks l
  where l.locktype = 'relation' and l.mode = 'AccessExclusiveLock' and l.pid is distinct from pg_catalog.pg_backend_pid()
    and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database())
)`

/** The name of a lock's object: `schema.table` for a relation of this database, else what it is. */
const LOCK_TARGET = `case
    when l.locktype = 'relation' then coalesce(
      (select pg_catalog.format('%I.%I', n.nspname, c.relname) from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
       where c.oid = l.relation and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database())),
      'relation ' || l.relation::text)
    when l.locktype = 'transactionid' then 'transaction ' || l.transactionid::text
    when l.locktype = 'virtualxid' then 'virtual transaction ' || l.virtualxid
    else l.locktype
  end`

/** Share of block reads served from shared buffers, for tables and for indexes (healthy: ≥ 0.99). */
export const CACHE_HIT_SQL = `
with tables as (
  select sum(s.heap_blks_hit) as hits, sum(s.heap_blks_read) as reads
  from pg_catalog.pg_statio_user_tables s where not (s.schemaname like any($1))
), indexes as (
  select sum(s.idx_blks_hit) as hits, sum(s.idx_blks_read) as reads
  from pg_catalog.pg_statio_user_indexes s where not (s.schemaname like any($1))
)
select 'tables' as name, round(hits / nullif(hits + reads, 0), 4)::float8 as ratio,
       coalesce(hits, 0)::int8 as hits, coalesce(reads, 0)::int8 as reads
from tables
union all
select 'indexes', round(hits / nullif(hits + reads, 0), 4)::float8, coalesce(hits, 0)::int8, coalesce(reads, 0)::int8
from indexes`

/** Per table: how often the planner used an index rather than a sequential scan. */
export const INDEX_USAGE_SQL = `
select pg_catalog.format('%I.%I', s.schemaname, s.relname) as "table",
       coalesce(s.idx_scan, 0)::int8 as index_scans,
       coalesce(s.seq_scan, 0)::int8 as seq_scans,
       case when coalesce(s.idx_scan, 0) + coalesce(s.seq_scan, 0) = 0 then null
            else round(100.0 * coalesce(s.idx_scan, 0) / (coalesce(s.idx_scan, 0) + coalesce(s.seq_scan, 0)), 1)::float8
       end as index_use_percent,
       s.n_live_tup::int8 as estimated_rows
from pg_catalog.pg_stat_user_tables s
where not (s.schemaname like any($1))
order by s.n_live_tup desc, 1`

/**
 * Indexes that enforce nothing (not unique, primary or a constraint's) and were scanned fewer than
 * 50 times since the statistics were reset: candidates to drop, since every write maintains them.
 */
export const UNUSED_INDEXES_SQL = `
with ${BUSY_RELATIONS}
select pg_catalog.format('%I.%I', s.schemaname, s.relname) as "table",
       pg_catalog.format('%I', s.indexrelname) as "index",
       s.idx_scan::int8 as index_scans,
       pg_catalog.pg_size_pretty(z.bytes) as size,
       z.bytes as size_bytes
from pg_catalog.pg_stat_user_indexes s
join pg_catalog.pg_index i on i.indexrelid = s.indexrelid
cross join lateral (
  select case when exists (select from busy b where b.relation in (s.indexrelid, s.relid)) then null
              else pg_catalog.pg_relation_size(s.indexrelid) end::int8 as bytes
) z
where not i.indisunique and not i.indisprimary
  and not exists (select from pg_catalog.pg_constraint k where k.conindid = s.indexrelid)
  and s.idx_scan < 50
  and not (s.schemaname like any($1))
order by z.bytes desc nulls last, 1, 2`

/** Tables (and materialized views) by total size: the heap with its TOAST, and the indexes. */
export const TABLE_SIZES_SQL = `
with ${BUSY_RELATIONS}
select pg_catalog.format('%I.%I', n.nspname, c.relname) as "table",
       coalesce(s.n_live_tup, greatest(c.reltuples, 0))::int8 as estimated_rows,
       pg_catalog.pg_size_pretty(z.table_bytes) as table_size,
       pg_catalog.pg_size_pretty(z.index_bytes) as index_size,
       pg_catalog.pg_size_pretty(z.table_bytes + z.index_bytes) as total_size,
       z.table_bytes, z.index_bytes, (z.table_bytes + z.index_bytes) as total_bytes
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
left join pg_catalog.pg_stat_all_tables s on s.relid = c.oid
cross join lateral (
  select exists (
    select from busy b
    where b.relation = c.oid or b.relation = c.reltoastrelid
       or b.relation in (select i.indexrelid from pg_catalog.pg_index i where i.indrelid = c.oid)
  ) as locked
) g
cross join lateral (
  select case when g.locked then null else pg_catalog.pg_table_size(c.oid) end::int8 as table_bytes,
         case when g.locked then null else pg_catalog.pg_indexes_size(c.oid) end::int8 as index_bytes
) z
where c.relkind in ('r', 'm') and not (n.nspname like any($1))
order by total_bytes desc nulls last, 1`

/** Every index by size, with how often it was scanned. */
export const INDEX_SIZES_SQL = `
with ${BUSY_RELATIONS}
select pg_catalog.format('%I.%I', n.nspname, t.relname) as "table",
       pg_catalog.format('%I', c.relname) as "index",
       pg_catalog.pg_size_pretty(z.bytes) as size,
       coalesce(s.idx_scan, 0)::int8 as index_scans,
       z.bytes as size_bytes
from pg_catalog.pg_index i
join pg_catalog.pg_class c on c.oid = i.indexrelid
join pg_catalog.pg_class t on t.oid = i.indrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
left join pg_catalog.pg_stat_all_indexes s on s.indexrelid = i.indexrelid
cross join lateral (
  select case when exists (select from busy b where b.relation in (i.indexrelid, i.indrelid)) then null
              else pg_catalog.pg_relation_size(i.indexrelid) end::int8 as bytes
) z
where not (n.nspname like any($1))
order by z.bytes desc nulls last, 1, 2`

/**
 * Estimated bloat, the classic estimate that pg-extras and `supabase inspect db bloat` use: from
 * the column statistics (pg_stats: average width, null fraction) it computes how many pages the
 * live rows need, and compares that with the pages the relation has (pg_class.relpages). `bloat` is
 * the ratio (1.0 = none), `waste` the bytes beyond the estimate. Only as good as the last ANALYZE,
 * and rough for indexes (it assumes an index holds the whole row's width); tables never analyzed
 * are absent. Reads no relation, so it takes no locks.
 */
export const BLOAT_SQL = `
with constants as (
  -- block size; a heap tuple header of 23 bytes; 8-byte alignment (64-bit builds)
  select current_setting('block_size')::numeric as block_size, 23 as tuple_header, 8 as align
), columns as (
  select s.schemaname, s.tablename,
         sum((1 - s.null_frac::numeric) * s.avg_width) as data_width,
         max(s.null_frac)::numeric as max_null_frac,
         count(*) filter (where s.null_frac <> 0) as nullable_columns
  from pg_catalog.pg_stats s
  where not (s.schemaname like any($1))
  group by s.schemaname, s.tablename
), row_size as (
  select c.schemaname, c.tablename, k.block_size, k.align,
         -- the data plus the header, aligned
         c.data_width + ceil(k.tuple_header::numeric / k.align) * k.align as data_and_header,
         -- the null bitmap, counted in proportion to how often a row has a null
         c.max_null_frac * ceil((k.tuple_header + 1 + c.nullable_columns / 8)::numeric / k.align) * k.align as null_bitmap
  from columns c cross join constants k
), tables as (
  select r.*, cl.oid as relid, cl.relpages::numeric as pages,
         -- expected pages: rows × (aligned row + null bitmap + 4-byte line pointer) / usable page bytes
         ceil(cl.reltuples::numeric * (ceil(r.data_and_header / r.align) * r.align + r.null_bitmap + 4) / (r.block_size - 20)) as expected_pages
  from row_size r
  join pg_catalog.pg_namespace ns on ns.nspname = r.schemaname
  join pg_catalog.pg_class cl on cl.relnamespace = ns.oid and cl.relname = r.tablename and cl.relkind in ('r', 'm')
  where cl.reltuples >= 0
), estimates as (
  select 'table' as type, pg_catalog.format('%I.%I', t.schemaname, t.tablename) as name,
         t.pages, t.expected_pages, t.block_size
  from tables t
  union all
  select 'index', pg_catalog.format('%I.%I::%I', t.schemaname, t.tablename, ic.relname),
         ic.relpages::numeric,
         -- rough: index entries sized like the row minus the heap tuple header's extra bytes
         ceil(greatest(ic.reltuples, 0)::numeric * (t.data_and_header - 12) / (t.block_size - 20)),
         t.block_size
  from tables t
  join pg_catalog.pg_index i on i.indrelid = t.relid
  join pg_catalog.pg_class ic on ic.oid = i.indexrelid
)
select e.type, e.name,
       case when e.expected_pages > 0 and e.pages > 0 then round(e.pages / e.expected_pages, 1) else 0 end::float8 as bloat,
       pg_catalog.pg_size_pretty(greatest(e.pages - e.expected_pages, 0) * e.block_size) as waste,
       (greatest(e.pages - e.expected_pages, 0) * e.block_size)::int8 as waste_bytes
from estimates e
order by waste_bytes desc, bloat desc, e.name`

/** Client connections in use against max_connections (less the slots reserved for superusers). */
export const CONNECTIONS_SQL = `
with settings as (
  select current_setting('max_connections')::int as max_connections,
         current_setting('superuser_reserved_connections')::int
           + coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0) as reserved
), clients as (
  select count(*) as used,
         count(*) filter (where a.state = 'active') as active,
         count(*) filter (where a.state = 'idle') as idle,
         count(*) filter (where a.state in ('idle in transaction', 'idle in transaction (aborted)')) as idle_in_transaction
  from pg_catalog.pg_stat_activity a
  where a.backend_type = 'client backend'
)
select c.used::int as used, s.max_connections, s.reserved,
       (s.max_connections - s.reserved - c.used)::int as available,
       round(100.0 * c.used / s.max_connections, 1)::float8 as percent_used,
       c.active::int as active, c.idle::int as idle, c.idle_in_transaction::int as idle_in_transaction
from clients c cross join settings s`

/** Statements (or open transactions' last statements) running longer than `$1` seconds. */
export const LONG_RUNNING_QUERIES_SQL = `
select a.pid, a.usename as "user", a.datname as database, a.state,
       date_trunc('second', now() - a.query_start)::text as duration,
       round(extract(epoch from now() - a.query_start), 1)::float8 as seconds,
       a.query
from pg_catalog.pg_stat_activity a
where a.backend_type = 'client backend'
  and a.pid <> pg_catalog.pg_backend_pid()
  and a.state is distinct from 'idle'
  and a.query_start is not null
  and now() - a.query_start > make_interval(secs => $1::float8)
order by a.query_start`

/** Who waits for a lock, and which session (by pid) holds or is ahead in line for it. */
export const BLOCKING_SQL = `
select w.pid as blocked_pid, w.usename as blocked_user,
       date_trunc('second', now() - w.query_start)::text as blocked_for,
       wl.target as waiting_for,
       w.query as blocked_query,
       b.pid as blocking_pid, b.usename as blocking_user, b.state as blocking_state,
       date_trunc('second', now() - coalesce(b.xact_start, b.query_start))::text as blocking_transaction_age,
       b.query as blocking_query
from pg_catalog.pg_stat_activity w
cross join lateral unnest(pg_catalog.pg_blocking_pids(w.pid)) as blocker(pid)
join pg_catalog.pg_stat_activity b on b.pid = blocker.pid
left join lateral (
  select l.mode || ' on ' || ${LOCK_TARGET} as target
  from pg_catalog.pg_locks l where l.pid = w.pid and not l.granted limit 1
) wl on true
where w.wait_event_type = 'Lock'
order by w.query_start, w.pid, b.pid`

/**
 * Locks worth seeing: the strong relation locks (SHARE UPDATE EXCLUSIVE and up, which block writes
 * or DDL) held in this database, and every lock still waited for.
 */
export const LOCKS_SQL = `
select l.pid, a.usename as "user", l.locktype as lock_type, ${LOCK_TARGET} as target, l.mode, l.granted,
       date_trunc('second', now() - case when l.granted then coalesce(a.xact_start, a.query_start) else l.waitstart end)::text as age,
       a.query
from pg_catalog.pg_locks l
left join pg_catalog.pg_stat_activity a on a.pid = l.pid
where l.pid is distinct from pg_catalog.pg_backend_pid()
  and (
    not l.granted
    or (l.locktype = 'relation'
        and l.mode in ('ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
        and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database()))
  )
order by l.granted, coalesce(l.waitstart, a.xact_start, a.query_start) nulls last, l.pid`
