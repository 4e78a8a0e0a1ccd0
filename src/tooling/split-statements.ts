/**
 * Splits a migration file into statements exactly as the Supabase CLI does (`SplitAndTrim` in
 * supabase/cli pkg/parser), because `supabase db push` records that list in
 * `supabase_migrations.schema_migrations.statements` and executes it statement by statement. Doing
 * the same here keeps both tools' history rows identical and makes a file that this tool applies
 * one that `supabase db push` applies too.
 *
 * The splitter is a small state machine over the text: a `;` ends a statement unless it is inside a
 * quote (`'…'`, `"…"`), a dollar quote (`$tag$…$tag$`), a comment (`-- …`, nested `/* … *\/`), after a
 * backslash, inside parentheses, or inside a `BEGIN ATOMIC … END` body. Comments and white space stay
 * part of the statement they precede; each statement loses its trailing `;` and surrounding white
 * space; empty statements are dropped. Its quirks are Supabase's (for example a word ending in "end"
 * closes a `BEGIN ATOMIC` body early), on purpose.
 */

/** One statement of a file and where it starts, for error messages that name a line. */
export interface SplitStatement {
  /** The statement as the Supabase CLI records it: trimmed, without its terminating `;`. */
  readonly text: string
  /** Offset (UTF-16 code units) of `text` in the source. */
  readonly offset: number
}

/** Just the statements' text: what goes into `schema_migrations.statements`. */
export function splitStatements(sql: string): string[] {
  return splitStatementsWithOffsets(sql).map((s) => s.text)
}

/** The statements of `sql` with their offsets in it (see {@link splitStatements}). */
export function splitStatementsWithOffsets(sql: string): SplitStatement[] {
  const out: SplitStatement[] = []
  let state: State = new ReadyState()
  let tokenStart = 0
  let i = 0
  const emit = (end: number) => {
    const token = sql.slice(tokenStart, end)
    // TrimRight(";") and then TrimSpace, in that order, as SplitAndTrim does.
    const noSemicolons = token.replace(/;+$/, '')
    const leading = noSemicolons.length - trimStartGo(noSemicolons).length
    const text = trimGo(noSemicolons)
    if (text.length > 0) out.push({ text, offset: tokenStart + leading })
    tokenStart = end
  }
  while (i < sql.length) {
    const codePoint = sql.codePointAt(i) as number
    const width = codePoint > 0xffff ? 2 : 1
    const end = i + width
    const next = state.next(String.fromCodePoint(codePoint), new Token(sql, tokenStart, end))
    if (next === null) {
      emit(end)
      state = new ReadyState()
    } else {
      state = next
    }
    i = end
  }
  if (tokenStart < sql.length) emit(sql.length)
  return out
}

/** The text of the current statement so far (the Go code's `data`), without copying it per character. */
class Token {
  constructor(
    private readonly source: string,
    readonly start: number,
    readonly end: number,
  ) {}
  get length(): number {
    return this.end - this.start
  }
  /** The last `n` code units (`data[len(data)-n:]`). */
  tail(n: number): string {
    return this.source.slice(Math.max(this.start, this.end - n), this.end)
  }
  /** The first `n` code units (`data[:n]`). */
  head(n: number): string {
    return this.source.slice(this.start, this.start + n)
  }
}

interface State {
  /** The state after `ch`, or `null` to end the statement at `ch`. */
  next(ch: string, data: Token): State | null
}

class ReadyState implements State {
  next(ch: string, data: Token): State | null {
    switch (ch) {
      case '$':
        return new TagState(data.length - 1)
      case "'":
      case '"':
        return new QuoteState(ch)
      case '-':
        return new CommentState()
      case '/':
        return new BlockState()
      case '\\':
        return new EscapeState()
      case ';':
        return null
      case '(':
        return new AtomicState(this, ')')
      case 'c':
      case 'C':
        if (isBeginAtomic(data)) return new AtomicState(this, 'END')
    }
    return this
  }
}

const BEGIN_ATOMIC = 'ATOMIC'
const identifierRune = /^[\p{L}\p{N}_$]$/u

function isBeginAtomic(data: Token): boolean {
  const offset = data.length - BEGIN_ATOMIC.length
  if (offset < 0 || !equalFold(data.tail(BEGIN_ATOMIC.length), BEGIN_ATOMIC)) return false
  const before = data.head(offset)
  if (offset > 0 && identifierRune.test(lastCodePoint(before))) return false
  const prefix = trimEndGo(before)
  const beginAt = prefix.length - 'BEGIN'.length
  if (beginAt < 0 || !equalFold(prefix.slice(beginAt), 'BEGIN')) return false
  if (beginAt === 0) return true
  return !identifierRune.test(lastCodePoint(prefix.slice(0, beginAt)))
}

/** After one `-`: a second one opens a line comment. */
class CommentState implements State {
  next(ch: string, data: Token): State | null {
    if (ch === '-') return new DollarState('\n')
    return new ReadyState().next(ch, data)
  }
}

/** After a `/`: a `*` opens a block comment, which nests. */
class BlockState implements State {
  private depth = 0
  next(ch: string, data: Token): State | null {
    const window = data.tail(2)
    if (window === '/*') {
      this.depth += 1
      return this
    }
    if (this.depth === 0) return new ReadyState().next(ch, data)
    if (window === '*/') {
      this.depth -= 1
      if (this.depth === 0) return new ReadyState()
    }
    return this
  }
}

/** Inside `'…'` or `"…"`; a doubled delimiter is an escaped one. */
class QuoteState implements State {
  private escape = false
  constructor(private readonly delimiter: string) {}
  next(ch: string, data: Token): State | null {
    if (this.escape) {
      if (ch === this.delimiter) {
        this.escape = false
        return this
      }
      return new ReadyState().next(ch, data)
    }
    if (ch === this.delimiter) this.escape = true
    return this
  }
}

/** Inside text that nothing escapes until `delimiter` (a dollar quote, or a line comment up to `\n`). */
class DollarState implements State {
  constructor(private readonly delimiter: string) {}
  next(_ch: string, data: Token): State | null {
    return data.tail(this.delimiter.length) === this.delimiter ? new ReadyState() : this
  }
}

/** After a `$`: a tag of letters, digits and `_` up to the next `$` opens a dollar quote. */
class TagState implements State {
  constructor(private readonly offset: number) {}
  next(ch: string, data: Token): State | null {
    if (ch === '$') return new DollarState(data.tail(data.length - this.offset))
    if (/^[\p{L}\p{N}_]$/u.test(ch)) return this
    return new ReadyState().next(ch, data)
  }
}

/** After a backslash: the next character means nothing. */
class EscapeState implements State {
  next(): State | null {
    return new ReadyState()
  }
}

/** Inside `( … )` or `BEGIN ATOMIC … END`: `;` does not end the statement. */
class AtomicState implements State {
  constructor(
    private prev: State,
    private readonly delimiter: string,
  ) {}
  next(ch: string, data: Token): State | null {
    // Quotes and comments inside the body still hide the delimiter.
    const current = this.prev.next(ch, data)
    if (current !== null) this.prev = current
    if (this.prev instanceof ReadyState && equalFold(data.tail(this.delimiter.length), this.delimiter)) {
      return new ReadyState()
    }
    return this
  }
}

// Go's strings.TrimSpace trims unicode.IsSpace, which differs slightly from String#trim (U+0085 yes, U+FEFF no).
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
const leadingSpace = new RegExp(`^[${GO_SPACE}]+`)
const trailingSpace = new RegExp(`[${GO_SPACE}]+$`)
const trimStartGo = (s: string) => s.replace(leadingSpace, '')
const trimEndGo = (s: string) => s.replace(trailingSpace, '')
const trimGo = (s: string) => trimEndGo(trimStartGo(s))

/** Case-insensitive for ASCII letters only, as Go's strings.EqualFold is for these ASCII keywords. */
function equalFold(a: string, b: string): boolean {
  const lower = (s: string) => s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32))
  return a.length === b.length && lower(a) === lower(b)
}

function lastCodePoint(s: string): string {
  if (s.length === 0) return ''
  const last = s.charCodeAt(s.length - 1)
  const isLowSurrogate = last >= 0xdc00 && last <= 0xdfff
  return isLowSurrogate && s.length >= 2 ? s.slice(-2) : s.slice(-1)
}
