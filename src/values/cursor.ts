/**
 * Keyset pagination cursors: the sort key of the last row of a page (its canonical timestamp and
 * id), opaque to callers. The same cursor works on both adapters.
 */

/**
 * Where a page ended: the sort key of its last row, as `cursorSchema` decodes a `nextCursor`.
 *
 * @example
 * ```ts
 * import { cursorSchema, type CursorPosition } from '@avolve/db/schemas'
 *
 * const position: CursorPosition = cursorSchema.parse(page.nextCursor) // { at: '2026-12-01T09:00:00.000000Z', id: '…' }
 * ```
 */
export interface CursorPosition {
  /** Canonical timestamp (see timestamp.ts) of the last row returned. */
  at: string
  id: string
}

const PREFIX = 'v1.'

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64Url(text: string): string {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/')
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))
}

export function encodeCursor(position: CursorPosition): string {
  return PREFIX + toBase64Url(JSON.stringify([position.at, position.id]))
}

/** Decodes a cursor made by encodeCursor; `undefined` when it is not one. */
export function decodeCursor(cursor: string): CursorPosition | undefined {
  if (!cursor.startsWith(PREFIX)) return undefined
  try {
    const value: unknown = JSON.parse(fromBase64Url(cursor.slice(PREFIX.length)))
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return { at: value[0], id: value[1] }
    }
  } catch {
    // not a cursor
  }
  return undefined
}
