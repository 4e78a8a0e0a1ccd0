import type { PostgrestVersion } from './version.js'

/**
 * The `Prefer` header as ApiRequest/Preferences.hs reads it (RFC 7240): every Prefer header, split
 * at commas, trimmed; the first value of each kind wins; anything not recognised is kept in `invalid`
 * and only matters with `handling=strict` (PGRST122).
 */
export interface Preferences {
  count?: 'exact' | 'planned' | 'estimated'
  handling?: 'strict' | 'lenient'
  /** Only when it names a time zone PostgreSQL knows (pg_timezone_names); otherwise ignored. */
  timezone?: string
  maxAffected?: number
  /** `params=single-object`: a preference until 12.2, removed in 13. */
  singleObject: boolean
  invalid: string[]
}

const known = (version: PostgrestVersion) => [
  'resolution=merge-duplicates',
  'resolution=ignore-duplicates',
  'return=representation',
  'return=minimal',
  'return=headers-only',
  ...(version === '12.2' ? ['params=single-object'] : []),
  'count=exact',
  'count=planned',
  'count=estimated',
  'tx=commit',
  'tx=rollback',
  'missing=default',
  'missing=null',
  'handling=strict',
  'handling=lenient',
]

/** Haskell's `readMaybe :: Int64`: an optional minus and digits, nothing else. */
const readInt = (v: string) => (/^\s*-?\d+\s*$/.test(v) ? Number(v) : undefined)

export function parsePreferences(header: string | undefined, version: PostgrestVersion, timezones: ReadonlySet<string>): Preferences {
  // ByteString's split gives nothing for an empty header, and an empty element for a stray comma.
  const prefs = header === undefined || header === '' ? [] : header.split(',').map((p) => p.trim())
  const first = <T extends string>(prefix: string, values: readonly T[]) => prefs.map((p) => (p.startsWith(prefix) ? p.slice(prefix.length) : undefined)).find((v): v is T => values.includes(v as T))
  const tz = prefs.find((p) => p.startsWith('timezone='))?.slice('timezone='.length)
  const tzAccepted = tz !== undefined && timezones.has(tz)
  const maxAffectedText = prefs.find((p) => p.startsWith('max-affected='))?.slice('max-affected='.length)
  const maxAffected = maxAffectedText === undefined ? undefined : readInt(maxAffectedText)
  const accepted = known(version)
  const count = first('count=', ['exact', 'planned', 'estimated'] as const)
  const handling = first('handling=', ['strict', 'lenient'] as const)
  return {
    ...(count === undefined ? {} : { count }),
    ...(handling === undefined ? {} : { handling }),
    ...(tzAccepted ? { timezone: tz } : {}),
    ...(maxAffected === undefined ? {} : { maxAffected }),
    singleObject: version === '12.2' && prefs.includes('params=single-object'),
    invalid: prefs.filter((p) => !accepted.includes(p) && !(p.startsWith('timezone=') && tzAccepted) && !p.startsWith('max-affected=')),
  }
}

/**
 * `Preference-Applied` for a read or a function call (prefAppliedHeader with responsePreferences):
 * count, handling, timezone, and max-affected only on calls with handling=strict. `tx=` is not
 * reported: PostgREST honours it only with db-tx-end allowing overrides, which Supabase does not set.
 */
export function preferenceApplied(prefs: Preferences, isCall: boolean): string | undefined {
  const values = [
    prefs.count === undefined ? undefined : `count=${prefs.count}`,
    prefs.handling === undefined ? undefined : `handling=${prefs.handling}`,
    prefs.timezone === undefined ? undefined : `timezone=${prefs.timezone}`,
    isCall && prefs.handling === 'strict' && prefs.maxAffected !== undefined ? `max-affected=${prefs.maxAffected}` : undefined,
  ].filter((v): v is string => v !== undefined)
  return values.length === 0 ? undefined : values.join(', ')
}
