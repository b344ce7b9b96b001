// Exact reference solvers for the optimizer's projections, written independently of compiler/optimize/:
// plain dynamic programs over small instances, with every cost summed directly (no prefix sums).
// Used by the tests in this folder and by bench/projection_gap.ts.

/** Standard normal sample from a uniform source (Box–Muller). */
export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * Optimal 1-D k-means distortion: min over partitions of the sorted points into ≤ k contiguous groups of
 * Σ w·(x − mean)². Group costs come from Welford's running mean/variance (not prefix sums), then a plain
 * O(k·n²) DP. For n up to a few hundred.
 */
export function kmeansOptimalDistortion(values: ArrayLike<number>, k: number, weights?: ArrayLike<number>): number {
  const idx = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const x = idx.map((i) => values[i]);
  const w = idx.map((i) => (weights === undefined ? 1 : weights[i]));
  const n = x.length;
  if (n === 0) return 0;
  // cost[l][i] = Σ_{l ≤ t < i} w_t (x_t − mean)², by weighted Welford updates from each start l.
  const cost: Float64Array[] = [];
  for (let l = 0; l < n; l++) {
    const row = new Float64Array(n + 1);
    let sw = 0;
    let mean = 0;
    let m2 = 0;
    for (let i = l; i < n; i++) {
      if (w[i] > 0) {
        const sw2 = sw + w[i];
        const delta = x[i] - mean;
        const r = (delta * w[i]) / sw2;
        mean += r;
        m2 += sw * delta * r;
        sw = sw2;
      }
      row[i + 1] = m2;
    }
    cost.push(row);
  }
  let best = new Float64Array(n + 1).fill(Infinity);
  best[0] = 0;
  let answer = Infinity;
  for (let g = 1; g <= k; g++) {
    const next = new Float64Array(n + 1).fill(Infinity);
    for (let i = 1; i <= n; i++) {
      for (let l = 0; l < i; l++) {
        const v = best[l] + cost[l][i];
        if (v < next[i]) next[i] = v;
      }
    }
    best = next;
    answer = Math.min(answer, best[n]);
  }
  return answer;
}

/** Exact 0-1 knapsack by DP over integer costs: maximum Σ value with Σ cost ≤ budget, and one optimal set. */
export function knapsackExact(values: number[], costs: number[], budget: number): { value: number; keep: boolean[] } {
  const n = values.length;
  const cap = Math.floor(budget);
  if (cap < 0) return { value: -Infinity, keep: new Array<boolean>(n).fill(false) };
  for (const c of costs)
    if (!Number.isInteger(c) || c < 0) throw new Error(`knapsackExact: cost ${c} is not a non-negative integer`);
  // table[i][c] = best value using items < i within cost c.
  const table: Float64Array[] = [new Float64Array(cap + 1)];
  for (let i = 0; i < n; i++) {
    const prev = table[i];
    const cur = Float64Array.from(prev);
    for (let c = costs[i]; c <= cap; c++) {
      const v = prev[c - costs[i]] + values[i];
      if (v > cur[c]) cur[c] = v;
    }
    table.push(cur);
  }
  const keep = new Array<boolean>(n).fill(false);
  let c = cap;
  for (let i = n - 1; i >= 0; i--) {
    if (table[i + 1][c] !== table[i][c]) {
      keep[i] = true;
      c -= costs[i];
    }
  }
  return { value: table[n][cap], keep };
}

/**
 * Exact multiple-choice knapsack by enumerating every combination (one option per layer).
 * Minimum Σ distortion with Σ cost ≤ budget, or Infinity if no combination fits. For ≤ ~10^6 combinations.
 */
export function mckpBruteForce(layers: { costBits: number; distortion: number }[][], budget: number): number {
  let best = Infinity;
  const walk = (i: number, cost: number, dist: number): void => {
    if (cost > budget) return;
    if (i === layers.length) {
      if (dist < best) best = dist;
      return;
    }
    for (const o of layers[i]) walk(i + 1, cost + o.costBits, dist + o.distortion);
  };
  walk(0, 0, 0);
  return best;
}
