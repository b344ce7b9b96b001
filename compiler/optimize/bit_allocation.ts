// Bit allocation: a multiple-choice knapsack, one option (bitwidth) per layer, minimizing Σ distortion within
// a budget of bits.
//
// Greedy (allocateBits):
//   1. Per layer, sort options by cost (ties: lower distortion, then lower index), keep the Pareto front (each kept
//      option strictly lowers distortion), and take its lower convex hull. Start every layer at its cheapest option.
//      If those alone exceed the budget the problem is infeasible: return them with feasible = false.
//   2. Hull upgrades: a layer's next hull step saves Δd distortion for Δc bits; its ratios Δd/Δc decrease along the
//      hull. Repeatedly take the layer whose next step has the best ratio (ties: lower layer index). A step that does
//      not fit blocks its layer (its later steps depend on it); other layers go on.
//   3. Single moves: while some layer can switch to ANY option with lower distortion whose extra cost fits, make the
//      switch that saves the most distortion (ties: lower layer, then lower option index).
//   4. Pair moves: when no single move helps, make the best simultaneous switch of two layers that fits and lowers
//      Σ distortion (typically: one layer gives bits back, another takes them), then go back to step 3.
//      On random instances this cuts the mean gap to the optimum about 4× (bench/projection_gap.ts).
// Bound: after step 2 (up to the first blocked step) the distortion is at most the LP-relaxation optimum plus that
// step's Δd, and steps 3–4 only lower it, so
//   D_greedy ≤ D_opt + max_i (D_i(cheapest option) − min_o D_i(o)).
// allocateBitsExact solves the same problem by dynamic programming over integer costs (tests, small instances).

/** One choice for a layer: its bitwidth, total cost in bits (codes + index + codebook, as the caller counts), distortion. */
export interface BitOption {
  bits: number;
  costBits: number;
  distortion: number;
}

/** choice[i] indexes layers[i]. costBits (bits) and distortion are the sums over layers. */
export interface BitAllocation {
  choice: number[];
  costBits: number;
  distortion: number;
  feasible: boolean;
}

function checkLayers(layers: BitOption[][], fn: string): void {
  layers.forEach((options, i) => {
    if (options.length === 0) throw new RangeError(`${fn}: layer ${i} has no options`);
    options.forEach((o, j) => {
      if (!Number.isFinite(o.costBits) || o.costBits < 0) {
        throw new RangeError(`${fn}: layer ${i} option ${j} costBits is ${o.costBits}; it must be finite and ≥ 0`);
      }
      if (!Number.isFinite(o.distortion)) {
        throw new RangeError(`${fn}: layer ${i} option ${j} distortion is ${o.distortion}; it must be finite`);
      }
    });
  });
}

/** Option indices of the lower convex hull of the Pareto front, from the cheapest option up. */
function hullOf(options: BitOption[]): number[] {
  const order = options
    .map((_, j) => j)
    .sort(
      (a, b) => options[a].costBits - options[b].costBits || options[a].distortion - options[b].distortion || a - b,
    );
  const front: number[] = [];
  for (const j of order) {
    if (front.length === 0 || options[j].distortion < options[front[front.length - 1]].distortion) front.push(j);
  }
  const hull: number[] = [];
  for (const j of front) {
    // Pop the middle point while it lies strictly above the chord from its predecessor to j.
    while (hull.length >= 2) {
      const a = options[hull[hull.length - 2]];
      const b = options[hull[hull.length - 1]];
      const c = options[j];
      const cross =
        (b.costBits - a.costBits) * (c.distortion - a.distortion) -
        (b.distortion - a.distortion) * (c.costBits - a.costBits);
      if (cross < 0) hull.pop();
      else break;
    }
    hull.push(j);
  }
  return hull;
}

function summarize(layers: BitOption[][], choice: number[], budgetBits: number, feasibleStart: boolean): BitAllocation {
  let costBits = 0;
  let distortion = 0;
  layers.forEach((options, i) => {
    costBits += options[choice[i]].costBits;
    distortion += options[choice[i]].distortion;
  });
  return { choice, costBits, distortion, feasible: feasibleStart && costBits <= budgetBits };
}

/**
 * One option per layer, minimizing Σ distortion subject to Σ costBits ≤ budgetBits (greedy over convex hulls, then
 * single moves; see the header for the algorithm and its bound). Deterministic. When even the cheapest options do
 * not fit, returns them with feasible = false and costBits > budgetBits.
 */
export function allocateBits(layers: BitOption[][], budgetBits: number): BitAllocation {
  if (Number.isNaN(budgetBits)) throw new RangeError('allocateBits: budgetBits is NaN');
  checkLayers(layers, 'allocateBits');
  const hulls = layers.map(hullOf);
  const step = new Array<number>(layers.length).fill(0); // position on each hull
  const choice = hulls.map((h) => h[0]);
  let cost = 0;
  layers.forEach((options, i) => (cost += options[choice[i]].costBits));
  if (cost > budgetBits) return summarize(layers, choice, budgetBits, false);

  // 2. Hull upgrades by best ratio.
  const blocked = new Array<boolean>(layers.length).fill(false);
  for (;;) {
    let best = -1;
    let bestRatio = -Infinity;
    for (let i = 0; i < layers.length; i++) {
      if (blocked[i] || step[i] + 1 >= hulls[i].length) continue;
      const a = layers[i][hulls[i][step[i]]];
      const b = layers[i][hulls[i][step[i] + 1]];
      const ratio = (a.distortion - b.distortion) / (b.costBits - a.costBits); // cost strictly rises on a Pareto front
      if (ratio > bestRatio) {
        bestRatio = ratio;
        best = i;
      }
    }
    if (best < 0) break;
    const next = hulls[best][step[best] + 1];
    const extra = layers[best][next].costBits - layers[best][choice[best]].costBits;
    if (cost + extra <= budgetBits) {
      cost += extra;
      step[best]++;
      choice[best] = next;
    } else blocked[best] = true;
  }

  // 3–4. Single moves that still fit, largest saving first; pair moves when none is left. Every move lowers
  // Σ distortion, so this ends; the guard only protects against rounding ping-pong.
  const maxMoves = 100 * layers.reduce((s, o) => s + o.length, 0);
  for (let moves = 0; moves < maxMoves; moves++) {
    let bestLayer = -1;
    let bestOption = -1;
    let bestSaving = 0;
    layers.forEach((options, i) => {
      const cur = options[choice[i]];
      options.forEach((o, j) => {
        const saving = cur.distortion - o.distortion;
        if (saving > bestSaving && cost + (o.costBits - cur.costBits) <= budgetBits) {
          bestSaving = saving;
          bestLayer = i;
          bestOption = j;
        }
      });
    });
    if (bestLayer < 0) {
      if (!pairMove(layers, choice, budgetBits - cost)) break;
      cost = 0;
      layers.forEach((options, i) => (cost += options[choice[i]].costBits));
      continue;
    }
    cost += layers[bestLayer][bestOption].costBits - layers[bestLayer][choice[bestLayer]].costBits;
    choice[bestLayer] = bestOption;
  }
  return summarize(layers, choice, budgetBits, true);
}

/**
 * Step 4: the best exchange between two layers (switch both at once) that fits `slack` and lowers Σ distortion.
 * Applies it and returns true, or returns false when none exists. O((Σ options)²) per call.
 */
function pairMove(layers: BitOption[][], choice: number[], slack: number): boolean {
  let best: [number, number, number, number] | null = null;
  let bestSaving = 0;
  for (let i = 0; i < layers.length; i++) {
    const ci = layers[i][choice[i]];
    for (let a = 0; a < layers[i].length; a++) {
      const oa = layers[i][a];
      const dCost = oa.costBits - ci.costBits;
      const dDist = ci.distortion - oa.distortion;
      for (let j = i + 1; j < layers.length; j++) {
        const cj = layers[j][choice[j]];
        for (let b = 0; b < layers[j].length; b++) {
          const ob = layers[j][b];
          const saving = dDist + cj.distortion - ob.distortion;
          if (saving > bestSaving && dCost + ob.costBits - cj.costBits <= slack) {
            bestSaving = saving;
            best = [i, a, j, b];
          }
        }
      }
    }
  }
  if (best === null) return false;
  choice[best[0]] = best[1];
  choice[best[2]] = best[3];
  return true;
}

/** Largest DP table (layers × (budget + 1) cells) allocateBitsExact accepts. */
const EXACT_MAX_CELLS = 50_000_000;

/**
 * Exact minimum of Σ distortion with Σ costBits ≤ budgetBits, by dynamic programming over integer costs.
 * Every costBits must be an integer; budgetBits is rounded down. O(layers · options · budget) time,
 * O(layers · budget) memory, so for tests and small instances (throws above 5·10^7 table cells: scale the costs).
 * Ties go to the lower option index. When the cheapest options do not fit, returns them with feasible = false.
 */
export function allocateBitsExact(layers: BitOption[][], budgetBits: number): BitAllocation {
  if (Number.isNaN(budgetBits)) throw new RangeError('allocateBitsExact: budgetBits is NaN');
  checkLayers(layers, 'allocateBitsExact');
  layers.forEach((options, i) =>
    options.forEach((o, j) => {
      if (!Number.isInteger(o.costBits)) {
        throw new RangeError(
          `allocateBitsExact: layer ${i} option ${j} costBits is ${o.costBits}; the DP needs integer costs`,
        );
      }
    }),
  );
  const cheapest = layers.map((options) => {
    let best = 0;
    options.forEach((o, j) => {
      const b = options[best];
      if (o.costBits < b.costBits || (o.costBits === b.costBits && o.distortion < b.distortion)) best = j;
    });
    return best;
  });
  let minCost = 0;
  layers.forEach((options, i) => (minCost += options[cheapest[i]].costBits));
  if (!(minCost <= budgetBits)) return summarize(layers, cheapest, budgetBits, false);
  const cap = Math.floor(
    Math.min(
      budgetBits,
      layers.reduce((s, o) => s + Math.max(...o.map((x) => x.costBits)), 0),
    ),
  );
  if (layers.length * (cap + 1) > EXACT_MAX_CELLS) {
    throw new RangeError(
      `allocateBitsExact: ${layers.length} layers × ${cap + 1} budget cells exceeds ${EXACT_MAX_CELLS}; scale the costs down or use allocateBits`,
    );
  }
  // best[c] = min distortion of the layers so far with total cost ≤ c.
  let best = new Float64Array(cap + 1);
  const pick: Int16Array[] = [];
  for (const options of layers) {
    const next = new Float64Array(cap + 1).fill(Infinity);
    const p = new Int16Array(cap + 1).fill(-1);
    options.forEach((o, j) => {
      for (let c = o.costBits; c <= cap; c++) {
        const d = best[c - o.costBits] + o.distortion;
        if (d < next[c]) {
          next[c] = d;
          p[c] = j;
        }
      }
    });
    pick.push(p);
    best = next;
  }
  const choice = new Array<number>(layers.length);
  let c = cap;
  for (let i = layers.length - 1; i >= 0; i--) {
    choice[i] = pick[i][c];
    c -= layers[i][choice[i]].costBits;
  }
  return summarize(layers, choice, budgetBits, true);
}
