import type { PostgrestVersion } from '../support/postgrest/version.js'
import type { ParityTokens } from './tokens.js'

/**
 * One request and what PostgREST answers to it, for the versions named. Every case is this project's
 * own, written from PostgREST's source (Error.hs, Auth, Response.hs, Plan.hs, Preferences.hs) and the
 * expectations of its spec and io tests at the tags v12.2.12, v13.0.8 and v14.17; `source` says where.
 * Texts are given only where one of those establishes them; otherwise a case checks code and status.
 */
export interface ParityCase {
  name: string
  versions: readonly PostgrestVersion[]
  source: string
  request: {
    method?: 'GET' | 'HEAD' | 'POST' | 'PATCH'
    /** Below /rest/v1 (what PostgREST sees behind Supabase's gateway). */
    path: string
    /** A token from tokens.ts, `anon` for none; default `valid`. */
    token?: keyof ParityTokens | 'anon'
    /** A raw Authorization header instead of a token. */
    authorization?: string
    headers?: Record<string, string>
    body?: unknown
  }
  expect: {
    status: number
    reason?: string
    /** An error body: always the four keys; texts only where given. */
    error?: { code: string; message?: string; details?: string | null; hint?: string | null }
    /** A success body, compared as JSON; `''` for no body. */
    json?: unknown
    /** A success body whose value is not known in advance (a new id), matched as text. */
    text?: RegExp
    /** Headers that must be present with this value (a RegExp to match), or absent (`null`). */
    headers?: Record<string, string | RegExp | string[] | null>
  }
}

const all = ['12.2', '13', '14'] as const
const from13 = ['13', '14'] as const
const v12 = ['12.2'] as const

const challenge = (message: string) => `Bearer error="invalid_token", error_description="${message}"`

/** Authentication: every JWT form PostgREST distinguishes, as the adapter's users can meet them. */
const jwt: ParityCase[] = [
  {
    name: 'an expired token (12.2: PGRST301)',
    versions: v12,
    source: 'v12.2.12 AuthSpec "fails with an expired token"; Auth.hs jwtClaimsError JWTExpired',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'expired' },
    expect: { status: 401, error: { code: 'PGRST301', message: 'JWT expired', details: null, hint: null }, headers: { 'www-authenticate': challenge('JWT expired') } },
  },
  {
    name: 'an expired token (13+: PGRST303)',
    versions: from13,
    source: 'v13.0.8/v14.17 AuthSpec "fails with an expired token"; io test_jwt_errors',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'expired' },
    expect: { status: 401, error: { code: 'PGRST303', message: 'JWT expired', details: null, hint: null }, headers: { 'www-authenticate': challenge('JWT expired') } },
  },
  {
    name: 'a token signed with another secret (12.2)',
    versions: v12,
    source: 'hs-jose JWSInvalidSignature as quoted in PostgREST issues #977/#991 and supabase-js #842',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'wrongSecret' },
    expect: { status: 401, error: { code: 'PGRST301', message: 'JWSError JWSInvalidSignature', details: null } },
  },
  {
    name: 'a token signed with another secret (13+)',
    versions: from13,
    source: 'io test_jwt_errors (v13.0.8 test_io.py, v14.17 test_auth.py): jose-jwt KeyError',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'wrongSecret' },
    expect: {
      status: 401,
      error: { code: 'PGRST301', message: 'No suitable key or wrong key type', details: 'None of the keys was able to decode the JWT', hint: null },
      headers: { 'www-authenticate': challenge('No suitable key or wrong key type') },
    },
  },
  {
    name: 'a token of two parts (12.2)',
    versions: v12,
    source: 'v12.2.12 AuthSpec "hides tables from users with invalid JWT"',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'twoParts' },
    expect: { status: 401, error: { code: 'PGRST301', message: 'JWSError (CompactDecodeError Invalid number of parts: Expected 3 parts; got 2)', details: null, hint: null } },
  },
  {
    name: 'a token of two parts (13+)',
    versions: from13,
    source: 'v13.0.8/v14.17 AuthSpec "hides tables from users with invalid JWT"; ErrorSpec Proxy-Status',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'twoParts' },
    expect: { status: 401, error: { code: 'PGRST301', message: 'Expected 3 parts in JWT; got 2', details: null, hint: null } },
  },
  {
    name: 'three parts of random characters (12.2: code and status)',
    versions: v12,
    source: 'v12.2.12 Auth.hs: any hs-jose decode failure is PGRST301 (text not established)',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'randomCharacters' },
    expect: { status: 401, error: { code: 'PGRST301' } },
  },
  {
    name: 'three parts of random characters (13+)',
    versions: from13,
    source: 'io test_jwt_errors "complete token but random characters": BadCrypto',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'randomCharacters' },
    expect: { status: 401, error: { code: 'PGRST301', message: 'JWT cryptographic operation failed', details: null, hint: null } },
  },
  {
    name: 'alg: none (12.2: code and status)',
    versions: v12,
    source: 'v12.2.12 Auth.hs: hs-jose validates no unsecured signature (text not established)',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'algNone' },
    expect: { status: 401, error: { code: 'PGRST301' } },
  },
  {
    name: 'alg: none (13+)',
    versions: from13,
    source: 'io test_jwt_errors "token with algorithm none": BadAlgorithm',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'algNone' },
    expect: {
      status: 401,
      error: { code: 'PGRST301', message: 'Wrong or unsupported encoding algorithm', details: "JWT is unsecured but expected 'alg' was not 'none'", hint: null },
    },
  },
  {
    name: 'an RS256 token against the HS256 secret (13+)',
    versions: from13,
    source: "jose-jwt decode: no key can decode the JWS header's alg → KeyError; Error.hs KeyError message",
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'rs256' },
    expect: { status: 401, error: { code: 'PGRST301', message: 'No suitable key or wrong key type', details: 'No suitable key was found to decode the JWT' } },
  },
  {
    name: 'an RS256 token against the HS256 secret (12.2: code and status)',
    versions: v12,
    source: 'v12.2.12 Auth.hs: every hs-jose error is PGRST301',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'rs256' },
    expect: { status: 401, error: { code: 'PGRST301' } },
  },
  {
    name: 'nbf in the future',
    versions: from13,
    source: 'io test_jwt_errors "nbf": JWTNotYetValid',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'notYetValid' },
    expect: { status: 401, error: { code: 'PGRST303', message: 'JWT not yet valid' } },
  },
  {
    name: 'iat in the future',
    versions: from13,
    source: 'io test_jwt_errors "iat": JWTIssuedAtFuture',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'issuedInFuture' },
    expect: { status: 401, error: { code: 'PGRST303', message: 'JWT issued at future' } },
  },
  {
    name: 'claim failures other than expiry are PGRST301 in 12.2',
    versions: v12,
    source: 'v12.2.12 Auth.hs: jwtClaimsError e = JwtTokenInvalid (show e), one code',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'notYetValid' },
    expect: { status: 401, error: { code: 'PGRST301' } },
  },
  {
    name: 'an exp that is not a number',
    versions: from13,
    source: 'v13.0.8/v14.17 AuthSpec "exp claim must be a number"',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'expNotANumber' },
    expect: { status: 401, error: { code: 'PGRST303', message: "The JWT 'exp' claim must be a number", details: null, hint: null } },
  },
  {
    name: 'exp: null is refused by 13',
    versions: ['13'],
    source: 'v13.0.8 Auth.hs verifyClaim: KM.lookup finds Null, isValidExpClaim refuses it',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'expNull' },
    expect: { status: 401, error: { code: 'PGRST303', message: "The JWT 'exp' claim must be a number" } },
  },
  {
    name: 'exp: null is no exp for 14',
    versions: ['14'],
    source: 'v14.17 Auth/Jwt.hs checkForErrors reads claims with .:? (null is absent)',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'expNull' },
    expect: { status: 200, json: 2 },
  },
  {
    name: 'an aud that is neither string nor array',
    versions: from13,
    source: 'v13.0.8/v14.17 AuthSpec "aud claim must be a string or an array of strings"',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'audNotAString' },
    expect: { status: 401, error: { code: 'PGRST303', message: "The JWT 'aud' claim must be a string or an array of strings" } },
  },
  {
    name: 'claims that are not a JSON object',
    versions: from13,
    source: 'v13.0.8 Auth.hs verifyClaims / v14.17 decodeClaims: ParsingClaimsFailed',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'claimsNotAnObject' },
    expect: { status: 401, error: { code: 'PGRST303', message: 'Parsing claims failed' } },
  },
  {
    name: 'an empty bearer token is refused (13+)',
    versions: from13,
    source: 'v13.0.8/v14.17 AuthSpec "empty JWT": EmptyAuthHeader',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', authorization: 'Bearer ' },
    expect: { status: 401, error: { code: 'PGRST301', message: 'Empty JWT is sent in Authorization header', details: null, hint: null } },
  },
  {
    name: 'an empty bearer token is the anon role (12.2)',
    versions: v12,
    source: 'v12.2.12 Auth.hs: parseToken _ "" = emptyObject',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', authorization: 'Bearer ' },
    expect: { status: 200, json: 2 },
  },
  {
    name: 'a role claim naming no role (12.2: 400)',
    versions: v12,
    source: 'v12.2.12 Error.hs mapSQLtoHTTP has no 22023 case',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'unknownRole' },
    expect: { status: 400, error: { code: '22023', message: 'role "parity_no_such_role" does not exist' }, headers: { 'www-authenticate': null } },
  },
  {
    name: 'a role claim naming no role (13+: 401)',
    versions: from13,
    source: 'v13.0.8 Error.hs 22023 "role ... does not exist" → 401 (issue #3601); io test_jwt_errors',
    request: { path: '/rpc/parity_add?a=1', method: 'GET', token: 'unknownRole' },
    expect: { status: 401, error: { code: '22023', message: 'role "parity_no_such_role" does not exist' }, headers: { 'www-authenticate': 'Bearer' } },
  },
]

/** The adapter's own calls: supabase.rpc() on the SQL contract and supabase.from().select() reads. */
const adapterPaths: ParityCase[] = [
  {
    name: 'anon may not run record_consent: 42501 as 401 with the Bearer challenge',
    versions: all,
    source: 'AuthSpec "denies execution on functions that anonymous does not own"; Error.hs PgError headers',
    request: { method: 'POST', path: '/rpc/record_consent', token: 'anon', body: { p_user_id: '00000000-0000-0000-0000-000000000000', p_interaction_type: 'terms_of_service', p_terms: ['t'] } },
    expect: { status: 401, error: { code: '42501', message: 'permission denied for function record_consent', details: null, hint: null }, headers: { 'www-authenticate': 'Bearer' } },
  },
  {
    name: 'record_consent as the user: 200 with the new id as a bare JSON string',
    versions: all,
    source: 'RpcSpec "returns proper json" (a scalar is its JSON value); Response.hs Content-Range 0-0/*',
    request: { method: 'POST', path: '/rpc/record_consent', body: { p_user_id: '$user', p_interaction_type: 'terms_of_service', p_terms: ['parity-1'] } },
    expect: {
      status: 200,
      text: /^"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"$/,
      headers: { 'content-range': '0-0/*', 'content-type': 'application/json; charset=utf-8', 'content-profile': 'public' },
    },
  },
  {
    name: 'a keyset page as history() reads it: gte/lte, a nested or/and, two orders, limit',
    versions: all,
    source: 'QuerySpec logic trees ("or=(…,and(…))"), comparison operators, multiple order terms',
    request: {
      path:
        '/token_transactions?select=token_type,amount::text&created_at=gte.2000-01-01T00:00:00Z&created_at=lte.2999-01-01T00:00:00Z' +
        '&or=(created_at.lt."2999-01-01T00:00:00Z",and(created_at.eq."2999-01-01T00:00:00Z",id.lt."ffffffff-ffff-ffff-ffff-ffffffffffff"))' +
        '&order=created_at.desc,id.desc&limit=5',
    },
    expect: {
      status: 200,
      json: [
        { token_type: 'SAP', amount: '2.500000000000000000' },
        { token_type: 'GEN', amount: '100.000000000000000000' },
      ],
      headers: { 'content-range': '0-1/*' },
    },
  },
  {
    name: "a refused transfer: the function's error as the body, 400",
    versions: all,
    source: 'Error.hs mapSQLtoHTTP: other SQLSTATEs → 400; body from MESSAGE/DETAIL/HINT',
    request: {
      method: 'POST',
      path: '/rpc/transfer_tokens',
      body: { p_from_user_id: '$user', p_to_user_id: '$other', p_token_type: 'GEN', p_amount: '1000', p_idempotency_key: '$uuid' },
    },
    expect: { status: 400, error: { code: 'VT006', message: 'insufficient balance' }, headers: { 'www-authenticate': null } },
  },
  {
    name: 'a read with casts, filters, or, order and limit',
    versions: all,
    source: 'QuerySpec select/casting, filters, logic trees, order, limit; RangeQuery contentRangeH',
    request: {
      path: '/token_balances?select=token_type,balance::text&user_id=eq.$user&or=(token_type.eq."GEN",token_type.eq."SCQ")&order=token_type.asc&limit=10',
    },
    expect: {
      status: 200,
      json: [{ token_type: 'GEN', balance: '100.000000000000000000' }],
      headers: { 'content-range': '0-0/*', 'content-type': 'application/json; charset=utf-8', 'content-profile': 'public' },
    },
  },
  {
    name: 'a read with Prefer: count=exact counts every matching row',
    versions: all,
    source: 'RangeSpec "includes total count if requested"; Response.hs prefAppliedHeader',
    request: { path: '/token_balances?select=token_type&order=token_type&limit=1', headers: { Prefer: 'count=exact' } },
    expect: { status: 206, json: [{ token_type: 'GEN' }], headers: { 'content-range': '0-0/2', 'preference-applied': 'count=exact' } },
  },
  {
    name: 'a singular read without exactly one row (12.2 wording)',
    versions: v12,
    source: 'v12.2.12 Error.hs SingularityError',
    request: { path: '/token_balances?select=token_type&token_type=eq.SCQ', headers: { Accept: 'application/vnd.pgrst.object+json' } },
    expect: { status: 406, error: { code: 'PGRST116', message: 'JSON object requested, multiple (or no) rows returned', details: 'The result contains 0 rows', hint: null } },
  },
  {
    name: 'a singular read without exactly one row (13+ wording)',
    versions: from13,
    source: 'v13.0.8/v14.17 Error.hs SingularityError; SingularSpec',
    request: { path: '/token_balances?select=token_type&token_type=eq.SCQ', headers: { Accept: 'application/vnd.pgrst.object+json' } },
    expect: { status: 406, error: { code: 'PGRST116', message: 'Cannot coerce the result to a single JSON object', details: 'The result contains 0 rows', hint: null } },
  },
  {
    name: 'a table that does not exist (12.2: the database says 42P01)',
    versions: v12,
    source: 'v12.2.12 ConcurrentSpec "/fakefake": 42P01, 404',
    request: { path: '/parity_nosuch' },
    expect: { status: 404, error: { code: '42P01', message: 'relation "public.parity_nosuch" does not exist', details: null, hint: null } },
  },
  {
    name: 'a table that does not exist (13+: PGRST205)',
    versions: from13,
    source: 'v13.0.8/v14.17 Error.hs TableNotFound',
    request: { path: '/parity_nosuch' },
    expect: { status: 404, error: { code: 'PGRST205', message: "Could not find the table 'public.parity_nosuch' in the schema cache", details: null } },
  },
  {
    name: 'a table name one letter off gets a hint (13+)',
    versions: from13,
    source: 'v14.17 ErrorSpec "show hint on PGRST205 table not found error" (≥ 75% similar)',
    request: { path: '/token_balance' },
    expect: { status: 404, error: { code: 'PGRST205', hint: "Perhaps you meant the table 'public.token_balances'" } },
  },
  {
    name: 'a path PostgREST does not serve (12.2: 404 with an empty object)',
    versions: v12,
    source: 'v12.2.12 ApiRequest.hs getResource: other paths → NotFound; Error.hs toJSON NotFound = {}',
    request: { path: '/token_balances/extra' },
    expect: { status: 404, json: {}, headers: { 'content-type': 'application/json; charset=utf-8', 'proxy-status': null } },
  },
  {
    name: 'a path PostgREST does not serve (13+: PGRST125)',
    versions: from13,
    source: 'v13.0.8/v14.17 ApiRequest.hs getResource → InvalidResourcePath; Error.hs',
    request: { path: '/token_balances/extra' },
    expect: { status: 404, error: { code: 'PGRST125', message: 'Invalid path specified in request URL', details: null, hint: null } },
  },
  {
    name: 'a schema that is not exposed (12.2 wording)',
    versions: v12,
    source: 'v12.2.12 Error.hs UnacceptableSchema',
    request: { path: '/token_balances', headers: { 'Accept-Profile': 'private' } },
    expect: { status: 406, error: { code: 'PGRST106', message: 'The schema must be one of the following: public', details: null, hint: null } },
  },
  {
    name: 'a schema that is not exposed (13+ wording)',
    versions: from13,
    source: 'v13.0.8/v14.17 Error.hs UnacceptableSchema (the schemas moved to the hint)',
    request: { path: '/token_balances', headers: { 'Accept-Profile': 'private' } },
    expect: { status: 406, error: { code: 'PGRST106', message: 'Invalid schema: private', details: null, hint: 'Only the following schemas are exposed: public' } },
  },
]

/** Functions: lookup, hints, arguments, counts, void, VARIADIC. */
const rpc: ParityCase[] = [
  {
    name: 'an unknown function with no close name: PGRST202, no hint',
    versions: all,
    source: 'RpcSpec "unknown function"; Error.hs NoRpc message/details',
    request: { method: 'POST', path: '/rpc/qqqqq', body: { x: 1 } },
    expect: {
      status: 404,
      error: {
        code: 'PGRST202',
        message: 'Could not find the function public.qqqqq(x) in the schema cache',
        details: 'Searched for the function public.qqqqq with parameter x or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.',
        hint: null,
      },
    },
  },
  {
    name: 'a function name one letter off: "Perhaps you meant" the function',
    versions: all,
    source: 'RpcSpec "should fail with 404 and hint the closest proc on unknown proc name"',
    request: { path: '/rpc/parity_zzz_unique_functio', method: 'GET' },
    expect: {
      status: 404,
      error: {
        code: 'PGRST202',
        message: 'Could not find the function public.parity_zzz_unique_functio without parameters in the schema cache',
        details: 'Searched for the function public.parity_zzz_unique_functio without parameters, but no matches were found in the schema cache.',
        hint: 'Perhaps you meant to call the function public.parity_zzz_unique_function',
      },
    },
  },
  {
    name: 'a name less than 75% similar: a hint until 14.5',
    versions: ['12.2', '13'],
    source: 'v13.0.8 Error.hs noRpcHint Fuzzy.getOne (0.33)',
    request: { path: '/rpc/zzz_unique', method: 'GET' },
    expect: { status: 404, error: { code: 'PGRST202', hint: 'Perhaps you meant to call the function public.parity_zzz_unique_function' } },
  },
  {
    name: 'a name less than 75% similar: no hint from 14.6',
    versions: ['14'],
    source: 'v14.17 Error.hs getFuzzyHint HintProcedure (0.75; CHANGELOG 14.6 #4675)',
    request: { path: '/rpc/zzz_unique', method: 'GET' },
    expect: { status: 404, error: { code: 'PGRST202', hint: null } },
  },
  {
    name: 'known name, wrong arguments: the closest parameter list',
    versions: all,
    source: 'RpcSpec "should fail with 404 and hint the closest args on unknown proc args"',
    request: { path: '/rpc/parity_greet?nam=x', method: 'GET' },
    expect: {
      status: 404,
      error: { code: 'PGRST202', message: 'Could not find the function public.parity_greet(nam) in the schema cache', hint: 'Perhaps you meant to call the function public.parity_greet(name)' },
    },
  },
  {
    name: 'overloads and an extra argument: the closest overload',
    versions: all,
    source: 'RpcSpec "should fail with 404 for overloaded functions with unknown args"',
    request: { path: '/rpc/parity_overloaded?a=1&b=2&wrong=3', method: 'GET' },
    expect: { status: 404, error: { code: 'PGRST202', hint: 'Perhaps you meant to call the function public.parity_overloaded(a, b, c)' } },
  },
  {
    name: 'overloads and nothing close: no hint',
    versions: all,
    source: 'RpcSpec "should fail with 404 for overloaded functions with unknown args" (first request)',
    request: { path: '/rpc/parity_overloaded?wrong=3', method: 'GET' },
    expect: { status: 404, error: { code: 'PGRST202', hint: null } },
  },
  {
    name: 'overloads with the same argument names: PGRST203 (300)',
    versions: all,
    source: 'RpcSpec "ambiguous overloaded functions"; Error.hs AmbiguousRpc',
    request: { method: 'POST', path: '/rpc/parity_pick', body: { a: 1 } },
    expect: {
      status: 300,
      error: {
        code: 'PGRST203',
        message: 'Could not choose the best candidate function between: public.parity_pick(a => integer), public.parity_pick(a => text)',
        details: null,
        hint: 'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
      },
    },
  },
  {
    name: 'a scalar result: 200, Content-Range 0-0/*',
    versions: all,
    source: 'RpcSpec "returns proper json"; Statements.hs page_total 1 for single results',
    request: { method: 'POST', path: '/rpc/parity_add', body: { a: 40, b: 2 } },
    expect: { status: 200, json: 42, headers: { 'content-range': '0-0/*', 'content-profile': 'public' } },
  },
  {
    name: 'a scalar result with count=exact: 0-0/1',
    versions: all,
    source: 'RpcSpec "includes exact count of 1 for functions that return a single scalar"',
    request: { path: '/rpc/parity_add?a=3&b=4', method: 'GET', headers: { Prefer: 'count=exact' } },
    expect: { status: 200, json: 7, headers: { 'content-range': '0-0/1' } },
  },
  {
    name: 'a page of a set with count=exact (limit/offset): 206, the whole count',
    versions: all,
    source: 'RpcSpec "includes total count if requested" (using limit and offset); Statements.hs mainCall countF',
    request: { method: 'POST', path: '/rpc/parity_items?limit=1&offset=1', body: { lo: 2, hi: 3 }, headers: { Prefer: 'count=exact' } },
    expect: { status: 206, json: [{ id: 3 }], headers: { 'content-range': '1-1/2', 'preference-applied': 'count=exact' } },
  },
  {
    name: 'a page of a set with count=exact (Range header on GET): 206',
    versions: all,
    source: 'RpcSpec "includes total count if requested" (using the Range header)',
    request: { path: '/rpc/parity_items?lo=2&hi=3', method: 'GET', headers: { Prefer: 'count=exact', Range: '1-1', 'Range-Unit': 'items' } },
    expect: { status: 206, json: [{ id: 3 }], headers: { 'content-range': '1-1/2' } },
  },
  {
    name: 'a HEAD page with count=exact: 206 and no body',
    versions: all,
    source: 'RpcSpec "includes total count if requested" (HEAD)',
    request: { path: '/rpc/parity_items?lo=2&hi=3&limit=1&offset=1', method: 'HEAD', headers: { Prefer: 'count=exact' } },
    expect: { status: 206, json: '', headers: { 'content-range': '1-1/2', 'content-type': 'application/json; charset=utf-8' } },
  },
  {
    name: 'a page without count: 200, total unknown',
    versions: all,
    source: 'RpcSpec "returns paginated results" (using limit and offset)',
    request: { method: 'POST', path: '/rpc/parity_items?limit=1&offset=1', body: { lo: 2, hi: 4 } },
    expect: { status: 200, json: [{ id: 3 }], headers: { 'content-range': '1-1/*' } },
  },
  {
    name: 'an offset past the end with count=exact: 416 with */total',
    versions: all,
    source: 'Response.hs CallReadPlan: status416 → OutOfBounds offset total; RangeQuery rangeStatusHeader',
    request: { path: '/rpc/parity_items?lo=1&hi=15&offset=20', method: 'GET', headers: { Prefer: 'count=exact' } },
    // Not an error response: the body is the error's, the headers the page's (no Proxy-Status).
    expect: {
      status: 416,
      error: { code: 'PGRST103', message: 'Requested range not satisfiable', details: 'An offset of 20 was requested, but there are only 15 rows.', hint: null },
      headers: { 'content-range': '*/15', 'proxy-status': null },
    },
  },
  {
    name: 'a void function: 204 without a body or Content-Type',
    versions: all,
    source: 'Response.hs funcReturnsVoid → 204; RpcSpec void functions',
    request: { method: 'POST', path: '/rpc/parity_void', body: {} },
    expect: { status: 204, json: '', headers: { 'content-type': null, 'content-range': '0-0/*' } },
  },
  {
    name: 'VARIADIC by name in a JSON body',
    versions: all,
    source: 'RpcSpec "procs with VARIADIC params" (POST); QueryBuilder.hs fmtParams VARIADIC',
    request: { method: 'POST', path: '/rpc/parity_variadic', body: { v: ['one', 'two, three', 'f"our'] } },
    expect: { status: 200, json: ['one', 'two, three', 'f"our'] },
  },
  {
    name: 'VARIADIC with GET: a repeated parameter is the array',
    versions: all,
    source: 'RpcSpec "works with GET and repeated params" n>1; CallPlan.hs toRpcParams',
    request: { path: '/rpc/parity_variadic?v=one&v=two', method: 'GET' },
    expect: { status: 200, json: ['one', 'two'] },
  },
  {
    name: 'VARIADIC with GET: one value, and none (the default)',
    versions: all,
    source: 'RpcSpec "works with GET and repeated params" n=1, n=0',
    request: { path: '/rpc/parity_variadic?v={a,b}', method: 'GET' },
    expect: { status: 200, json: ['{a,b}'] },
  },
  {
    name: 'VARIADIC with GET and no value: the DEFAULT',
    versions: all,
    source: 'RpcSpec "works with GET and repeated params" n=0 (through DEFAULT)',
    request: { path: '/rpc/parity_variadic', method: 'GET' },
    expect: { status: 200, json: [] },
  },
  {
    name: 'a repeated non-VARIADIC parameter: the last value',
    versions: all,
    source: 'RpcSpec "returns last value for repeated non-variadic params in function with other VARIADIC arguments"',
    request: { path: '/rpc/parity_greet_variadic?name=ignored&name=you&v=unused', method: 'GET' },
    expect: { status: 200, json: 'Hi, you' },
  },
]

/** How a function shapes the response: SQLSTATEs, RAISE SQLSTATE 'PGRST', response.status / response.headers. */
const responseControl: ParityCase[] = [
  ...(
    [
      ['P0001', 400],
      ['23505', 409],
      ['23503', 409],
      ['40001', 500],
      ['53300', 503],
      ['57P01', 503],
      ['XX000', 500],
      ['22P02', 400],
    ] as const
  ).map(
    ([code, status]): ParityCase => ({
      name: `SQLSTATE ${code} is ${status}`,
      versions: all,
      source: 'Error.hs pgErrorStatus; docs/references/errors.rst "HTTP Status Codes"',
      request: { method: 'POST', path: '/rpc/parity_raise', body: { p_code: code } },
      expect: { status, error: { code, message: `raised ${code}`, details: 'd', hint: 'h' } },
    }),
  ),
  {
    name: 'PT402 sets the status and the reason phrase',
    versions: all,
    source: 'RpcSpec "can map a RAISE error code and message to a http status"; Error.hs PT case',
    request: { method: 'POST', path: '/rpc/parity_raise', body: { p_code: 'PT402' } },
    expect: { status: 402, reason: 'raised PT402', error: { code: 'PT402', message: 'raised PT402', details: 'd', hint: 'h' } },
  },
  {
    name: "RAISE SQLSTATE 'PGRST' with JSON: body, status, reason and headers from the function",
    versions: all,
    source: 'RpcSpec "gets message and details from raise sqlstate PGRST"; Error.hs parseRaisePGRST',
    request: {
      method: 'POST',
      path: '/rpc/parity_raise_pgrst',
      body: {
        p_message: '{"code":"AV123","message":"taken","details":"the name is taken","hint":"pick another"}',
        p_detail: '{"status":409,"status_text":"Name Taken","headers":{"X-Parity":"yes","Retry-After":"5"}}',
      },
    },
    expect: {
      status: 409,
      reason: 'Name Taken',
      error: { code: 'AV123', message: 'taken', details: 'the name is taken', hint: 'pick another' },
      headers: { 'x-parity': 'yes', 'retry-after': '5' },
    },
  },
  {
    name: "RAISE SQLSTATE 'PGRST' without status_text: the status's own reason",
    versions: all,
    source: 'RpcSpec "get message and details from PGRST raise and checks standard status message"',
    request: { method: 'POST', path: '/rpc/parity_raise_pgrst', body: { p_message: '{"code":"AV404","message":"gone"}', p_detail: '{"status":404,"headers":{}}' } },
    expect: { status: 404, reason: 'Not Found', error: { code: 'AV404', message: 'gone', details: null, hint: null } },
  },
  {
    name: "RAISE SQLSTATE 'PGRST' with a MESSAGE that is not the JSON object: PGRST121",
    versions: all,
    source: 'RpcSpec "returns error for invalid JSON in the MESSAGE option of the RAISE statement"',
    request: { method: 'POST', path: '/rpc/parity_raise_pgrst', body: { p_message: 'plain words', p_detail: '{"status":400,"headers":{}}' } },
    expect: {
      status: 500,
      error: {
        code: 'PGRST121',
        message: `Could not parse JSON in the "RAISE SQLSTATE 'PGRST'" error`,
        details: "Invalid JSON value for MESSAGE: 'plain words'",
        hint: "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.",
      },
    },
  },
  {
    name: "RAISE SQLSTATE 'PGRST' with a DETAIL that is not the JSON object: PGRST121",
    versions: all,
    source: 'RpcSpec "returns error for invalid JSON in the DETAIL option of the RAISE statement"',
    request: { method: 'POST', path: '/rpc/parity_raise_pgrst', body: { p_message: '{"code":"AV1","message":"m"}', p_detail: '{"status":"400"}' } },
    expect: {
      status: 500,
      error: {
        code: 'PGRST121',
        details: `Invalid JSON value for DETAIL: '{"status":"400"}'`,
        hint: "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'.",
      },
    },
  },
  {
    name: "RAISE SQLSTATE 'PGRST' without DETAIL: PGRST121",
    versions: all,
    source: 'RpcSpec "returns error for missing DETAIL option in the RAISE statement"',
    request: { method: 'POST', path: '/rpc/parity_raise_pgrst', body: { p_message: '{"code":"AV1","message":"m"}' } },
    expect: { status: 500, error: { code: 'PGRST121', details: 'DETAIL is missing in the RAISE statement' } },
  },
  {
    name: 'response.status overrides the status',
    versions: all,
    source: 'RpcSpec "can override the status on RPC"; Response.hs overrideStatusHeaders',
    request: { method: 'POST', path: '/rpc/parity_status', body: { p_status: '403' } },
    expect: { status: 403, json: { ok: false }, headers: { 'content-type': 'application/json; charset=utf-8' } },
  },
  {
    name: 'a response.status that is no number: PGRST112 (500)',
    versions: all,
    source: 'RpcSpec "fails when setting invalid status guc"',
    request: { method: 'POST', path: '/rpc/parity_status', body: { p_status: 'teapot' } },
    expect: { status: 500, error: { code: 'PGRST112', message: 'response.status guc must be a valid status code', details: null, hint: null } },
  },
  {
    name: 'response.headers adds headers',
    versions: all,
    source: 'RpcSpec "GUC headers on function calls" succeeds setting the headers',
    request: { method: 'POST', path: '/rpc/parity_headers', body: { p_headers: '[{"X-Parity": "a=1; b"}, {"Cache-Control": "no-store"}]' } },
    expect: { status: 200, json: 7, headers: { 'x-parity': 'a=1; b', 'cache-control': 'no-store' } },
  },
  {
    name: 'response.headers may set one header twice',
    versions: all,
    source: 'RpcSpec "can set the same http header twice"',
    request: { method: 'POST', path: '/rpc/parity_cookies', body: {} },
    expect: { status: 204, json: '', headers: { 'set-cookie': ['a=1; Path=/', 'b=2; HttpOnly'] } },
  },
  ...['{"X-Parity": "not an array"}', '["not", "objects"]', '[{"X-A": "1", "X-B": "2"}]', '[{"X-A": 1}]'].map(
    (value): ParityCase => ({
      name: `response.headers of the wrong shape (${value}): PGRST111 (500)`,
      versions: all,
      source: 'RpcSpec "fails when setting headers with wrong json structure"; GucHeader.hs FromJSON',
      request: { method: 'POST', path: '/rpc/parity_headers', body: { p_headers: value } },
      expect: {
        status: 500,
        error: { code: 'PGRST111', message: 'response.headers guc must be a JSON array composed of objects with a single key and a string value', details: null, hint: null },
      },
    }),
  ),
]

/** Prefer: handling=strict / lenient, timezone, max-affected on calls. */
const preferences: ParityCase[] = [
  {
    name: 'handling=strict refuses an unknown preference: PGRST122',
    versions: all,
    source: 'Plan.hs callReadPlan InvalidPreferences; Error.hs; PreferencesSpec',
    request: { method: 'POST', path: '/rpc/parity_add', body: { a: 1 }, headers: { Prefer: 'handling=strict, count=exact, frobnicate=yes' } },
    expect: { status: 400, error: { code: 'PGRST122', message: 'Invalid preferences given with handling=strict', details: 'Invalid preferences: frobnicate=yes', hint: null } },
  },
  {
    name: 'handling=lenient ignores it and says what was applied',
    versions: all,
    source: 'Preferences.hs prefAppliedHeader (count, handling)',
    request: { method: 'POST', path: '/rpc/parity_add', body: { a: 1 }, headers: { Prefer: 'handling=lenient, count=exact, frobnicate=yes' } },
    expect: { status: 200, json: 2, headers: { 'preference-applied': 'count=exact, handling=lenient' } },
  },
  {
    name: 'params=single-object is no preference from 13 on',
    versions: from13,
    source: 'v13.0.8 Preferences.hs (PreferParameters removed)',
    request: { method: 'POST', path: '/rpc/parity_add', body: { a: 1 }, headers: { Prefer: 'handling=strict, params=single-object' } },
    expect: { status: 400, error: { code: 'PGRST122', details: 'Invalid preferences: params=single-object' } },
  },
  {
    name: 'a known time zone is applied and reported',
    versions: all,
    source: 'Preferences.hs timezone (pg_timezone_names); Query PreQuery timezone',
    request: { method: 'POST', path: '/rpc/parity_timezone', body: {}, headers: { Prefer: 'timezone=America/Los_Angeles' } },
    expect: { status: 200, json: 'America/Los_Angeles', headers: { 'preference-applied': 'timezone=America/Los_Angeles' } },
  },
  {
    name: 'an unknown time zone is an invalid preference',
    versions: all,
    source: 'Preferences.hs isUnacceptable: timezone= not in pg_timezone_names',
    request: { method: 'POST', path: '/rpc/parity_timezone', body: {}, headers: { Prefer: 'handling=strict, timezone=Mars/Olympus' } },
    expect: { status: 400, error: { code: 'PGRST122', details: 'Invalid preferences: timezone=Mars/Olympus' } },
  },
  {
    name: 'max-affected with handling=strict on a function returning one value: PGRST128',
    versions: from13,
    source: 'v13.0.8/v14.17 Plan.hs failMaxAffectedRpcReturnsSingle; Error.hs MaxAffectedRpcViolation',
    request: { method: 'POST', path: '/rpc/parity_add', body: { a: 1 }, headers: { Prefer: 'handling=strict, max-affected=1' } },
    expect: { status: 400, error: { code: 'PGRST128', message: 'Function must return SETOF or TABLE when max-affected preference is used with handling=strict' } },
  },
  {
    name: 'max-affected with handling=strict: more rows than allowed is PGRST124',
    versions: all,
    source: 'Query.hs/MainTx.hs failExceedsMaxAffectedPref on calls; Error.hs MaxAffectedViolationError',
    request: { method: 'POST', path: '/rpc/parity_items', body: { lo: 1, hi: 3 }, headers: { Prefer: 'handling=strict, max-affected=2' } },
    expect: { status: 400, error: { code: 'PGRST124', message: 'Query result exceeds max-affected preference constraint', details: 'The query affects 3 rows' } },
  },
  {
    name: 'max-affected within the limit: applied and reported',
    versions: all,
    source: 'Preferences.hs prefAppliedHeader (max-affected only with handling=strict)',
    request: { method: 'POST', path: '/rpc/parity_items', body: { lo: 1, hi: 2 }, headers: { Prefer: 'handling=strict, max-affected=2' } },
    expect: { status: 200, json: [{ id: 1 }, { id: 2 }], headers: { 'preference-applied': 'handling=strict, max-affected=2' } },
  },
]

export const parityCases: ParityCase[] = [...jwt, ...adapterPaths, ...rpc, ...responseControl, ...preferences]
