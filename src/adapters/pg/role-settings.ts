import { CompiledQuery } from 'kysely'
import type { QueryRunner } from './connection-source.js'
import { serverRoles, type ServerRole } from './request-identity.js'

/** One role setting, as `alter role … set name = value` stored it. */
export type RoleSetting = readonly [name: string, value: string]

/**
 * The API roles' own settings (`alter role authenticated set statement_timeout = '8s'`), for the
 * database the connection is on: a database-specific setting wins over the role's all-databases one,
 * as at a login. Kept are those PostgREST keeps, the ones the login role may set
 * (`context = 'user'`, or a `grant set on parameter`), except:
 * - a setting the connection itself was given (its connection string's `options`, or a session-level
 *   `set`): PostgreSQL ranks those above role settings at a login too, and the app asked for it;
 * - `role` and `session_authorization`: who the request runs as is the SDK's to say;
 * - `default_transaction_*` and `transaction_*`: the transaction has begun, they can no longer
 *   change it (PostgREST turns a role's isolation level into its `begin`; the SDK does not).
 */
const ROLE_SETTINGS = (canBeGranted: boolean) => `
  with setting as (
    select r.rolname, s.setdatabase, unnest(s.setconfig) as entry
    from pg_catalog.pg_db_role_setting s
    join pg_catalog.pg_roles r on r.oid = s.setrole
    where r.rolname = any($1::text[])
      and s.setdatabase in (0, (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database()))
  ), named as (
    select rolname, setdatabase,
           pg_catalog.lower(pg_catalog.substr(entry, 1, pg_catalog.strpos(entry, '=') - 1)) as name,
           pg_catalog.substr(entry, pg_catalog.strpos(entry, '=') + 1) as value
    from setting
  )
  select distinct on (n.rolname, n.name) n.rolname as role, n.name, n.value
  from named n
  join pg_catalog.pg_settings p on pg_catalog.lower(p.name) = n.name
  where (p.context = 'user'${canBeGranted ? ` or pg_catalog.has_parameter_privilege(current_user, p.name, 'set')` : ''})
    and p.source not in ('client', 'session')
    and n.name not in ('role', 'session_authorization')
    and n.name not like 'default\\_transaction\\_%'
    and n.name not like 'transaction\\_%'
  order by n.rolname, n.name, n.setdatabase desc`

/** SQLSTATE undefined_function: has_parameter_privilege is PostgreSQL 15's. */
const UNDEFINED_FUNCTION = '42883'

/**
 * The API roles' settings, read once per SDK (on the first unit of work's connection, one round trip)
 * and kept: PostgREST applies the impersonated role's settings to every request, so Supabase's
 * `statement_timeout` of 8 s for `authenticated` and 3 s for `anon` hold for the server SDK too, also
 * over a login role that has no timeout of its own. Like PostgREST's (until `reload config`), the copy
 * is not refreshed: a changed setting applies from the next `createAvolveDb`.
 *
 * @example
 * const settings = new RoleSettings()
 * const timeouts = await settings.of('authenticated', connection) // [['statement_timeout', '8s']]
 */
export class RoleSettings {
  private reading: Promise<ReadonlyMap<string, readonly RoleSetting[]>> | undefined

  /** @param byRole the settings already known (`new Map()`: none to apply); read on first use when left out */
  constructor(private byRole?: ReadonlyMap<string, readonly RoleSetting[]>) {}

  /** The settings of `role` once they have been read (the same array every time), else `undefined`. */
  known(role: ServerRole): readonly RoleSetting[] | undefined {
    return this.byRole && (this.byRole.get(role) ?? NONE)
  }

  /** The settings of `role`, read on `connection` unless they have been read already. */
  async of(role: ServerRole, connection: QueryRunner): Promise<readonly RoleSetting[]> {
    if (!this.byRole) {
      // Concurrent first units share one read; a failed read is tried again by the next unit.
      this.reading ??= read(connection).then(
        (byRole) => (this.byRole = byRole),
        (error: unknown) => {
          this.reading = undefined
          throw error
        },
      )
      await this.reading
    }
    return this.known(role)!
  }
}

const NONE: readonly RoleSetting[] = Object.freeze([])

async function read(connection: QueryRunner): Promise<ReadonlyMap<string, readonly RoleSetting[]>> {
  const query = (canBeGranted: boolean) => connection.executeQuery<{ role: string; name: string; value: string }>(CompiledQuery.raw(ROLE_SETTINGS(canBeGranted), [serverRoles]))
  const { rows } = await query(true).catch((error: unknown) => {
    if ((error as { code?: unknown })?.code === UNDEFINED_FUNCTION) return query(false)
    throw error
  })
  const byRole = new Map<string, RoleSetting[]>()
  for (const { role, name, value } of rows) byRole.set(role, [...(byRole.get(role) ?? []), [name, value]])
  return byRole
}
