import { createRequire } from 'node:module'
import { join } from 'node:path'

/** The part of TypeScript's compiler API used here (TypeScript 5.x; TypeScript 7's package has none). */
interface CompilerApi {
  version: string
  transpileModule(
    input: string,
    options: { reportDiagnostics: boolean; fileName: string; compilerOptions: object },
  ): {
    diagnostics?: Array<{ messageText: string | { messageText: string }; start?: number }>
  }
}

/** Thrown when generated code does not parse: nothing is written. */
export class GeneratedCodeError extends Error {
  override readonly name = 'GeneratedCodeError'
}

function compilerApi(): CompilerApi | undefined {
  for (const from of [join(process.cwd(), 'package.json'), import.meta.url]) {
    try {
      const ts = createRequire(from)('typescript') as Partial<CompilerApi>
      if (typeof ts.transpileModule === 'function') return ts as CompilerApi
    } catch {
      // not installed there
    }
  }
  return undefined
}

/**
 * Parses each generated file with TypeScript and throws a {@link GeneratedCodeError} naming the
 * first syntax error, so that codegen fails (non-zero exit) instead of writing a broken file.
 * Returns the TypeScript version used, or `undefined` when no compiler API could be loaded (the
 * files are then written unchecked; kysely-codegen's own problems are caught separately).
 */
export function validateTypeScript(files: ReadonlyArray<{ name: string; content: string }>): string | undefined {
  const ts = compilerApi()
  if (!ts) return undefined
  for (const f of files) {
    const { diagnostics = [] } = ts.transpileModule(f.content, { reportDiagnostics: true, fileName: f.name, compilerOptions: { noEmit: true } })
    const first = diagnostics[0]
    if (first) {
      const message = typeof first.messageText === 'string' ? first.messageText : first.messageText.messageText
      const line = first.start === undefined ? '?' : f.content.slice(0, first.start).split('\n').length
      throw new GeneratedCodeError(`generated ${f.name} is not valid TypeScript (line ${line}: ${message}); nothing was written`)
    }
  }
  return ts.version
}
