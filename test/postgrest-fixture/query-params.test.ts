import { describe, expect, it } from 'vitest'
import { ApiError } from '../support/postgrest/errors.js'
import { parseQueryParams } from '../support/postgrest/query-params.js'

const parse = (query: Record<string, string> | string, rpc = false) => parseQueryParams(typeof query === 'string' ? query : `?${new URLSearchParams(query)}`, rpc)

describe("PostgREST's query grammar", () => {
  it('keyset or=(...) with timestamps, nesting and double-quoted values', () => {
    const at = '2026-12-01T10:22:58.593515+00:00'
    const { where } = parse({ or: `(created_at.lt.${at},and(created_at.eq."${at}",id.lt.5))` })
    expect(where).toEqual([
      {
        negate: false,
        op: 'or',
        children: [
          { filter: { column: 'created_at', negate: false, operation: { kind: 'compare', op: 'lt', value: at } } },
          {
            negate: false,
            op: 'and',
            children: [
              { filter: { column: 'created_at', negate: false, operation: { kind: 'compare', op: 'eq', value: at } } },
              { filter: { column: 'id', negate: false, operation: { kind: 'compare', op: 'lt', value: '5' } } },
            ],
          },
        ],
      },
    ])
  })

  it('a raw + in the query string is a space, as PostgREST decodes it', () => {
    const [tree] = parse('?t=eq.2026-01-01T00:00:00+00:00').where
    expect(tree).toMatchObject({ filter: { operation: { value: '2026-01-01T00:00:00 00:00' } } })
  })

  it('quoted in.() elements keep commas and parentheses; quotes in or=() values only count before , or )', () => {
    expect(parse({ x: 'in.("a,b",c,"d)")' }).where).toMatchObject([{ filter: { operation: { kind: 'in', values: ['a,b', 'c', 'd)'] } } }])
    expect(parse({ or: '(x.eq."a"b,y.cs.{1,2})' }).where).toMatchObject([{ children: [{ filter: { operation: { value: '"a"b' } } }, { filter: { operation: { op: 'cs', value: '{1,2}' } } }] }])
  })

  it('select, order and negation', () => {
    const q = parse({ select: 'a, amount:balance::text,*', order: 'a.desc.nullslast,b', x: 'not.is.NULL' })
    expect(q.select).toEqual([{ column: 'a' }, { column: 'balance', alias: 'amount', cast: 'text' }, { column: '*' }])
    expect(q.order).toEqual([{ column: 'a', direction: 'desc', nulls: 'nullslast' }, { column: 'b' }])
    expect(q.where).toEqual([{ filter: { column: 'x', negate: true, operation: { kind: 'is', value: 'null' } } }])
  })

  it('GET /rpc: values without an operator are arguments', () => {
    expect(parse({ a: '1', b: '{x,y}', c: 'eq.2' }, true)).toMatchObject({
      args: [
        ['a', '1'],
        ['b', '{x,y}'],
      ],
      where: [{ filter: { column: 'c' } }],
    })
  })

  it.each([
    [{ x: 'noop.1' }, 'PGRST100'],
    [{ x: 'is.maybe' }, 'PGRST100'],
    [{ or: '(a.eq.1' }, 'PGRST100'],
    [{ 'rel.x': 'eq.1' }, 'PGRST108'],
    [{ select: 'sum:balance.sum()' }, 'PGRST123'],
    [{ select: 'a,rel(b)' }, 'PGRST127'],
  ])('%o is %s', (query, code) => {
    let error: unknown
    try {
      parse(query)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).body.code).toBe(code)
  })
})
