/**
 * The fuzzy search behind PostgREST's "Perhaps you meant ..." hints: the Haskell `fuzzyset` package
 * (0.2.x) as PostgREST configures it (`Fuzzy.fromList`: gram sizes 2 and 3, Levenshtein re-scoring).
 * Written from the package's documented algorithm; see README's browser-adapter section for what
 * could not be reproduced (ties).
 *
 * A query is first compared lower-cased against the exact entries (score 1). Otherwise, for gram
 * size 3 and then 2, every entry sharing a gram is scored by the cosine of the gram-count vectors,
 * the best 50 are re-scored by normalised Levenshtein similarity (1 - distance / longer length) of the
 * lower-cased strings, and those at or above the minimum score are returned best first; the first
 * gram size with any result wins.
 */

interface Item {
  /** The lower-cased entry. */
  key: string
  /** Euclidean norm of its gram-count vector, per gram size. */
  norms: Map<number, number>
  grams: Map<number, Map<string, number>>
}

const gramSizes = [2, 3]

/** Lower case, keeping only letters, digits, white space and commas, enclosed in hyphens. */
function normalized(value: string): string {
  return `-${[...value.toLowerCase()].filter((c) => /[\p{L}\p{N}\s,]/u.test(c)).join('')}-`
}

function gramVector(value: string, size: number): Map<string, number> {
  const text = [...normalized(value)]
  const vector = new Map<string, number>()
  for (let i = 0; i + size <= text.length; i++) {
    const gram = text.slice(i, i + size).join('')
    vector.set(gram, (vector.get(gram) ?? 0) + 1)
  }
  return vector
}

const norm = (vector: Map<string, number>) => Math.sqrt([...vector.values()].reduce((s, n) => s + n * n, 0))

function levenshtein(a: string[], b: string[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/** text-metrics' levenshteinNorm: 1 for equal strings, 0 for nothing in common. */
export function similarity(a: string, b: string): number {
  const x = [...a]
  const y = [...b]
  const longest = Math.max(x.length, y.length)
  return longest === 0 ? 1 : 1 - levenshtein(x, y) / longest
}

export class FuzzySet {
  private readonly exact = new Map<string, string>()
  private readonly items: Item[] = []

  /** As `Fuzzy.fromList`: entries are added last to first, so the last one gets the first index. */
  constructor(values: Iterable<string>) {
    for (const value of [...values].reverse()) {
      const key = value.toLowerCase()
      if (this.exact.has(key)) continue
      this.exact.set(key, value)
      const grams = new Map(gramSizes.map((size) => [size, gramVector(key, size)]))
      this.items.push({ key, grams, norms: new Map([...grams].map(([size, v]) => [size, norm(v)])) })
    }
  }

  /** The best entry scoring at least `minScore` (getOneWithMinScore), or undefined. */
  getOne(value: string, minScore = 0.33): string | undefined {
    const key = value.toLowerCase()
    const exact = this.exact.get(key)
    if (exact !== undefined) return exact
    for (const size of [...gramSizes].reverse()) {
      const found = this.matches(key, size, minScore)
      if (found.length > 0) return this.exact.get(found[0]!)
    }
    return undefined
  }

  private matches(key: string, size: number, minScore: number): string[] {
    const query = gramVector(key, size)
    const queryNorm = norm(query)
    const scored = this.items
      .map((item) => {
        const grams = item.grams.get(size)!
        let dot = 0
        for (const [gram, count] of query) dot += count * (grams.get(gram) ?? 0)
        return { item, dot, cosine: dot / (queryNorm * item.norms.get(size)!) }
      })
      .filter((s) => s.dot > 0)
      // Array.prototype.sort is stable, as Haskell's sortBy; ties keep the index order.
      .sort((a, b) => b.cosine - a.cosine)
      .slice(0, 50)
      .map(({ item }) => ({ key: item.key, score: similarity(key, item.key) }))
      .sort((a, b) => b.score - a.score)
    return scored.filter((s) => s.score >= minScore).map((s) => s.key)
  }
}
