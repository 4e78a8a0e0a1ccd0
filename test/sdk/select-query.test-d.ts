import { describe, expectTypeOf, it } from 'vitest'
import type { ColumnOf, Filter, SelectQuery } from '../../src/repositories/data-port.js'
import { keysetSelect } from '../../src/repositories/port-backed/paging.js'

describe('the port’s queries are typed by their relation', () => {
  it('names only the relation’s own columns', () => {
    expectTypeOf<ColumnOf<'token_entries'>>().toEqualTypeOf<'amount' | 'balance_after' | 'created_at' | 'held_after' | 'token_type' | 'transaction_id' | 'user_id' | 'version'>()
    const ok: SelectQuery<'token_entries'> = { relation: 'token_entries', where: [[{ column: 'version', op: 'eq', value: 1 }]], orderBy: [{ column: 'created_at', descending: true }] }
    expectTypeOf(ok).toExtend<SelectQuery>()
    // @ts-expect-error consent has no balance_after
    const wrong: Filter<'user_consent'> = { column: 'balance_after', op: 'eq', value: '1' }
    // @ts-expect-error misspelt order key
    const misspelt: SelectQuery<'token_entries'> = { relation: 'token_entries', where: [], orderBy: [{ column: 'createdAt', descending: true }] }
    // @ts-expect-error a comparison takes one value
    const list: Filter<'token_transactions'> = { column: 'id', op: 'eq', value: ['x'] }
    expectTypeOf([wrong, misspelt, list]).not.toBeAny()
  })

  it('pages only relations with a created_at, by a key of their own', () => {
    expectTypeOf(keysetSelect('user_consent', [], { limit: 10 }, 'id', true)).toEqualTypeOf<SelectQuery<'user_consent'>>()
    // @ts-expect-error token_types has no created_at
    keysetSelect('token_types', [], { limit: 10 }, 'code', true)
    // @ts-expect-error the key must be the relation's
    keysetSelect('token_entries', [], { limit: 10 }, 'id', true)
  })
})
