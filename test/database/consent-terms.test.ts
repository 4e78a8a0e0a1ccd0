import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { termsSchema } from '../../src/schemas/consent.js'
import { applyMigrations, applySupabaseBase, listMigrations } from '../../src/tooling/migrations.js'
import { recordFigure } from '../support/reliability-report.js'
import { createUsers, expectSqlState, queryAs, user } from '../support/requests.js'
import { createTestDatabase, useTestDatabase } from '../support/test-database.js'

const db = useTestDatabase()

const record = (as: string, terms: string[]) => queryAs<{ id: string }>(db().api, user(as), `select public.record_consent($1, 'terms_of_service', $2) as id`, [as, terms])

/** Terms that show nothing, each refused by the SDK and by the database. */
const blankLooking: Array<[string, string]> = [
  ['a tab', '\t'],
  ['a line feed', '\n'],
  ['CR LF', '\r\n'],
  ['a no-break space (U+00A0)', '\u00a0'],
  ['a zero-width space (U+200B)', '\u200b'],
  ['an ideographic space (U+3000)', '\u3000'],
  ['a byte order mark (U+FEFF)', '\ufeff'],
  ['a word joiner (U+2060)', '\u2060'],
  ['a Hangul filler (U+3164)', '\u3164'],
  ['a control character (U+0001)', '\u0001'],
  ['a tag space (U+E0020)', '\u{e0020}'],
  ['a mix of them', ' \t\u200b\u3000\r\n\ufeff '],
]

describe('consent terms that only look blank', () => {
  it.each(blankLooking)('refuses %s through record_consent (VC002), as the SDK does', async (_, term) => {
    const [a] = await createUsers(db().admin, 1)
    expect(termsSchema.safeParse([term]).success).toBe(false)
    await expectSqlState(record(a!, ['tos-v1', term]), 'VC002')
  })

  it.each(blankLooking)('refuses %s in a direct insert, even by the table owner (VC002)', async (_, term) => {
    const [a] = await createUsers(db().admin, 1)
    await expectSqlState(db().admin.query(`insert into public.user_consent (user_id, interaction_type, terms) values ($1, 'terms_of_service', $2)`, [a, [term]]), 'VC002')
  })

  it('accepts a term with one visible character among invisible ones', async () => {
    const [a] = await createUsers(db().admin, 1)
    const terms = ['a\u200b', '\u00a0x\u00a0', '\u3000\u5229\u7528\u898f\u7d04', '\u{1f44d}']
    expect(termsSchema.safeParse(terms).success).toBe(true)
    const [{ id }] = (await record(a!, terms)) as [{ id: string }]
    const { rows } = await db().admin.query('select terms from public.user_consent where id = $1', [id])
    expect(rows).toEqual([{ terms }])
  })

  it('the SDK and the database call the same code points blank, all 1,112,063 of them', async () => {
    const { rows } = await db().admin.query<{ code: number }>(
      `select i as code from generate_series(1, 1114111) i
       where (i < 55296 or i > 57343) and private.term_is_blank(chr(i)) order by 1`,
    )
    const database = rows.map((r) => r.code)

    const sdk: number[] = []
    const codes: number[] = []
    for (let c = 1; c <= 0x10ffff; c++) if (c < 0xd800 || c > 0xdfff) codes.push(c)
    for (let i = 0; i < codes.length; i += 100) {
      const chunk = codes.slice(i, i + 100)
      const parsed = termsSchema.safeParse(chunk.map((c) => String.fromCodePoint(c)))
      if (parsed.success) continue
      for (const issue of parsed.error.issues) sdk.push(chunk[issue.path[0] as number]!)
    }

    const inDatabase = new Set(database)
    const inSdk = new Set(sdk)
    const disagreements = sdk.filter((c) => !inDatabase.has(c)).length + database.filter((c) => !inSdk.has(c)).length
    recordFigure('consent-terms', {
      area: 'hostile input',
      check: 'consent terms that only look blank: the SDK and the database call the same code points blank (every Unicode scalar value as a term)',
      cases: codes.length,
      violations: disagreements,
      command: 'npx vitest run test/database/consent-terms.test.ts',
      notes: `${database.length} code points blank in both (White_Space, Default_Ignorable_Code_Point, Cc); ${blankLooking.length} blank-looking terms each refused with VC002 through record_consent and in a direct insert by the table owner`,
    })
    expect(codes).toHaveLength(1_112_063)
    expect(database.length).toBeGreaterThan(4000)
    expect(sdk).toEqual(database)
  })
})

describe('a record stored before the rule with terms that only look blank', () => {
  it('stays as recorded, and its owner can still withdraw it', async () => {
    const migrations = listMigrations()
    const rule = migrations.findIndex((m) => m.name === 'consent_terms_not_blank')
    expect(rule).toBeGreaterThan(0)
    const old = await createTestDatabase({ empty: true })
    const client = new pg.Client({ connectionString: old.adminUrl })
    await client.connect()
    try {
      await applySupabaseBase(client)
      await applyMigrations(client, migrations.slice(0, rule))
      const [a] = await createUsers(old.admin, 1)
      const { rows } = await client.query<{ id: string }>(`insert into public.user_consent (user_id, interaction_type, terms) values ($1, 'terms_of_service', $2) returning id`, [a, ['\u200b\t']])
      const id = rows[0]!.id
      await applyMigrations(client, migrations.slice(rule))

      await queryAs(old.api, user(a!), 'select public.update_consent_status($1, $2)', [id, 'withdrawn'])
      const after = await client.query('select terms, status from public.user_consent where id = $1', [id])
      expect(after.rows).toEqual([{ terms: ['\u200b\t'], status: 'withdrawn' }])
      // New records with such terms are refused all the same.
      await expectSqlState(client.query(`insert into public.user_consent (user_id, interaction_type, terms) values ($1, 'terms_of_service', $2)`, [a, ['\u200b\t']]), 'VC002')
    } finally {
      await client.end()
      await old.drop()
    }
  })
})
