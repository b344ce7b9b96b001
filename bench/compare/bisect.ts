// A monotone search shared by the methods: the largest parameter (density, or the smallest Deep Compression
// quality factor) whose exported file still fits the target. Real file size is only roughly monotone in the
// parameter (index encodings switch, dead units vanish), so every probe is measured and the best feasible kept.

/**
 * Searches x in [lo, hi] where size(x) grows with x, for the x with the largest size(x) ≤ target. `tries` probes.
 * Returns undefined when even `lo` is over the target.
 */
export function bisectToSize<T>(
  lo: number, hi: number, target: number, probe: (x: number) => { bytes: number; value: T }, tries = 14,
): { x: number; bytes: number; value: T } | undefined {
  let best: { x: number; bytes: number; value: T } | undefined;
  const at = (x: number): boolean => {
    const r = probe(x);
    if (r.bytes <= target && (!best || r.bytes > best.bytes)) best = { x, ...r };
    return r.bytes <= target;
  };
  if (at(hi)) return best;
  if (!at(lo)) return undefined;
  for (let i = 0; i < tries; i++) {
    const mid = (lo + hi) / 2;
    if (at(mid)) lo = mid;
    else hi = mid;
  }
  return best;
}
