// A size search shared by the methods: the parameter (density, Deep Compression's quality factor, a knapsack
// budget) whose exported file is largest while still ≤ the target. Real file size is only roughly monotone in the
// parameter (index encodings switch, dead units vanish, the bit allocation jumps), so a plain bisection can stop
// far under the target: a coarse scan first finds the largest feasible grid point, then bisection refines between
// it and the next grid point. Every probe is measured and the best feasible one kept.

/**
 * Searches x in [lo, hi] (size(x) roughly growing with x) for the largest size(x) ≤ target, with `grid` scan
 * points and `tries` bisection steps. Returns undefined when no probe fits.
 */
export function bisectToSize<T>(
  lo: number,
  hi: number,
  target: number,
  probe: (x: number) => { bytes: number; value: T },
  tries = 10,
  grid = 12,
): { x: number; bytes: number; value: T } | undefined {
  let best: { x: number; bytes: number; value: T } | undefined;
  const at = (x: number): boolean => {
    const r = probe(x);
    if (r.bytes <= target && (!best || r.bytes > best.bytes)) best = { x, ...r };
    return r.bytes <= target;
  };
  const step = (hi - lo) / grid;
  for (let i = grid; i >= 0; i--) at(lo + i * step);
  if (!best) return undefined;
  let a = best.x;
  let b = Math.min(hi, best.x + step);
  if (a === b) return best;
  for (let i = 0; i < tries; i++) {
    const mid = (a + b) / 2;
    if (at(mid)) a = mid;
    else b = mid;
  }
  return best;
}
