// Sparse projection: a global 0-1 knapsack over every weight of every compressible layer.
//
// Item = one weight j of layer i. Value v = importance·w² (what pruning it would lose), cost c_i = bits per
// nonzero of layer i (code bits + index bits; fixed costs such as codebooks and headers are the caller's to
// subtract from the budget first). Algorithm, in the greedy order "score v / c_i descending, ties by (layer, index)":
//   1. Forced: each layer keeps its minKeep largest-value weights (ties by index), whatever the budget.
//   2. Greedy prefix: take items in greedy order while the running cost fits. The first item that does not fit is
//      the critical item. Found without a full sort by an exact radix select on the f64 bit patterns of the scores
//      (4 levels of 16 bits; a non-negative f64 orders like its bit pattern): each level histograms the cost per
//      digit, takes whole buckets from the top while they fit, and recurses into the bucket that overflows. O(n).
//   3. Fill: keep scanning the greedy order after the critical item and take every item that still fits. Only
//      layers with c_i ≤ the leftover capacity can contribute, and layer i at most floor(leftover / c_i) items, so
//      this looks at the top few remaining items of those layers only.
// Items of value 0 are never taken by steps 2–3 (they would cost bits and save nothing).
// Bound: steps 2–3 give value ≥ OPT − v(critical) ≥ OPT − max item value, where OPT is the best value of a set
// that contains the forced items (the greedy prefix is the LP-relaxation optimum minus part of one item).

/** One layer's input. `values` is W + U of the layer, flat (length n_i). */
export interface SparseLayerInput {
  values: Float32Array;
  /** Bits each kept weight costs: b_i + index bits per nonzero (may be fractional; > 0). */
  costBitsPerNonzero: number;
  /** Multiplier of w²: one per weight (length n_i) or one for the layer (default 1). Finite, ≥ 0. */
  importance?: Float32Array | number;
  /** Keep at least this many weights of the layer (default 1; clipped to n_i). */
  minKeep?: number;
}

/** keep[i][j] = 1 if weight j of layer i stays. costBits = Σ nnz_i·c_i (bits); value = Σ kept importance·w². */
export interface SparseProjection {
  keep: Uint8Array[];
  nnz: number[];
  costBits: number;
  value: number;
}

const DIGITS = 1 << 16;
const HI = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0; // index of the high word of an f64

/** Scratch shared by the selections of one projection. */
interface Keys {
  keys: Float64Array; // score per global index, ≥ 0
  words: Uint32Array; // the same bytes as 32-bit words
  hist: Float64Array; // DIGITS buckets
}

function digitOf(k: Keys, g: number, level: number): number {
  const word = k.words[2 * g + (level < 2 ? HI : 1 - HI)];
  return (level & 1) === 0 ? word >>> 16 : word & 0xffff;
}

/** Items with global index in [ends[i − 1], ends[i]) cost perLayer[i] bits (a per-item array would be 8 bytes a weight). */
interface LayerCosts {
  ends: Int32Array;
  perLayer: Float64Array;
}

/**
 * Marks in `taken` the longest prefix of `cand` (ascending global indices) in order (key desc, index asc) whose
 * total cost fits `budget`. costs === null means unit cost. Returns the cost spent and the first global index in
 * that order that did not fit (−1 if everything fit). Overwrites `cand` (it is compacted in place).
 */
function selectPrefix(
  k: Keys,
  costs: LayerCosts | null,
  cand: Uint32Array,
  budget: number,
  taken: Uint8Array,
): { spent: number; critical: number } {
  let spent = 0;
  let remaining = budget;
  let cur = cand;
  for (let level = 0; level < 4; level++) {
    let layer = 0;
    for (let r = 0; r < cur.length; r++) {
      const g = cur[r];
      let c = 1;
      if (costs !== null) {
        while (g >= costs.ends[layer]) layer++; // cand ascends, so the layer only moves forward
        c = costs.perLayer[layer];
      }
      k.hist[digitOf(k, g, level)] += c;
    }
    // Buckets from the top digit down (costs are > 0, so a bucket is used iff it is nonzero). Few candidates
    // visit only their own digits, sorted; either way the buckets are zero again afterwards.
    const few = cur.length < DIGITS / 16;
    const digits = few
      ? usedDigits(k, cur, level)
      : (allDigits ??= Uint32Array.from({ length: DIGITS }, (_, i) => DIGITS - 1 - i));
    let acc = 0;
    let crit = -1;
    for (const d of digits) {
      const h = k.hist[d];
      if (h === 0) continue;
      if (acc + h > remaining) {
        crit = d;
        break;
      }
      acc += h;
    }
    if (few) for (const d of digits) k.hist[d] = 0;
    else k.hist.fill(0);
    let next = 0;
    for (let r = 0; r < cur.length; r++) {
      const g = cur[r];
      const d = digitOf(k, g, level);
      if (crit < 0 || d > crit) taken[g] = 1;
      else if (d === crit) cur[next++] = g; // compacting in place keeps index order
    }
    spent += acc;
    remaining -= acc;
    if (crit < 0) return { spent, critical: -1 };
    cur = cur.subarray(0, next);
  }
  // All remaining keys are equal: index order decides.
  let layer = 0;
  for (let r = 0; r < cur.length; r++) {
    const g = cur[r];
    let c = 1;
    if (costs !== null) {
      while (g >= costs.ends[layer]) layer++;
      c = costs.perLayer[layer];
    }
    if (c > remaining) return { spent, critical: g };
    taken[g] = 1;
    spent += c;
    remaining -= c;
  }
  return { spent, critical: -1 };
}

/** The distinct digits of `cur` at `level`, descending. */
function usedDigits(k: Keys, cur: Uint32Array, level: number): Uint32Array {
  const all = new Uint32Array(cur.length);
  for (let r = 0; r < cur.length; r++) all[r] = digitOf(k, cur[r], level);
  all.sort().reverse();
  let n = 0;
  for (let r = 0; r < all.length; r++) if (r === 0 || all[r] !== all[r - 1]) all[n++] = all[r];
  return all.subarray(0, n);
}

/** The radix histogram, shared by every selection: all zeros between uses (selectPrefix clears what it used). */
let sharedHist: Float64Array | undefined;
/** DIGITS − 1 down to 0. */
let allDigits: Uint32Array | undefined;

function checkLayer(layer: SparseLayerInput, i: number): void {
  const where = `sparseProject: layer ${i}`;
  const c = layer.costBitsPerNonzero;
  if (!(c > 0) || !Number.isFinite(c))
    throw new RangeError(`${where}: costBitsPerNonzero is ${c}; it must be finite and > 0`);
  const n = layer.values.length;
  for (let j = 0; j < n; j++) {
    if (!Number.isFinite(layer.values[j]))
      throw new RangeError(`${where}: values[${j}] is ${layer.values[j]}; weights must be finite`);
  }
  const imp = layer.importance;
  if (typeof imp === 'number') {
    if (!(imp >= 0) || !Number.isFinite(imp))
      throw new RangeError(`${where}: importance is ${imp}; it must be finite and ≥ 0`);
  } else if (imp !== undefined) {
    if (imp.length !== n) throw new RangeError(`${where}: importance has ${imp.length} entries for ${n} weights`);
    for (let j = 0; j < n; j++) {
      if (!(imp[j] >= 0) || !Number.isFinite(imp[j]))
        throw new RangeError(`${where}: importance[${j}] is ${imp[j]}; it must be finite and ≥ 0`);
    }
  }
  const mk = layer.minKeep ?? 1;
  if (!Number.isInteger(mk) || mk < 0) throw new RangeError(`${where}: minKeep is ${mk}; it must be an integer ≥ 0`);
}

/** out[j] = importance·w²/c for the layer's weights (+ 0 turns −0 into 0). One loop per importance kind. */
function scoreLayer(layer: SparseLayerInput, out: Float64Array): void {
  const v = layer.values;
  const c = layer.costBitsPerNonzero;
  const imp = layer.importance;
  if (imp === undefined) for (let j = 0; j < v.length; j++) out[j] = (v[j] * v[j]) / c + 0;
  else if (typeof imp === 'number') for (let j = 0; j < v.length; j++) out[j] = (imp * v[j] * v[j]) / c + 0;
  else for (let j = 0; j < v.length; j++) out[j] = (imp[j] * v[j] * v[j]) / c + 0;
}

/** Up to this many forced weights per layer are found by one scan with a small sorted buffer. */
const SMALL_TOP = 32;

/** Marks the `count` largest keys[g], g in [from, to) (ties: lower g), with one scan and insertion. */
function topFew(keys: Float64Array, from: number, to: number, count: number, taken: Uint8Array): void {
  const best: number[] = []; // global indices, best first
  for (let g = from; g < to; g++) {
    const key = keys[g];
    if (best.length === count && !(key > keys[best[count - 1]])) continue; // a later equal key loses the tie
    let at = best.length === count ? count - 1 : best.length;
    while (at > 0 && key > keys[best[at - 1]]) at--;
    if (best.length === count) best.pop();
    best.splice(at, 0, g);
  }
  for (const g of best) taken[g] = 1;
}

function importanceAt(layer: SparseLayerInput, j: number): number {
  const imp = layer.importance;
  return imp === undefined ? 1 : typeof imp === 'number' ? imp : imp[j];
}

/**
 * Keeps the weights with the best importance·w² per bit while Σ cost ≤ budgetBits (see the header for the
 * algorithm and its bound). Deterministic. If the forced minKeep weights alone exceed the budget they are returned
 * anyway, with costBits > budgetBits, so the caller can detect that the budget is infeasible.
 */
export function sparseProject(layers: SparseLayerInput[], budgetBits: number): SparseProjection {
  if (Number.isNaN(budgetBits)) throw new RangeError('sparseProject: budgetBits is NaN');
  layers.forEach(checkLayer);
  const offsets: number[] = [0];
  for (const layer of layers) offsets.push(offsets[offsets.length - 1] + layer.values.length);
  const total = offsets[layers.length];
  const keys = new Float64Array(total);
  layers.forEach((layer, i) => scoreLayer(layer, keys.subarray(offsets[i], offsets[i + 1])));
  const costs: LayerCosts = {
    ends: Int32Array.from(offsets.slice(1)),
    perLayer: Float64Array.from(layers, (l) => l.costBitsPerNonzero),
  };
  const k: Keys = { keys, words: new Uint32Array(keys.buffer), hist: (sharedHist ??= new Float64Array(DIGITS)) };
  const taken = new Uint8Array(total);

  // 1. Forced minKeep per layer (unit costs).
  let spent = 0;
  layers.forEach((layer, i) => {
    const n = layer.values.length;
    const mk = Math.min(layer.minKeep ?? 1, n);
    if (mk === 0) return;
    if (mk <= SMALL_TOP) topFew(keys, offsets[i], offsets[i + 1], mk, taken);
    else {
      const all = new Uint32Array(n);
      for (let j = 0; j < n; j++) all[j] = offsets[i] + j;
      selectPrefix(k, null, all, mk, taken);
    }
    spent += mk * layer.costBitsPerNonzero;
  });

  // 2. Greedy prefix over the items of positive value.
  let count = 0;
  for (let g = 0; g < total; g++) if (taken[g] === 0 && keys[g] > 0) count++;
  const cand = new Uint32Array(count);
  count = 0;
  for (let g = 0; g < total; g++) if (taken[g] === 0 && keys[g] > 0) cand[count++] = g;
  let critical = -1;
  if (budgetBits - spent > 0 && count > 0) {
    const res = selectPrefix(k, costs, cand, budgetBits - spent, taken);
    spent += res.spent;
    critical = res.critical;
  }

  // 3. Fill the leftover capacity, in greedy order, with items that still fit.
  if (critical >= 0) fill(layers, offsets, k, taken, budgetBits - spent);

  const keep: Uint8Array[] = [];
  const nnz: number[] = [];
  let costBits = 0;
  let value = 0;
  layers.forEach((layer, i) => {
    const mask = taken.slice(offsets[i], offsets[i + 1]);
    let kept = 0;
    for (let j = 0; j < mask.length; j++) {
      if (mask[j] === 0) continue;
      kept++;
      value += importanceAt(layer, j) * layer.values[j] * layer.values[j];
    }
    keep.push(mask);
    nnz.push(kept);
    costBits += kept * layer.costBitsPerNonzero;
  });
  return { keep, nnz, costBits, value };
}

/** Step 3: takes items after the critical one, in greedy order, that fit `capacity`. */
function fill(layers: SparseLayerInput[], offsets: number[], k: Keys, taken: Uint8Array, capacity: number): void {
  const pending: { g: number; cost: number }[] = [];
  const mark = new Uint8Array(taken.length);
  layers.forEach((layer, i) => {
    const c = layer.costBitsPerNonzero;
    if (c > capacity) return;
    const room = Math.floor(capacity / c) + 1; // the most layer i could still add, plus one against rounding
    let count = 0;
    for (let g = offsets[i]; g < offsets[i + 1]; g++) if (taken[g] === 0 && k.keys[g] > 0) count++;
    if (count === 0) return;
    const rest = new Uint32Array(count);
    count = 0;
    for (let g = offsets[i]; g < offsets[i + 1]; g++) if (taken[g] === 0 && k.keys[g] > 0) rest[count++] = g;
    selectPrefix(k, null, rest.slice(), room, mark); // the layer's top `room` remaining items
    for (const g of rest) if (mark[g] === 1) pending.push({ g, cost: c });
  });
  pending.sort((a, b) => k.keys[b.g] - k.keys[a.g] || a.g - b.g);
  let left = capacity;
  for (const { g, cost } of pending) {
    if (cost <= left) {
      taken[g] = 1;
      left -= cost;
    }
  }
}

/** out[j] = keep[j] ? values[j] : 0 (a dropped −0 or value becomes +0). `out` may be `values`. Returns `out`. */
export function applyMask(values: Float32Array, keep: Uint8Array, out?: Float32Array): Float32Array {
  if (keep.length !== values.length) {
    throw new RangeError(`applyMask: mask has ${keep.length} entries but values has ${values.length}`);
  }
  const dst = out ?? new Float32Array(values.length);
  if (dst.length !== values.length)
    throw new RangeError(`applyMask: out has ${dst.length} entries but values has ${values.length}`);
  for (let j = 0; j < values.length; j++) dst[j] = keep[j] !== 0 ? values[j] : 0;
  return dst;
}
