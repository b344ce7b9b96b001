// Structured sparse projection: one 0-1 knapsack over single weights AND whole units (dense units, conv output
// channels), in the same budget of bits.
//
// Why units: a file pays per kept weight (its code, and for sparse encodings its position) but also per LIVE
// weight, the ones a unit's row or column still spans once dead units are gone: a dense codebook tensor pays b bits
// for every live weight and nothing for positions, a bitmap one bit. A unit also costs its bias, and it keeps the
// next layer's matching input slice alive. Removing a unit frees all of that; the per-weight knapsack cannot see it.
//
// Model, per layer i (β = bits per kept weight, S = bits to open one unit):
//   - "openable" layers (units removable): a unit is a group. Its first kept weight costs S_i (its live-weight
//     bits, its bias, the consumer's slice; the caller prices them) and every kept weight β_i. A group's value is
//     Σ score of its kept weights plus an optional bonus (e.g. the consumer slice's value).
//   - other layers: single weights at β_i each (their live-weight bits are the caller's fixed cost).
//   With β_i = 0 (a dense codebook layer) an open unit keeps all its positive-score weights for free.
// Algorithm (the greedy over each group's concave hull, as for multiple-choice knapsacks):
//   1. Per group, weights sorted by score; the opening item takes the top k* weights, k* maximizing
//      (bonus + V_k) / (S + k·β) (V_k: the k best scores). Every later weight is an item of ratio score/β, never
//      above the opening's ratio, so the concave hull of a group is: opening, then singles in order.
//   2. Forced: each layer keeps minKeep (default 1) items: its best opening, or its best singles. Then each layer
//      with a floor (minOpen) opens its units in ratio order until minOpen are open, each one that fits the budget.
//      Weights are ordered by score descending, ties by lower index (one radix sort, reusable across calls).
//   3. Greedy: take items in ratio order (ties: lower layer, lower unit, opening first), each one that still fits;
//      an item that does not fit drops its group (its later items cost as much or more and the capacity only
//      shrinks). A max-heap over the groups' next items makes this O((taken + groups) log groups).
// Bound: the result is within the largest item value of the optimum (the greedy is the optimum of the hull
// relaxation but for the first item that did not fit). test/compiler/optimize checks it against brute force.

/** One layer's input. */
export interface StructuredLayerInput {
  /** Knapsack value of each weight (importance·w²), flat, length n, finite and ≥ 0. Zero scores are never taken. */
  scores: Float64Array | Float32Array;
  /** Weight j belongs to unit j % units (the last axis of a TF.js kernel). */
  units: number;
  /** Bits per kept weight (≥ 0; 0 = a dense layer where an open unit's weights cost nothing more). */
  bitsPerKept: number;
  /** Bits to open one unit; absent = units are not removable, weights are single items. */
  unitSetupBits?: number;
  /** Value added to a unit's opening (e.g. what its removal takes from the next layer); default 0. */
  unitBonus?: Float64Array;
  /** Keep at least this many items of the layer (default 1). */
  minKeep?: number;
  /**
   * With unitSetupBits: open at least this many units (the best openings first) before the greedy, as far as the
   * budget allows; a floor on the layer's width that the caller's search chooses (joint_projection.ts). Default 0.
   */
  minOpen?: number;
  /**
   * The weights in knapsack order (scoreOrder(scores)), when the caller reuses it across calls on the same scores;
   * entries whose score has since been set to 0 are skipped. Computed when absent.
   */
  order?: Uint32Array;
  /**
   * The layer's weights grouped by unit in knapsack order (unitRuns(scores, units, order), or with 1 unit when
   * unitSetupBits is absent), when the caller reuses them across calls on the same scores; after setting scores to
   * 0, pass pruneRuns(runs, scores). Computed when absent.
   */
  runs?: UnitRuns;
}

export interface StructuredProjection {
  /** keep[i][j] = 1 if weight j of layer i stays. */
  keep: Uint8Array[];
  /** open[i][u] = 1 if unit u of an openable layer is open (all 0s for other layers). */
  open: Uint8Array[];
  /** Σ openings' setup bits + Σ kept·β. */
  costBits: number;
  /** Σ kept scores + Σ open units' bonus. */
  value: number;
}

/** A group: one unit of an openable layer, or a whole other layer. Its weights by score, descending. */
interface Group {
  layer: number;
  unit: number;
  sorted: Float64Array;
  /** The weights' flat indices, in the same order. */
  indices: Uint32Array;
  /** Bits of the opening (setup + k*·β); 0 for layers without units. */
  openCost: number;
  openValue: number;
  /** Weights the opening takes. */
  openCount: number;
  opened: boolean;
  /** Kept so far (the opening's plus singles). */
  taken: number;
  beta: number;
}

function checkLayer(layer: StructuredLayerInput, i: number): void {
  const where = `structuredProject: layer ${i}`;
  const n = layer.scores.length;
  if (!Number.isInteger(layer.units) || layer.units < 1 || n % layer.units !== 0) {
    throw new RangeError(`${where}: units is ${layer.units}; it must be a positive integer dividing the ${n} weights`);
  }
  if (!(layer.bitsPerKept >= 0) || !Number.isFinite(layer.bitsPerKept)) {
    throw new RangeError(`${where}: bitsPerKept is ${layer.bitsPerKept}; it must be finite and ≥ 0`);
  }
  const s = layer.unitSetupBits;
  if (s !== undefined && (!(s >= 0) || !Number.isFinite(s)))
    throw new RangeError(`${where}: unitSetupBits is ${s}; it must be finite and ≥ 0`);
  if (s === undefined && layer.bitsPerKept === 0 && layer.unitBonus !== undefined) {
    throw new RangeError(`${where}: unitBonus needs unitSetupBits (units that can be removed)`);
  }
  if (layer.unitBonus && layer.unitBonus.length !== layer.units) {
    throw new RangeError(`${where}: unitBonus has ${layer.unitBonus.length} entries for ${layer.units} units`);
  }
  for (let j = 0; j < n; j++) {
    const v = layer.scores[j];
    if (!(v >= 0) || !Number.isFinite(v))
      throw new RangeError(`${where}: scores[${j}] is ${v}; scores must be finite and ≥ 0`);
  }
  const groups = s === undefined ? 1 : layer.units;
  if (layer.runs && layer.runs.length !== groups)
    throw new RangeError(`${where}: runs has ${layer.runs.length} units; it must have ${groups}`);
  const mo = layer.minOpen ?? 0;
  if (!Number.isInteger(mo) || mo < 0) throw new RangeError(`${where}: minOpen is ${mo}; it must be an integer ≥ 0`);
  const mk = layer.minKeep ?? 1;
  if (!Number.isInteger(mk) || mk < 0) throw new RangeError(`${where}: minKeep is ${mk}; it must be an integer ≥ 0`);
}

/**
 * The indices of the positive scores, by score descending, ties by lower index: an LSD radix sort (4 passes of
 * 16 bits) on the complemented f64 bit patterns, which order like the scores for non-negative values. O(n).
 */
export function scoreOrder(scores: Float64Array | Float32Array): Uint32Array {
  const f64 = scores instanceof Float64Array ? scores : Float64Array.from(scores);
  const words = new Uint32Array(f64.buffer, f64.byteOffset, 2 * f64.length);
  let count = 0;
  for (let j = 0; j < f64.length; j++) if (f64[j]! > 0) count++;
  let order = new Uint32Array(count);
  count = 0;
  for (let j = 0; j < f64.length; j++) if (f64[j]! > 0) order[count++] = j;
  let other = new Uint32Array(count);
  const buckets = new Uint32Array(1 << 16);
  for (let pass = 0; pass < 4; pass++) {
    const word = LOW_WORD + (pass >> 1) * (1 - 2 * LOW_WORD); // low word first
    const shift = (pass & 1) * 16;
    const digit = (j: number) => (~words[2 * j + word]! >>> shift) & 0xffff;
    buckets.fill(0);
    for (let r = 0; r < order.length; r++) buckets[digit(order[r]!)]++;
    let sum = 0;
    for (let d = 0; d < buckets.length; d++) {
      const c = buckets[d]!;
      buckets[d] = sum;
      sum += c;
    }
    for (let r = 0; r < order.length; r++) other[buckets[digit(order[r]!)]++] = order[r]!;
    [order, other] = [other, order];
  }
  return order;
}

/** Index of the low 32-bit word of an f64 in a Uint32Array view (0 on little-endian machines). */
const LOW_WORD = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f ? 0 : 1;

/** Per unit: its positive scores in knapsack order, and their flat indices. */
export type UnitRuns = { sorted: Float64Array; indices: Uint32Array }[];

/** Per unit (weights u, u + units, ...), its positive scores in `order`, as views into shared buffers. */
export function unitRuns(scores: Float64Array | Float32Array, units: number, order: Uint32Array): UnitRuns {
  const starts = new Int32Array(units + 1);
  for (let r = 0; r < order.length; r++) {
    const j = order[r]!;
    if (scores[j]! > 0) starts[(j % units) + 1]++;
  }
  for (let u = 0; u < units; u++) starts[u + 1] += starts[u]!;
  const values = new Float64Array(starts[units]!);
  const indices = new Uint32Array(starts[units]!);
  const fill = starts.slice(0, units);
  for (let r = 0; r < order.length; r++) {
    const j = order[r]!;
    const s = scores[j]!;
    if (!(s > 0)) continue;
    const at = fill[j % units]!++;
    values[at] = s;
    indices[at] = j;
  }
  return Array.from({ length: units }, (_, u) => ({
    sorted: values.subarray(starts[u]!, starts[u + 1]!),
    indices: indices.subarray(starts[u]!, starts[u + 1]!),
  }));
}

/**
 * `runs` without the weights whose score is now 0 (order kept), as unitRuns would compute them from the current
 * scores; a unit with none dropped keeps its arrays.
 */
export function pruneRuns(runs: UnitRuns, scores: Float64Array | Float32Array): UnitRuns {
  return runs.map((run) => {
    const { indices } = run;
    let kept = 0;
    for (let k = 0; k < indices.length; k++) if (scores[indices[k]!]! > 0) kept++;
    if (kept === indices.length) return run;
    const out = { sorted: new Float64Array(kept), indices: new Uint32Array(kept) };
    kept = 0;
    for (let k = 0; k < indices.length; k++) {
      const s = scores[indices[k]!]!;
      if (!(s > 0)) continue;
      out.sorted[kept] = s;
      out.indices[kept++] = indices[k]!;
    }
    return out;
  });
}

/** The opening of a unit group: k* maximizing (bonus + V_k) / (setup + k·β). */
function opening(
  sorted: Float64Array,
  setup: number,
  beta: number,
  bonus: number,
): { count: number; value: number; cost: number } {
  if (beta === 0) {
    let v = bonus;
    for (let k = 0; k < sorted.length; k++) v += sorted[k];
    return { count: sorted.length, value: v, cost: setup };
  }
  let best = { count: 0, value: bonus, cost: setup, ratio: -1 };
  let v = bonus;
  for (let k = 1; k <= sorted.length; k++) {
    v += sorted[k - 1];
    const cost = setup + k * beta;
    const ratio = v / cost;
    if (ratio > best.ratio) best = { count: k, value: v, cost, ratio };
  }
  return best;
}

/** The ratio of a group's next item (opening or single), or −1 when it has none. */
function nextRatio(g: Group): number {
  if (!g.opened) return g.openCount > 0 ? (g.openCost > 0 ? g.openValue / g.openCost : Infinity) : -1;
  if (g.taken >= g.sorted.length) return -1;
  return g.beta > 0 ? g.sorted[g.taken] / g.beta : Infinity;
}

/** Heap order: ratio desc, then layer, unit (a group has one next item at a time). */
function before(a: Group, ra: number, b: Group, rb: number): boolean {
  if (ra !== rb) return ra > rb;
  if (a.layer !== b.layer) return a.layer < b.layer;
  return a.unit < b.unit;
}

class GroupHeap {
  private readonly items: Group[] = [];
  private readonly ratios: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(g: Group): void {
    const r = nextRatio(g);
    if (r < 0) return;
    this.items.push(g);
    this.ratios.push(r);
    let i = this.items.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(this.items[i], this.ratios[i], this.items[p], this.ratios[p])) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): Group {
    const top = this.items[0];
    const last = this.items.pop()!;
    const lastRatio = this.ratios.pop()!;
    if (this.items.length > 0) {
      this.items[0] = last;
      this.ratios[0] = lastRatio;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.items.length && before(this.items[l], this.ratios[l], this.items[m], this.ratios[m])) m = l;
        if (r < this.items.length && before(this.items[r], this.ratios[r], this.items[m], this.ratios[m])) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }

  private swap(a: number, b: number): void {
    [this.items[a], this.items[b]] = [this.items[b], this.items[a]];
    [this.ratios[a], this.ratios[b]] = [this.ratios[b], this.ratios[a]];
  }
}

function groupsOf(layer: StructuredLayerInput, i: number): Group[] {
  const setup = layer.unitSetupBits;
  const beta = layer.bitsPerKept;
  const runs =
    layer.runs ??
    unitRuns(layer.scores, setup === undefined ? 1 : layer.units, layer.order ?? scoreOrder(layer.scores));
  if (setup === undefined) {
    // Units stay: the whole layer is one group of singles, open from the start.
    const run = runs[0]!;
    return [{ layer: i, unit: 0, ...run, openCost: 0, openValue: 0, openCount: 0, opened: true, taken: 0, beta }];
  }
  return runs.map((run, u) => {
    const o = opening(run.sorted, setup, beta, layer.unitBonus?.[u] ?? 0);
    return {
      layer: i,
      unit: u,
      ...run,
      openCost: o.cost,
      openValue: o.value,
      openCount: o.count,
      opened: false,
      taken: 0,
      beta,
    };
  });
}

/** Takes `g`'s next item (the caller checked it fits); returns its cost. */
function takeNext(g: Group): number {
  if (!g.opened) {
    g.opened = true;
    g.taken = g.openCount;
    return g.openCost;
  }
  g.taken++;
  return g.beta;
}

/**
 * Keeps the units and weights with the best value per bit while Σ cost ≤ budgetBits (see the header). Deterministic.
 * Forced items (minKeep) are kept even over budget, so the caller can detect an infeasible budget (costBits > budget).
 */
export function structuredProject(layers: StructuredLayerInput[], budgetBits: number): StructuredProjection {
  if (Number.isNaN(budgetBits)) throw new RangeError('structuredProject: budgetBits is NaN');
  layers.forEach(checkLayer);
  const groups = layers.map(groupsOf);
  let spent = 0;

  // 2. Forced items, each layer's best first.
  groups.forEach((gs, i) => {
    const minKeep = layers[i].minKeep ?? 1;
    for (let k = 0; k < minKeep; k++) {
      let best: Group | undefined;
      let bestRatio = -1;
      for (const g of gs) {
        const r = nextRatio(g);
        if (r >= 0 && (best === undefined || before(g, r, best, bestRatio))) {
          best = g;
          bestRatio = r;
        }
      }
      if (best === undefined) break;
      spent += takeNext(best);
    }
  });

  // Floors: unopened groups in ratio order, each opening that still fits.
  groups.forEach((gs, i) => {
    const minOpen = layers[i].unitSetupBits === undefined ? 0 : (layers[i].minOpen ?? 0);
    let open = gs.reduce((n, g) => n + (g.opened ? 1 : 0), 0);
    if (open >= minOpen) return;
    const closed = gs.filter((g) => !g.opened && nextRatio(g) >= 0);
    const ratios = new Map(closed.map((g) => [g, nextRatio(g)]));
    closed.sort((a, b) => (before(a, ratios.get(a)!, b, ratios.get(b)!) ? -1 : 1));
    for (const g of closed) {
      if (open >= minOpen) break;
      if (spent + g.openCost > budgetBits) continue;
      spent += takeNext(g);
      open++;
    }
  });

  // 3. Greedy over the groups' next items. Free items (ratio ∞, cost 0) are taken whatever the budget.
  const heap = new GroupHeap();
  for (const gs of groups) for (const g of gs) heap.push(g);
  while (heap.size > 0) {
    const g = heap.pop();
    const cost = g.opened ? g.beta : g.openCost;
    if (spent + cost > budgetBits && cost > 0) continue; // drops the group: its later items cannot fit either
    spent += takeNext(g);
    heap.push(g);
  }
  return collect(layers, groups, spent);
}

/** Masks from the per-group counts: a group's first `taken` weights in knapsack order. */
function collect(layers: StructuredLayerInput[], groups: Group[][], costBits: number): StructuredProjection {
  let value = 0;
  const keep: Uint8Array[] = [];
  const open: Uint8Array[] = [];
  layers.forEach((layer, i) => {
    const mask = new Uint8Array(layer.scores.length);
    const opened = new Uint8Array(layer.units);
    for (const g of groups[i]!) {
      if (g.taken === 0) continue;
      if (layer.unitSetupBits !== undefined) {
        opened[g.unit] = 1;
        value += layer.unitBonus?.[g.unit] ?? 0;
      }
      for (let k = 0; k < g.taken; k++) {
        mask[g.indices[k]!] = 1;
        value += g.sorted[k]!;
      }
    }
    keep.push(mask);
    open.push(opened);
  });
  return { keep, open, costBits, value };
}
