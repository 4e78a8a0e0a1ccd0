import { describe, expect, it } from 'vitest'
import { FuzzySet, similarity } from '../support/postgrest/fuzzy.js'

/**
 * The fuzzy search behind "Perhaps you meant ...", on its own. Expectations follow the examples in
 * PostgREST's Error.hs (noRpcHint's doctests at v13.0.8 and v14.17) and RpcSpec's hint cases,
 * restated with this project's own names.
 */
const paramList = (names: string[]) => `(${[...names].sort().join(', ')})`

describe('function-name hints', () => {
  const names = new FuzzySet(['greet', 'transfer'])

  it('a name one letter off is found at either threshold', () => {
    expect(names.getOne('greett')).toBe('greet')
    expect(names.getOne('greett', 0.75)).toBe('greet')
  })

  it('a name about 70% similar is found at 0.33 (12.2, 13) but not at 0.75 (14.6+)', () => {
    // "transfers" vs "transport": 1 - 3/9.
    expect(similarity('transfers', 'transport')).toBeCloseTo(2 / 3)
    const set = new FuzzySet(['transport'])
    expect(set.getOne('transfers')).toBe('transport')
    expect(set.getOne('transfers', 0.75)).toBeUndefined()
  })

  it('nothing close, nothing found; case does not matter', () => {
    expect(names.getOne('qqqqqqqqqq')).toBeUndefined()
    expect(names.getOne('GREET')).toBe('greet')
  })
})

describe('parameter-list hints', () => {
  const overloads = new FuzzySet([paramList(['val', 'param', 'name']), paramList(['id', 'attr'])])

  it('misspelt or missing parameters find the closest list', () => {
    expect(overloads.getOne(paramList(['vall', 'pqaram', 'nam']))).toBe('(name, param, val)')
    expect(overloads.getOne(paramList(['val', 'param']))).toBe('(name, param, val)')
    expect(overloads.getOne(paramList(['id', 'attrs']))).toBe('(attr, id)')
    expect(overloads.getOne(paramList(['id']))).toBe('(attr, id)')
  })

  it('an unrelated parameter finds nothing, also among several overloads', () => {
    expect(overloads.getOne(paramList(['noclosealternative']))).toBeUndefined()
    const three = new FuzzySet([paramList([]), paramList(['a', 'b']), paramList(['a', 'b', 'c'])])
    expect(three.getOne(paramList(['wrong_arg']))).toBeUndefined()
    expect(three.getOne(paramList(['a', 'b', 'wrong_arg']))).toBe('(a, b, c)')
  })
})
