// Interleaved latency measurement for the runtime benchmark. Every round visits each case once, in a fresh
// seeded-random order, so that load from other processes on the machine lands on all cases alike. A visit is
// one untimed run (it brings the case's code and data back into the caches the previous case evicted: a fixed
// order would give every case the same predecessor and bias it) and one timed run. The figures are order
// statistics (median, p10, p90), which a few slow runs (a GC pause, a neighbour's burst) barely move.
import { createRng } from '../compiler/util/rng.js';

/** A thing to time: one call = one forward pass. */
export interface TimedCase {
  name: string;
  run: () => void;
}

/** Milliseconds per run: median and the 10th and 90th percentiles over `runs` runs. */
export interface LatencyStats {
  median: number;
  p10: number;
  p90: number;
  runs: number;
}

/** The q-quantile of ascending `sorted` by linear interpolation (q in [0, 1]). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export function summarize(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p10: quantile(sorted, 0.1), p90: quantile(sorted, 0.9), runs: sorted.length };
}

/**
 * Per round r, reference[r] / subject[r]: how many times faster the subject was than the reference in that round.
 * Both ran within the same round, so a change of machine load over the run affects both sides of each ratio.
 */
export function pairedRatios(reference: readonly number[], subject: readonly number[]): number[] {
  return subject.map((t, r) => reference[r]! / t);
}

/**
 * Runs every case `warmup` times, then `runs` rounds that visit each case once in a shuffled order (one untimed
 * and one timed run per visit).
 * @returns per case name, its timed run of each round in milliseconds (index = round)
 */
export function timeInterleaved(cases: readonly TimedCase[], runs: number, warmup: number): Map<string, number[]> {
  for (let w = 0; w < warmup; w++) for (const c of cases) c.run();
  const samples = cases.map(() => new Array<number>(runs));
  const order = Array.from(cases.keys());
  const rng = createRng(runs);
  for (let r = 0; r < runs; r++) {
    for (const index of rng.shuffle(order)) {
      const run = cases[index]!.run;
      run();
      const started = performance.now();
      run();
      samples[index]![r] = performance.now() - started;
    }
  }
  return new Map(cases.map((c, i) => [c.name, samples[i]!]));
}
