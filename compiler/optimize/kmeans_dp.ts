// Optimal 1-D k-means over contiguous groups of sorted points ("bins"), for every k up to kMax in one pass.
//
// In 1-D an optimal k-means partition consists of contiguous runs of the sorted points, so
//   D_g(i) = min_{l < i} D_{g−1}(l) + cost(l, i),   cost(l, i) = Σ_{bins l..i−1} w·(x − mean)²,
// with cost from prefix sums. The leftmost minimizing l is non-decreasing in i (the cost obeys the quadrangle
// inequality), so each layer g is solved by divide and conquer in O(B log B): the whole table for g = 1..kMax costs
// O(kMax · B log B) and gives the optimum for every k ≤ kMax at once (Grønlund et al. 2017; Wang & Song, Ckmeans.1d.dp).
// The minimizing l is also non-decreasing in g (one more group never makes the last group longer), so each row's
// scan starts at the previous layer's choice: this halves the work on 400k weights, with identical optima.
//
// When the points are few (m ≤ maxBins) each point is its own bin and the result is the exact optimum. Otherwise
// points are grouped into bins that are narrow both in count (≤ m / countBins points) and in value
// (≤ range / widthBins wide); the DP is then optimal among partitions that respect bin edges, and the caller
// polishes it with Lloyd iterations on the raw points.

/** Prefix sums over sorted unique points: p0 = Σ w, p1 = Σ w·y, p2 = Σ w·y² with y = x − shift (length m + 1). */
export interface PrefixSums {
  p0: Float64Array;
  p1: Float64Array;
  p2: Float64Array;
}

/** Bin edges e[0] = 0 < e[1] < … < e[B] = m (indices into the sorted points). */
export function makeBins(x: Float32Array | Float64Array, maxBins: number): Int32Array {
  const m = x.length;
  if (m <= maxBins) return Int32Array.from({ length: m + 1 }, (_, i) => i);
  const half = Math.max(1, Math.floor(maxBins / 2));
  const maxCount = Math.ceil(m / half);
  const maxWidth = (x[m - 1] - x[0]) / half;
  const edges: number[] = [0];
  let start = 0;
  for (let i = 1; i < m; i++) {
    if (i - start >= maxCount || x[i] - x[start] > maxWidth) {
      edges.push(i);
      start = i;
    }
  }
  edges.push(m);
  return Int32Array.from(edges);
}

/** Table of optimal splits: arg[g][i] = start bin of the last group when bins 0..i−1 form g + 1 groups. */
export interface SplitTable {
  edges: Int32Array;
  arg: Int32Array[];
  /** best[g] = optimal distortion of all B bins in g + 1 groups (Infinity if B < g + 1). */
  best: Float64Array;
}

/** Solves D_g for g = 1..kMax (kMax ≥ 1) over the given bins. */
export function solveSplits(sums: PrefixSums, edges: Int32Array, kMax: number): SplitTable {
  const nb = edges.length - 1;
  const W = new Float64Array(nb + 1);
  const S = new Float64Array(nb + 1);
  const Q = new Float64Array(nb + 1);
  for (let i = 0; i <= nb; i++) {
    W[i] = sums.p0[edges[i]];
    S[i] = sums.p1[edges[i]];
    Q[i] = sums.p2[edges[i]];
  }
  const layers = Math.min(kMax, nb);
  const arg: Int32Array[] = [new Int32Array(nb + 1)]; // one group: it starts at bin 0
  const best = new Float64Array(kMax).fill(Infinity);
  let prev = new Float64Array(nb + 1).fill(Infinity);
  for (let i = 1; i <= nb; i++) {
    const s = S[i] - S[0];
    prev[i] = Q[i] - Q[0] - (s * s) / (W[i] - W[0]);
  }
  best[0] = prev[nb];
  // Explicit stack of (lo, hi, optLo, optHi) ranges; depth-first, so it never holds more than ~2·log2(B) of them.
  const stack = new Int32Array(4 * 128);
  for (let g = 1; g < layers; g++) {
    const cur = new Float64Array(nb + 1).fill(Infinity);
    const a = new Int32Array(nb + 1);
    const below = arg[g - 1]; // previous layer's choices: a lower bound on this layer's
    // Rows i ∈ [g + 1, nb] (g + 1 groups need g + 1 bins), splits l ∈ [g, i − 1].
    let sp = 0;
    stack[sp++] = g + 1;
    stack[sp++] = nb;
    stack[sp++] = g;
    stack[sp++] = nb - 1;
    while (sp > 0) {
      const optHi = stack[--sp];
      const optLo = stack[--sp];
      const hi = stack[--sp];
      const lo = stack[--sp];
      if (lo > hi) continue;
      const mid = (lo + hi) >>> 1;
      const wm = W[mid];
      const sm = S[mid];
      const qm = Q[mid];
      const lEnd = Math.min(mid - 1, optHi);
      // Should rounding ever break the bound (empty range), fall back to the plain divide-and-conquer range.
      const lStart = below[mid] <= lEnd ? Math.max(optLo, below[mid]) : optLo;
      let bestV = Infinity;
      let bestL = lStart;
      for (let l = lStart; l <= lEnd; l++) {
        // Hot loop: cost(l, mid) inlined. A rounding-negative cost only shifts a tie; no clamp needed here.
        const s = sm - S[l];
        const v = prev[l] + (qm - Q[l]) - (s * s) / (wm - W[l]);
        if (v < bestV) {
          bestV = v;
          bestL = l;
        }
      }
      cur[mid] = bestV;
      a[mid] = bestL;
      stack[sp++] = lo;
      stack[sp++] = mid - 1;
      stack[sp++] = optLo;
      stack[sp++] = bestL;
      stack[sp++] = mid + 1;
      stack[sp++] = hi;
      stack[sp++] = bestL;
      stack[sp++] = optHi;
    }
    arg.push(a);
    best[g] = cur[nb];
    prev = cur;
  }
  return { edges, arg, best };
}

/**
 * Group boundaries (point indices, length k + 1) of the optimal split into k = min(k, B) groups.
 * Requires k ≤ the kMax the table was solved for.
 */
export function backtrack(table: SplitTable, k: number): Int32Array {
  const nb = table.edges.length - 1;
  const groups = Math.min(k, nb, table.arg.length);
  const bounds = new Int32Array(groups + 1);
  let i = nb;
  bounds[groups] = table.edges[nb];
  for (let g = groups - 1; g >= 1; g--) {
    i = table.arg[g][i];
    bounds[g] = table.edges[i];
  }
  return bounds;
}
