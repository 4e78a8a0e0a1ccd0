import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateAppFiles, generateFiles } from '../../codegen/generate.js'
import { applyMigrations, listMigrations, packageRoot } from '../../src/tooling/migrations.js'
import { asNarrowing, compareDatabaseTypes, officialDatabaseType, type Narrowing, type TypeDifference } from '../support/database-type-diff.js'
import { createTestDatabase, type TestDatabase } from '../support/test-database.js'

/**
 * The deliberate differences between this package's supabase-js `Database` type and what Supabase's
 * own generator (`supabase gen types typescript`, npm `supabase`) makes of the same database. Each
 * is in the README ("The supabase-js Database type"); any other difference fails this file.
 */
const VOCABULARIES = ['InteractionType', 'TokenCode', 'TokenTier']
const ROWS = ['Row', 'Insert', 'Update']
const columns = (table: string, column: string, to: string): Narrowing[] => ROWS.map((part) => ({ path: `Database.public.Tables.${table}.${part}.${column}`, to }))
const CONSENT_STATUS = 'Database["public"]["Enums"]["consent_status"]'
const ALLOWED_NARROWINGS: Narrowing[] = [
  // Lookup keys and the columns with a foreign key to them: the union of the lookup's keys.
  ...columns('consent_interaction_types', 'code', 'InteractionType'),
  ...columns('user_consent', 'interaction_type', 'InteractionType'),
  ...columns('token_types', 'code', 'TokenCode'),
  ...columns('token_types', 'parent_code', 'TokenCode'),
  ...columns('token_balances', 'token_type', 'TokenCode'),
  ...columns('token_holds', 'token_type', 'TokenCode'),
  ...columns('token_transactions', 'token_type', 'TokenCode'),
  // The ledger's token_type columns, kept valid without a foreign key (codegen/config.ts, lookupKeyColumns).
  ...columns('token_entries', 'token_type', 'TokenCode'),
  // A column whose check constraint lists its values.
  ...columns('token_types', 'tier', 'TokenTier'),
  // RPC arguments that take those columns' values (codegen/config.ts, rpcArgumentColumns).
  { path: 'Database.public.Functions.record_consent.Args.p_interaction_type', to: 'InteractionType' },
  { path: 'Database.public.Functions.update_consent_status.Args.p_status', to: CONSENT_STATUS },
  { path: 'Database.public.Functions.transfer_tokens.Args.p_token_type', to: 'TokenCode' },
  { path: 'Database.public.Functions.mint_tokens.Args.p_token_type', to: 'TokenCode' },
  { path: 'Database.public.Functions.hold_tokens.Args.p_token_type', to: 'TokenCode' },
]
/** Declarations the package's own database.ts adds (the official file has no such export). */
const ALLOWED_ADDITIONS = ['PublicSchema']

const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path)
const describeAll = (diffs: TypeDifference[]) => diffs.map((d) => `${d.path}\n    ours:     ${d.ours}\n    official: ${d.official}`).join('\n')

describe('the supabase-js Database type against the official generator (supabase gen types typescript)', () => {
  let db: TestDatabase & { drop(): Promise<void> }
  beforeAll(async () => {
    db = await createTestDatabase()
  })
  afterAll(async () => {
    await db?.drop()
  })

  it("differs from it only by the documented narrowings, on this package's migrated database", async () => {
    const [files, official] = await Promise.all([generateFiles(db.adminUrl, []), officialDatabaseType(db.adminUrl)])
    const ours = files.find((f) => f.name === 'database.ts')!.content
    const diffs = compareDatabaseTypes(ours, official)
    const additions = diffs.filter((d) => d.official === undefined && ALLOWED_ADDITIONS.includes(d.path))
    const rest = diffs.filter((d) => !additions.includes(d))
    const undocumented = rest.filter((d) => !asNarrowing(d, VOCABULARIES))
    expect(describeAll(undocumented)).toBe('')
    expect(rest.map((d) => asNarrowing(d, VOCABULARIES)!).sort(byPath)).toEqual([...ALLOWED_NARROWINGS].sort(byPath))
    // What the issue found wrong, now as the official generator has it:
    expect(ours).toMatch(/balance: number\n/)
    expect(ours).toMatch(/refresh_user_stats: \{\n\s+Args: Record<PropertyKey, never>/)
  })

  it("covers an app's own tables, views and functions next to ours (test/app/fixture), narrowing only by the package's vocabularies", async () => {
    const appDb = await createTestDatabase()
    try {
      const appMigrations = listMigrations(join(packageRoot(), 'test', 'app', 'fixture', 'supabase', 'migrations'))
      const client = new pg.Client({ connectionString: appDb.adminUrl })
      await client.connect()
      try {
        await applyMigrations(client, appMigrations)
      } finally {
        await client.end()
      }
      const [files, official] = await Promise.all([generateAppFiles(appDb.adminUrl, { package: [], app: appMigrations, appDir: 'supabase/migrations' }), officialDatabaseType(appDb.adminUrl)])
      const ours = files.find((f) => f.name === 'database.ts')!.content
      expect(ours).toContain("from '@avolve/db'")
      const diffs = compareDatabaseTypes(ours, official)
      expect(describeAll(diffs.filter((d) => !asNarrowing(d, VOCABULARIES)))).toBe('')
      const narrowed = diffs.map((d) => asNarrowing(d, VOCABULARIES)!)
      // The package's own narrowings hold in the app's type too; the app's columns that reference a
      // lookup (token_types.code) are TokenCode, through its view as well.
      expect(narrowed).toEqual(expect.arrayContaining(ALLOWED_NARROWINGS))
      expect(narrowed.filter((n) => !ALLOWED_NARROWINGS.some((a) => a.path === n.path)).sort(byPath)).toEqual(
        [
          ...columns('app_rewards', 'token_type', 'TokenCode'),
          ...columns('app_profiles', 'favourite_token', 'TokenCode'),
          ...ROWS.map((part) => ({ path: `Database.public.Views.app_granted_rewards.${part}.token_type`, to: 'TokenCode' })),
        ].sort(byPath),
      )
    } finally {
      await appDb.drop()
    }
  })
})
