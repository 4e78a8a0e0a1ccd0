import { describe, expect, it } from 'vitest'
import * as client from '../../src/client.js'
import * as root from '../../src/index.js'
import * as server from '../../src/server.js'

/**
 * What the package exports is chosen, not leaked: the internals the adapters share (error
 * classification, input parsing, the row codec's column list) and the generated zod `pg` object
 * (whose name clashes with `import pg from 'pg'`) stay inside. api-surface.md lists the whole surface;
 * `npm run check:package` fails when the built declarations differ from it.
 */
describe('the public surface', () => {
  const internals = ['classifyDatabaseError', 'errorClassByName', 'errorFromDatabase', 'parseInput', 'validationErrorFrom', 'pg', 'relationColumns']

  it.each([
    ['@avolve/db', root],
    ['@avolve/db/server', server],
    ['@avolve/db/client', client],
  ])('%s exports none of the internals', (_, entry) => {
    expect(internals.filter((name) => name in entry)).toEqual([])
  })

  it('still exports what apps use', () => {
    expect(Object.keys(server)).toEqual(expect.arrayContaining(['createAvolveDb', 'isAvolveError', 'InsufficientBalanceError', 'rpcArgSchemas', 'tokenCodes']))
    expect(Object.keys(client)).toEqual(expect.arrayContaining(['createAvolveClient', 'isAvolveError', 'transferInputSchema']))
  })
})
