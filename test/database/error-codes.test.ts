import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()

describe('the error list (private.error_codes)', () => {
  it('names every error the functions raise, and the functions raise only through it', async () => {
    const { rows: functions } = await db().admin.query<{ name: string; src: string }>(
      `select n.nspname || '.' || p.proname as name, p.prosrc as src
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname in ('public', 'private')`,
    )
    const { rows: triggerArgs } = await db().admin.query<{ arg: string }>(
      `select encode(t.tgargs, 'escape') as arg from pg_trigger t join pg_proc p on p.oid = t.tgfoid
       where p.proname = 'refuse_mutation' and not t.tgisinternal`,
    )
    const { rows: listed } = await db().admin.query<{ name: string }>('select name from private.error_codes')
    const listedNames = new Set(listed.map((r) => r.name))

    const raised = new Set<string>()
    for (const f of functions) {
      for (const m of f.src.matchAll(/raise_error\('([a-z_]+)'/g)) raised.add(m[1]!)
      // Raising directly would bypass the list; only the helper itself may.
      if (f.name !== 'private.raise_error') expect(f.src, f.name).not.toMatch(/\braise\s+(exception|sqlstate)/i)
    }
    for (const t of triggerArgs) raised.add(t.arg.replace(/\\000$/, ''))

    expect([...raised].filter((n) => !listedNames.has(n))).toEqual([])
    expect([...listedNames].filter((n) => !raised.has(n))).toEqual([])
  })

  it('uses SQLSTATEs of implementation-defined classes for its own codes, and unique ones', async () => {
    const { rows } = await db().admin.query<{ sqlstate: string }>('select sqlstate from private.error_codes')
    for (const { sqlstate } of rows) expect(sqlstate).toMatch(/^(42501|V[0ACT]\d{3})$/)
  })

  it('refuses an unlisted name, loudly', async () => {
    await expect(db().admin.query(`select private.raise_error('no_such_error')`)).rejects.toMatchObject({ code: 'XX000' })
  })
})
