import { describe, expect, it } from 'vitest'
import { roundOrder } from '../../bench/lib/load.js'

/** Every round of one full cycle of `roundOrder(n, …)`: n rounds when n is even, 2n when it is odd. */
const cycleOf = (n: number) => Array.from({ length: n % 2 ? 2 * n : n }, (_, r) => roundOrder(n, r + 1))

const tally = (keys: string[]) => {
  const counts = new Map<string, number>()
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1)
  return counts
}

describe('the order of contenders in a benchmark round', () => {
  it.each([2, 3, 4, 5, 6])('with %i contenders, each runs in every position and after every other one equally often', (n) => {
    const rounds = cycleOf(n)
    for (const order of rounds) expect([...order].sort((a, b) => a - b)).toEqual([...Array(n).keys()])
    const positions = tally(rounds.flatMap((order) => order.map((c, i) => `${c} at ${i}`)))
    const followers = tally(rounds.flatMap((order) => order.slice(1).map((c, i) => `${order[i]} then ${c}`)))
    expect(positions.size).toBe(n * n)
    expect(new Set(positions.values()).size).toBe(1)
    // Every ordered pair of distinct contenders, the same number of times.
    expect(followers.size).toBe(n * (n - 1))
    expect(new Set(followers.values()).size).toBe(1)
  })

  it('is not a plain rotation, in which each contender always follows the same one', () => {
    const predecessors = new Set(
      cycleOf(4)
        .map((order) => order[order.indexOf(0) - 1])
        .filter((c) => c !== undefined),
    )
    expect(predecessors.size).toBe(3)
  })
})
