import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot } from '../../src/tooling/migrations.js'

/** One row of RELIABILITY.md: what a reliability test checked and what it found, measured this run. */
export interface ReliabilityFigure {
  area: 'security' | 'invariants' | 'faults' | 'hostile input' | 'load and the pooler'
  /** What was checked, in a few words. */
  check: string
  /** How many cases (cells, sequences, inputs, operations) were tried. */
  cases: number
  /** Faults injected (killed backends, restarts, timeouts, cut connections); 0 where none. */
  faults?: number
  /** Load held, in words (e.g. "60 s at 32 callers, 412 transfers/s, p99 41 ms"). */
  load?: string
  /** Violations found: every one is a bug. Zero is the goal. */
  violations: number
  /** The command that reproduces this figure. */
  command: string
  /** Anything else measured that explains the figure. */
  notes?: string
}

export const reliabilityDir = () => join(packageRoot(), 'test', '.artifacts', 'reliability')

/**
 * Records a figure for RELIABILITY.md (`npm run reliability` rebuilds the file from these). Called by
 * the reliability tests with what they actually measured; nothing is written by hand.
 */
export function recordFigure(file: string, figure: ReliabilityFigure): void {
  const dir = reliabilityDir()
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `${file.replace(/[^a-z0-9-]+/gi, '-')}.json`)
  let figures: ReliabilityFigure[] = []
  try {
    figures = JSON.parse(readFileSync(path, 'utf8')) as ReliabilityFigure[]
  } catch {
    // first figure of this file
  }
  figures = [...figures.filter((f) => f.check !== figure.check), { faults: 0, ...figure }]
  writeFileSync(path, JSON.stringify(figures, null, 2))
}
