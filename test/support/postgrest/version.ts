/**
 * The PostgREST release line the stand-in answers as. Supabase runs more than one: its self-hosting
 * compose file pins 12.2.x, its CLI's local stack runs 14.x, and older hosted projects keep the
 * version they were created with. The lines differ in their JWT error forms (12.2 reports every JWT
 * failure, expiry included, as PGRST301; 13 added PGRST303 for claims), in Proxy-Status on errors (13+),
 * in a few codes (PGRST205, PGRST128 are 13+) and in how close a "Perhaps you meant" hint must be (14).
 */
export type PostgrestVersion = '12.2' | '13' | '14'

export const postgrestVersions: readonly PostgrestVersion[] = ['12.2', '13', '14']
