-- The private schema: SECURITY DEFINER bodies, trigger functions and helpers live here because
-- PostgREST does not expose it. The API roles may use the schema, but only the functions granted to
-- them one by one (functions are executable by PUBLIC unless revoked, so each one revokes).

create schema if not exists private;
comment on schema private is 'Not exposed through the API: privileged function bodies, triggers, helpers and internal views.';

revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;
