// The joint projection onto the constraint set "sparse, ≤ 2^b levels per layer, file ≤ S bytes": the V-step of
// ADMM and the hard projection at the end. It composes the pure projections of compiler/optimize with a cost
// model that is MEASURED, not guessed:
//
//   1. Structured knapsack (optimize/structured_projection.ts) over every weight AND every removable unit, budget
//      8·S − F (F: every bit of the file not charged to an item: header, graph, fixed biases, codebooks, tensor
//      headers). Each layer has a regime, the encoding its tensor is expected to take, which prices its items:
//        dense   codebook codes for every live weight: α = b bits per live weight, β = 0 per kept weight
//        bitmap  one bit per live weight, codes for kept ones:     α = 1,           β = b
//        rice    Rice-coded gaps and codes for kept weights:      α = 0,           β = b + index bits
//      A unit's opening costs its share of α·(live weights it spans, here and in its consumer) plus its bias
//      (unit_structure.ts); so a unit removed takes its kernel slice, its bias and the consumer's slice with it.
//   2. For each layer, k-means of its kept values for b = 1..8; a multiple-choice knapsack picks one b per layer
//      with option cost α(b)·live + β(b)·nnz + 16·codebook entries.
//   3. V = the kept values snapped to f16 codebooks.
//   With searchBits, steps 1–2 run inside a coordinate search over each layer's bitwidth and regime: the MCKP can
//   only trade bits between layers once step 1 has filled the budget, so "more weights at fewer bits" versus
//   "fewer weights at more bits", and "few whole units" versus "many scattered weights", are settled by the
//   probe-batch loss of each candidate (or, without a scorer, the projection error ‖z − V‖², pruned energy + k-means
//   distortion, both weighted by importance). Without it, bits and regimes stay as the cost model has them and only
//   masks and codebooks are refit (the cheap, frequent projection).
//   4. Export V (dead units removed, smallest exact encodings) and read off the real file bytes, each layer's
//      encoding (its next regime), index bits per nonzero, live units and rows, and F. These seed the next round.
//
// Rounds repeat a few times (the index cost depends on density, which depends on the knapsack, and dead units
// free bias bytes). The result carries its real file size; the caller decides what to do if it is over.
import type { Graph } from '../ir/graph.js';
import { allocateBits, type BitOption } from '../optimize/bit_allocation.js';
import { kmeans1d, kmeansByBits, quantizeToCentroids, roundCentroidsToF16 } from '../optimize/kmeans.js';
import { codebookEncodedBytes } from '../../formats/tensor_codec.js';
import {
  pruneRuns,
  scoreOrder,
  structuredProject,
  unitRuns,
  type UnitRuns,
} from '../optimize/structured_projection.js';
import { ENC_SPARSE_BITMAP, ENC_SPARSE_RICE } from '../../formats/constants.js';
import type { CompressibleLayer } from './layers.js';
import { markDeadWeights, unitLinks } from './dead_weights.js';
import { graphWithWeights, measureFile, type FileMeasure } from './measure_file.js';
import {
  layerUnits,
  liveCounts,
  removable,
  unitSetupBits,
  unownedLiveBits,
  type LayerUnits,
} from './unit_structure.js';

export const MAX_BITS = 8;

/** A layer's importance: one multiplier for all its weights, or one per weight (saliency). Finite, ≥ 0. */
export type Importance = number | Float32Array;

/** How a layer's tensor is expected to be encoded, which decides what its weights and units cost (header). */
export type Regime = 'dense' | 'bitmap' | 'rice';
export const REGIMES: readonly Regime[] = ['rice', 'bitmap', 'dense'];

/** The measured costs one projection leaves for the next. Units: bits. */
export interface CostModel {
  /** Current bitwidth per layer. */
  bits: number[];
  /** Current regime per layer. */
  regimes: Regime[];
  /** Rice position bits per nonzero per layer (used in the rice regime). */
  indexBits: number[];
  /** File bits not charged to items (includes the codebooks at the current bits). */
  fixedBits: number;
  /** Codebook bits per layer included in fixedBits. */
  codebookBits: number[];
  /** Live units and rows per layer in the last result (what a unit's share of live weights is priced at). */
  live: { units: number[]; rows: number[] };
  /**
   * Per layer, a floor on its open units (the knapsack's minOpen; 0 or absent: none). The layout search moves it,
   * so the probe loss can overrule a knapsack that starves one layer to a few units (a 3-unit bottleneck).
   */
  floors?: number[];
  /**
   * Per layer, units the knapsack opens whatever the floors say: fixed for the whole run (ProjectionSetup.minOpen).
   * Absent: none.
   */
  minOpen?: number[];
}

/** Bits per live weight (α) and per kept weight (β) of a layer in `regime` at `bits`. */
function regimeCosts(regime: Regime, bits: number, indexBits: number): { alpha: number; beta: number } {
  switch (regime) {
    case 'dense':
      return { alpha: bits, beta: 0 };
    case 'bitmap':
      return { alpha: 1, beta: bits };
    case 'rice':
      return { alpha: 0, beta: bits + indexBits };
  }
}

/** The regime a measured encoding stands for: codebook, f16 and f32 tensors all pay per live weight. */
function regimeOf(encoding: number): Regime {
  if (encoding === ENC_SPARSE_RICE) return 'rice';
  return encoding === ENC_SPARSE_BITMAP ? 'bitmap' : 'dense';
}

/** One layer of a projected model. */
export interface LayerCode {
  bits: number;
  nnz: number;
  /** Ascending, nonzero, f16-exact. */
  centroids: Float32Array;
  /** 1 where the weight is kept. */
  mask: Uint8Array;
}

export interface JointProjection {
  /** V per layer: the kept values snapped to the layer's codebook, zeros elsewhere. */
  values: Float32Array[];
  codes: LayerCode[];
  /** The real export of V; absent when the projection was asked not to measure. */
  measure?: FileMeasure;
  /** File bytes: measured, or predicted by the cost model when not measured. */
  bytes: number;
  costs: CostModel;
}

/** A projection that was measured (projectJoint without `measure: false`). */
export type MeasuredProjection = JointProjection & { measure: FileMeasure };

export interface ProjectionSetup {
  graph: Graph;
  layers: readonly CompressibleLayer[];
  /** Per-layer (or per-weight) multiplier of w² and of quantization distortion; default 1. */
  importance?: readonly Importance[];
  /** Fixed-point rounds of the measured cost model (default 3). */
  rounds?: number;
  /**
   * Scores a candidate V (one array per layer; lower is better) for the bitwidth search: the training loss of the
   * model with those kernels on a fixed probe batch. Without it the search compares projection errors ‖z − V‖².
   */
  score?: (values: readonly Float32Array[]) => number;
  /** Per layer, units every projection opens at least (head_collapse.ts sets the first layer's); default none. */
  minOpen?: readonly number[];
}

/** A codebook entry before its value exists: f16, as snapCodebook stores it. */
const CODEBOOK_ENTRY_BITS = 16;

/** Bits the file takes for these (snapped) codebook entries: the encoder's own choice of storage. */
function codebookBits(centroids: Float32Array): number {
  return centroids.length === 0 ? 0 : 8 * codebookEncodedBytes(centroids);
}

/** k-means DP resolution inside projections: 512 bins is within ~1% of the exact optimum for b ≤ 6 and 5× faster. */
const KMEANS_BINS = 512;

/** A first guess for the cost model before anything was measured: 4 bits, index bits from a uniform density. */
export function initialCosts(
  setup: ProjectionSetup,
  biases: ReadonlyMap<number, Float32Array>,
  budgetBytes: number,
): CostModel {
  const { graph, layers } = setup;
  const empty = layers.map((l) => new Float32Array(l.n));
  const base = measureFile(graphWithWeights(graph, layers, empty, biases), layers);
  // The all-zero file keeps one unit per removable layer and every unit of the others, with their biases; the
  // removable units' biases are charged to the units the knapsack opens.
  const fixedBits = 8 * base.bytes;
  const bits = layers.map(() => 4);
  // Uniform density guess at ~10 bits per nonzero; the first measured round replaces it.
  const total = layers.reduce((s, l) => s + l.n, 0);
  const density = Math.min(1, Math.max(1 / total, (8 * budgetBytes - fixedBits) / (total * 10)));
  const indexBits = layers.map(() => Math.max(1, Math.log2(1 / density) + 1.5));
  const structure = structureOf(setup).units;
  return {
    bits,
    regimes: layers.map(() => 'rice'),
    indexBits,
    fixedBits,
    codebookBits: layers.map(() => 0),
    live: { units: structure.map((u) => u.units), rows: structure.map((u) => u.rows) },
    ...(setup.minOpen ? { minOpen: [...setup.minOpen] } : {}),
  };
}

/**
 * Projects z (W + U, or W for the hard projection) onto models whose file is about `budgetBytes`.
 * `costs` seeds the cost model (from the previous projection, or initialCosts). `select` (default z) is what the
 * sparse knapsack scores: the ADMM V-step keeps the largest weights of W and quantizes W + U on that support, as
 * the paper's reference code does. `searchBits` re-decides the bitwidths (see the header). Deterministic.
 */
export function projectJoint(
  setup: ProjectionSetup,
  z: readonly Float32Array[],
  biases: ReadonlyMap<number, Float32Array>,
  costs: CostModel,
  budgetBytes: number,
  opts: {
    select?: readonly Float32Array[];
    rounds?: number;
    searchBits?: boolean;
    /**
     * With searchBits: also move the floors on open units (default true). Off for the first projection, of the
     * pretrained weights: at high ratios it leaves the network near chance, where the probe loss of one width against
     * another is noise that the floor then keeps.
     */
    widthMoves?: boolean;
    importance?: readonly Importance[];
    /** Export V and read off the real size and costs (default true); false keeps the cost model (frequent projections). */
    measure?: boolean;
    /**
     * With searchBits: the first round's search result, already computed from the same z, select, costs,
     * importance and budget (searchLayoutWith on the workers); later rounds search here.
     */
    layout?: Layout;
  } = {},
): JointProjection {
  const { layers } = setup;
  const importance = opts.importance ?? setup.importance ?? layers.map(() => 1);
  const rounds = opts.rounds ?? setup.rounds ?? 3;
  const select = opts.select ?? z;
  let model = costs;
  let result: JointProjection | undefined;
  const openable = opts.widthMoves === false ? layers.map(() => 0) : openableUnits(setup);
  for (let round = 0; round < rounds; round++) {
    let masks: Uint8Array[];
    let codes: LayerCode[];
    let values: Float32Array[];
    const structure = structureOf(setup);
    if (opts.searchBits) {
      const input = { z, select, costs: model, importance, budgetBytes };
      const found = round === 0 && opts.layout ? opts.layout : searchLayout(setup, input, openable, setup.score);
      masks = found.masks;
      model = { ...model, regimes: found.regimes, floors: found.floors };
      ({ codes, values } = quantize(z, masks, found.allocation.bits, found.allocation.centroids));
    } else {
      masks = sparseStep(select, model.bits, model.regimes, model, importance, budgetBytes, structure);
      ({ codes, values } = quantize(z, masks, model.bits, undefined, importance));
    }
    if (opts.measure === false) {
      model = { ...model, bits: codes.map((c) => c.bits), live: liveCounts(structure.units, masks) };
      result = { values, codes, bytes: predictedBytes(codes, model, structure.units), costs: model };
      continue;
    }
    const measure = measureFile(graphWithWeights(setup.graph, layers, values, biases), layers);
    model = measuredCosts(codes, measure, model, structure.units);
    result = { values, codes, measure, bytes: measure.bytes, costs: model };
  }
  return result!;
}

/** Passes of the coordinate search over bitwidths (each tries every layer one bit up and down). */
const SEARCH_PASSES = 1;

/** Scores importance·z² per weight, in f64. */
function scoresOf(values: Float32Array, importance: Importance): Float64Array {
  const out = new Float64Array(values.length);
  for (let j = 0; j < values.length; j++) {
    const w = values[j]!;
    out[j] = (typeof importance === 'number' ? importance : importance[j]!) * w * w;
  }
  return out;
}

/**
 * The knapsack's scores (importance·select²) per layer, their order and their runs by unit, which depend on neither
 * bits nor regimes.
 */
interface Scored {
  scores: Float64Array[];
  orders: Uint32Array[];
  /** Per layer, filled on first use (the unit grouping needs the structure). */
  runs: (UnitRuns | undefined)[];
}

/** Layer i's runs: by unit where its units are removable, else one run (structured_projection.ts). */
function runsOf(scored: Scored, structure: ProjectionStructure, i: number): UnitRuns {
  let runs = scored.runs[i];
  if (!runs) {
    const u = structure.units[i]!;
    runs = unitRuns(scored.scores[i]!, removable(u) ? u.units : 1, scored.orders[i]!);
    scored.runs[i] = runs;
  }
  return runs;
}

function scoredOf(select: readonly Float32Array[], importance: readonly Importance[]): Scored {
  const scores = select.map((v, i) => scoresOf(v, importance[i]!));
  return { scores, orders: scores.map(scoreOrder), runs: scores.map(() => undefined) };
}

/**
 * The scoring of a search's input, computed once for all its candidates (a search's input object is shared by
 * its candidates, in this thread and on each worker).
 */
const scoredInputs = new WeakMap<SearchInput, Scored>();
function scoredInput(input: SearchInput): Scored {
  let scored = scoredInputs.get(input);
  if (!scored) {
    scored = scoredOf(input.select, input.importance);
    scoredInputs.set(input, scored);
  }
  return scored;
}

/** Per producer unit: the scores of the consumer weights it feeds, shared like the consumer slice's bits. */
function consumerBonus(
  structure: ProjectionStructure,
  scores: readonly Float64Array[],
  i: number,
): Float64Array | undefined {
  const s = structure.units[i]!;
  if (!s.consumer) return undefined;
  const link = structure.links.find((l) => l.producer === i)!;
  const share = removable(structure.units[s.consumer.layer]!) ? 0.5 : 1;
  const bonus = new Float64Array(s.units);
  const c = scores[s.consumer.layer]!;
  const unitOf = link.unitOfEntry;
  for (let j = 0; j < c.length; j++) bonus[unitOf[j]!] += share * c[j]!;
  return bonus;
}

/**
 * Step 1: the structured knapsack (see the header) on importance·z², each layer priced by its regime at `bits`.
 *   a. Structure rounds: a unit's price depends on how many units its consumer keeps (its share of the slice it
 *      feeds), so the knapsack reruns with the live counts it produced until they settle (damped: the geometric
 *      mean of the old and new counts, which stops dense layers from flipping between few and many units).
 *   b. Alignment rounds: a weight can only stay if its own unit is open and the unit feeding its row is open too;
 *      weights the file would drop anyway (dead_weights.ts) go as well. The knapsack reruns on what is left, so the
 *      budget those weights held goes to weights that reach the file. Each round only removes candidates.
 */
function sparseStep(
  select: readonly Float32Array[],
  bits: readonly number[],
  regimes: readonly Regime[],
  costs: CostModel,
  importance: readonly Importance[],
  budgetBytes: number,
  structure: ProjectionStructure,
  scored?: Scored,
): Uint8Array[] {
  const units = structure.units;
  const priced = bits.map((b, i) => regimeCosts(regimes[i]!, b, costs.indexBits[i]!));
  const alpha = priced.map((p) => p.alpha);
  const fixedWithoutCodebooks = costs.fixedBits - sum(costs.codebookBits);
  const codebooks = bits.reduce((s, b) => s + CODEBOOK_ENTRY_BITS * 2 ** b, 0);
  const budgetBits = Math.max(0, 8 * budgetBytes - fixedWithoutCodebooks - codebooks - unownedLiveBits(units, alpha));
  // Alignment rounds zero scores, so a layer's shared scores are copied before its first zero; the orders and runs
  // stay valid once the runs are pruned of the zeroed weights.
  const shared = scored ?? scoredOf(select, importance);
  const scores = [...shared.scores];
  const owned = scores.map(() => scored === undefined);
  const writable = (i: number): Float64Array => {
    if (!owned[i]) {
      scores[i] = scores[i]!.slice();
      owned[i] = true;
    }
    return scores[i]!;
  };
  let runs = scores.map((_, i) => runsOf(shared, structure, i));
  let bonuses = scores.map((_, i) => consumerBonus(structure, scores, i));
  const knapsack = (live: { units: number[]; rows: number[] }) =>
    structuredProject(
      scores.map((sc, i) => ({
        scores: sc,
        runs: runs[i]!,
        units: units[i]!.units,
        bitsPerKept: priced[i]!.beta,
        unitSetupBits: removable(units[i]!) ? unitSetupBits(units, i, alpha, live, BIAS_BITS) : undefined,
        unitBonus: bonuses[i],
        minOpen: Math.max(costs.floors?.[i] ?? 0, costs.minOpen?.[i] ?? 0),
      })),
      budgetBits,
    ).keep;

  let live = costs.live;
  let keep = knapsack(live);
  for (let round = 1; round < STRUCTURE_ROUNDS; round++) {
    const next = liveCounts(units, keep);
    if (next.units.every((u, i) => u === live.units[i])) break;
    live = dampedLive(units, live, next);
    keep = knapsack(live);
  }

  const dead = select.map((v) => new Uint8Array(v.length));
  for (let round = 0; round < ALIGNMENT_ROUNDS; round++) {
    markDeadWeights(structure.links, keep, dead);
    const open = openUnits(units, keep, dead);
    const removed = excludeUnavailable(structure, scores, writable, open, dead);
    if (removed === 0) break;
    runs = runs.map((r, i) => pruneRuns(r, scores[i]!));
    bonuses = scores.map((_, i) => consumerBonus(structure, scores, i));
    keep = knapsack(liveCounts(units, withoutDead(keep, dead, false)));
  }
  return withoutDead(keep, dead, true);
}

/** `keep` with the dead weights cleared: in place, or in copies. */
function withoutDead(keep: Uint8Array[], dead: readonly Uint8Array[], inPlace: boolean): Uint8Array[] {
  return keep.map((k, i) => {
    const out = inPlace ? k : k.slice();
    const d = dead[i]!;
    for (let j = 0; j < out.length; j++) if (d[j]) out[j] = 0;
    return out;
  });
}

/** Knapsack reruns while the live unit counts move, and while weights are dropped for alignment. */
const STRUCTURE_ROUNDS = 4;
const ALIGNMENT_ROUNDS = 6;

/** The geometric mean of two live-unit counts per layer (rounded), rows following from the producer's units. */
function dampedLive(
  units: readonly LayerUnits[],
  a: { units: number[] },
  b: { units: number[] },
): { units: number[]; rows: number[] } {
  const u = a.units.map((x, i) => Math.max(1, Math.round(Math.sqrt(x * b.units[i]!))));
  return {
    units: u,
    rows: units.map((s) => (s.producer === undefined ? s.rows : (s.rows / units[s.producer]!.units) * u[s.producer]!)),
  };
}

/** Per layer and unit: 1 if the unit holds a kept weight that is not dead. */
function openUnits(
  units: readonly LayerUnits[],
  keep: readonly Uint8Array[],
  dead: readonly Uint8Array[],
): Uint8Array[] {
  return keep.map((k, i) => {
    const n = units[i]!.units;
    const open = new Uint8Array(n);
    const d = dead[i]!;
    for (let j = 0; j < k.length; j++) if (k[j] && !d[j]) open[j % n] = 1;
    return open;
  });
}

/**
 * Zeroes the scores of weights that cannot reach the file: dead ones, those of a closed unit (removable layers),
 * and those whose row's producer unit is closed, in the arrays `writable` gives (a shared layer is copied first).
 * Returns how many positive scores it zeroed.
 */
function excludeUnavailable(
  structure: ProjectionStructure,
  scores: readonly Float64Array[],
  writable: (layer: number) => Float64Array,
  open: readonly Uint8Array[],
  dead: readonly Uint8Array[],
): number {
  let removed = 0;
  scores.forEach((read, i) => {
    let sc = read;
    const u = structure.units[i]!;
    const own = removable(u) ? open[i]! : undefined;
    const link = u.producer === undefined ? undefined : structure.links.find((l) => l.consumer === i);
    const feeding = link ? open[link.producer]! : undefined;
    const d = dead[i]!;
    for (let j = 0; j < sc.length; j++) {
      if (sc[j] === 0) continue;
      if (d[j] || (own && !own[j % u.units]) || (feeding && !feeding[link!.unitOfEntry[j]!])) {
        if (sc === read) sc = writable(i);
        sc[j] = 0;
        removed++;
      }
    }
  });
  return removed;
}

/** f16 biases. */
const BIAS_BITS = 16;

/** The graph's unit structure and links, computed once per graph. */
interface ProjectionStructure {
  units: LayerUnits[];
  links: ReturnType<typeof unitLinks>;
}

const structureCache = new WeakMap<Graph, ProjectionStructure>();
function structureOf(setup: Pick<ProjectionSetup, 'graph' | 'layers'>): ProjectionStructure {
  let structure = structureCache.get(setup.graph);
  if (!structure) {
    structure = { units: layerUnits(setup.graph, setup.layers), links: unitLinks(setup.graph, setup.layers) };
    structureCache.set(setup.graph, structure);
  }
  return structure;
}

export interface Allocation {
  bits: number[];
  centroids: Float32Array[];
  /** Σ importance·k-means distortion of the kept values at the chosen bits. */
  distortion: number;
}

/** Step 2: codebooks for every b, one b per layer by the multiple-choice knapsack (greedy over convex hulls). */
function allocate(
  z: readonly Float32Array[],
  masks: readonly Uint8Array[],
  regimes: readonly Regime[],
  costs: CostModel,
  importance: readonly Importance[],
  budgetBytes: number,
  structure: ProjectionStructure,
): Allocation {
  const live = liveCounts(structure.units, masks);
  const candidates = z.map((values, i) => {
    const kept = keptNonzeros(values, masks[i]!);
    const imp = importance[i]!;
    // Per-weight importance weights the k-means itself (Choi et al. 2017's Hessian-weighted k-means).
    const weights = typeof imp === 'number' ? undefined : keptNonzeros(values, masks[i]!, imp);
    const byBits =
      kept.length === 0
        ? []
        : kmeansByBits(kept, MAX_BITS, { maxBins: KMEANS_BINS, weights }).map((o) => ({
            bits: o.bits,
            centroids: snapCodebook(o.centroids),
            distortion: o.distortion,
          }));
    return { kept, byBits };
  });
  const options: BitOption[][] = candidates.map(({ kept, byBits }, i) => {
    if (byBits.length === 0) return [{ bits: 1, costBits: 0, distortion: 0 }];
    const liveWeights = live.units[i]! * live.rows[i]!;
    return byBits.map((o) => {
      const { alpha, beta } = regimeCosts(regimes[i]!, o.bits, costs.indexBits[i]!);
      return {
        bits: o.bits,
        costBits: alpha * liveWeights + beta * kept.length + codebookBits(o.centroids),
        distortion: (typeof importance[i] === 'number' ? (importance[i] as number) : 1) * o.distortion,
      };
    });
  });
  const fixedWithoutCodebooks = costs.fixedBits - sum(costs.codebookBits);
  const biases =
    BIAS_BITS *
    live.units.reduce((s, u, i) => s + (removable(structure.units[i]!) && structure.units[i]!.hasBias ? u : 0), 0);
  const choice = allocateBits(options, Math.max(0, 8 * budgetBytes - fixedWithoutCodebooks - biases)).choice;
  return {
    bits: options.map((o, i) => o[choice[i]!]!.bits),
    centroids: candidates.map((c, i) => c.byBits[choice[i]!]?.centroids ?? new Float32Array(0)),
    distortion: options.reduce((s, o, i) => s + o[choice[i]!]!.distortion, 0),
  };
}

/** Σ importance·z² over the pruned weights. */
function prunedEnergy(
  z: readonly Float32Array[],
  masks: readonly Uint8Array[],
  importance: readonly Importance[],
): number {
  let total = 0;
  z.forEach((v, i) => {
    const mask = masks[i]!;
    const imp = importance[i]!;
    for (let j = 0; j < v.length; j++)
      if (mask[j] === 0) total += (typeof imp === 'number' ? imp : imp[j]!) * v[j]! * v[j]!;
  });
  return total;
}

/** What the layout search scores candidates against; constant during one search. */
export interface SearchInput {
  /** The values to quantize (W + U). */
  z: readonly Float32Array[];
  /** What the sparse knapsack scores (W). */
  select: readonly Float32Array[];
  costs: CostModel;
  importance: readonly Importance[];
  budgetBytes: number;
}

/** A layout the search tries: a bitwidth, a regime and a floor on the open units per layer. */
export interface LayoutCandidate {
  bits: number[];
  regimes: Regime[];
  floors: number[];
}

/** A candidate with its sparse support, codebooks and score (lower is better). */
export interface EvaluatedLayout extends LayoutCandidate {
  masks: Uint8Array[];
  allocation: Allocation;
  error: number;
}

/** What the search settles on. */
export interface Layout {
  masks: Uint8Array[];
  allocation: Allocation;
  regimes: Regime[];
  floors: number[];
}

/**
 * Steps 1–2 for one candidate, and its score: the probe-batch loss of its V when `score` is given, else the
 * projection error (pruned energy + distortion). A pure function of its arguments, so any thread that has the same
 * graph, input and scorer state computes the same result (worker_pool.ts evaluates candidates on the workers).
 */
export function evaluateLayout(
  setup: ProjectionSetup,
  input: SearchInput,
  candidate: LayoutCandidate,
  score?: (values: readonly Float32Array[]) => number,
): EvaluatedLayout {
  const { z, select, costs, importance, budgetBytes } = input;
  const { bits, regimes, floors } = candidate;
  const structure = structureOf(setup);
  const priced = { ...costs, floors };
  const masks = sparseStep(select, bits, regimes, priced, importance, budgetBytes, structure, scoredInput(input));
  const allocation = allocate(z, masks, regimes, costs, importance, budgetBytes, structure);
  const error = score
    ? score(quantize(z, masks, allocation.bits, allocation.centroids).values)
    : prunedEnergy(z, masks, importance) + allocation.distortion;
  return { bits: [...bits], regimes: [...regimes], floors: [...floors], masks, allocation, error };
}

/**
 * Coordinate descent over the bitwidths, regimes and unit floors the structured knapsack assumes: from the current
 * ones, try each layer one bit up and down, in each other regime and, where its units are removable, with its floor
 * on open units doubled (from the larger of the floor and its live units) or halved; keep a change when the
 * candidate's score drops: the probe-batch loss when the setup has a scorer, else the projection error (pruned
 * energy + distortion). Written as a generator that yields the candidates it needs and receives their evaluations,
 * in order: the start, then one layer's trials at a time. A trial fixes its layer's bits, regime and floor and takes
 * every other layer from the best so far, which accepting another trial of the same layer does not change; so a
 * layer's trials can be evaluated together (on several workers), and walking them in order with the same
 * comparisons is exactly the one-at-a-time search.
 */
function* coordinateSearch(
  costs: CostModel,
  openable: readonly number[],
): Generator<LayoutCandidate[], Layout, EvaluatedLayout[]> {
  const layers = openable.length;
  const floors = costs.floors ?? openable.map(() => 0);
  let best = (yield [{ bits: costs.bits, regimes: costs.regimes, floors }])[0]!;
  for (let pass = 0; pass < SEARCH_PASSES; pass++) {
    let improved = false;
    for (let i = 0; i < layers; i++) {
      const from = best;
      const here = { bits: from.bits[i]!, regime: from.regimes[i]!, floor: from.floors[i]! };
      const moves = [
        ...[-1, 1].map((d) => ({ ...here, bits: here.bits + d })),
        ...REGIMES.filter((r) => r !== here.regime).map((regime) => ({ ...here, regime })),
        ...floorMoves(here.floor, costs.live.units[i]!, openable[i]!).map((floor) => ({ ...here, floor })),
      ].filter((move) => move.bits >= 1 && move.bits <= MAX_BITS);
      const trials = yield moves.map((move) => ({
        bits: from.bits.map((x, j) => (j === i ? move.bits : x)),
        regimes: from.regimes.map((r, j) => (j === i ? move.regime : r)),
        floors: from.floors.map((f, j) => (j === i ? move.floor : f)),
      }));
      for (const trial of trials) {
        if (trial.error < best.error) {
          best = trial;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  return { masks: best.masks, allocation: best.allocation, regimes: best.regimes, floors: best.floors };
}

/**
 * The floors a layer of `units` removable units (0: not removable) tries from `floor` with `live` units open:
 * double the larger of the two (while under `units`), and halve a floor that is set.
 */
function floorMoves(floor: number, live: number, units: number): number[] {
  if (units === 0) return [];
  const moves: number[] = [];
  const up = Math.min(units, 2 * Math.max(floor, live, 1));
  if (up > Math.max(floor, live)) moves.push(up);
  if (floor > 0) moves.push(floor >> 1);
  return moves;
}

/** Per layer, its unit count where its units are removable (the layout search moves their floors), else 0. */
export function openableUnits(setup: Pick<ProjectionSetup, 'graph' | 'layers'>): number[] {
  return structureOf(setup).units.map((u) => (removable(u) ? u.units : 0));
}

/** The layout search in this thread. */
function searchLayout(
  setup: ProjectionSetup,
  input: SearchInput,
  openable: readonly number[],
  score?: (values: readonly Float32Array[]) => number,
): Layout {
  const search = coordinateSearch(input.costs, openable);
  let next = search.next();
  while (!next.done) next = search.next(next.value.map((c) => evaluateLayout(setup, input, c, score)));
  return next.value;
}

/**
 * The same search with each batch of candidates evaluated by `evaluateMany` (e.g. spread over worker threads);
 * the result is searchLayout's exactly when evaluateMany returns what evaluateLayout would, in order. `openable`:
 * openableUnits of the setup.
 */
export async function searchLayoutWith(
  input: SearchInput,
  openable: readonly number[],
  evaluateMany: (candidates: LayoutCandidate[]) => Promise<EvaluatedLayout[]>,
): Promise<Layout> {
  const search = coordinateSearch(input.costs, openable);
  let next = search.next();
  while (!next.done) next = search.next(next.value.length === 0 ? [] : await evaluateMany(next.value));
  return next.value;
}

/** Step 3: V = kept values of z snapped to a codebook per layer (k-means at the given bits unless given). */
function quantize(
  z: readonly Float32Array[],
  masks: readonly Uint8Array[],
  bits: readonly number[],
  centroids?: readonly Float32Array[],
  importance?: readonly Importance[],
): { codes: LayerCode[]; values: Float32Array[] } {
  const codes: LayerCode[] = [];
  const values = z.map((v, i) => {
    const mask = masks[i]!;
    const out = new Float32Array(v.length);
    for (let j = 0; j < v.length; j++) if (mask[j] !== 0 && v[j] !== 0) out[j] = v[j]!;
    const kept = keptNonzeros(v, mask);
    const imp = importance?.[i];
    const weights = imp === undefined || typeof imp === 'number' ? undefined : keptNonzeros(v, mask, imp);
    const codebook =
      centroids?.[i] ??
      (kept.length === 0
        ? new Float32Array(0)
        : snapCodebook(kmeans1d(kept, 2 ** bits[i]!, { maxBins: KMEANS_BINS, weights }).centroids));
    if (codebook.length > 0) quantizeToCentroids(out, codebook, out);
    else out.fill(0);
    codes.push({ bits: bits[i]!, nnz: kept.length, centroids: codebook, mask: nonzeroMask(out) });
    return out;
  });
  return { codes, values };
}

/**
 * Codebook entries as stored: rounded to f16 (2 bytes each) when every entry fits f16's range, else kept f32. (A grid
 * codebook, CB_Q8, would be smaller but cost accuracy: BENCHMARKS.md, "Codebooks on a grid".)
 */
export function snapCodebook(centroids: Float32Array): Float32Array {
  if (centroids.every((c) => Math.abs(c) < F16_LIMIT)) return roundCentroidsToF16(centroids);
  return Float32Array.from(new Set(centroids.filter((c) => c !== 0).sort()));
}

/** Values at or beyond this magnitude round to ±inf in f16. */
const F16_LIMIT = 65520;

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** The kept nonzero values (or, with `of`, the entries of `of` at their positions), in position order. */
function keptNonzeros(values: Float32Array, mask: Uint8Array, of: Float32Array = values): Float32Array {
  let count = 0;
  for (let j = 0; j < values.length; j++) if (mask[j] !== 0 && values[j] !== 0) count++;
  const out = new Float32Array(count);
  let k = 0;
  for (let j = 0; j < values.length; j++) if (mask[j] !== 0 && values[j] !== 0) out[k++] = of[j]!;
  return out;
}

function nonzeroMask(values: Float32Array): Uint8Array {
  const mask = new Uint8Array(values.length);
  for (let j = 0; j < values.length; j++) if (values[j] !== 0) mask[j] = 1;
  return mask;
}

/** File bytes the cost model predicts for `codes` (its live counts are the codes' own). */
function predictedBytes(codes: readonly LayerCode[], costs: CostModel, units: readonly LayerUnits[]): number {
  const charged = codes.reduce((s, c, i) => {
    const { alpha, beta } = regimeCosts(costs.regimes[i]!, c.bits, costs.indexBits[i]!);
    const u = costs.live.units[i]!;
    const bias = removable(units[i]!) && units[i]!.hasBias ? BIAS_BITS * u : 0;
    return s + alpha * u * costs.live.rows[i]! + beta * c.nnz + bias;
  }, 0);
  return Math.ceil((costs.fixedBits + charged) / 8);
}

/**
 * Step 4: the cost model read off a real export, averaged with the previous one. The measured index and fixed
 * costs depend on the very masks they produce (density, dead units), and taking them raw makes successive
 * projections oscillate between too small and too large files; the average damps that to a fixed point.
 */
function measuredCosts(
  codes: readonly LayerCode[],
  measure: FileMeasure,
  prior: CostModel,
  units: readonly LayerUnits[],
): CostModel {
  const bits = codes.map((c) => c.bits);
  const regimes = measure.layers.map((l) => regimeOf(l.encoding));
  const indexBits = measure.layers.map((l, i) => {
    const measured = l.nnz > 0 && l.encoding === ENC_SPARSE_RICE ? l.positionBits / l.nnz : prior.indexBits[i]!;
    return (measured + prior.indexBits[i]!) / 2;
  });
  const live = { units: measure.layers.map((l) => l.units), rows: measure.layers.map((l) => l.rows) };
  const charged = measure.layers.reduce((s, l, i) => {
    const { alpha, beta } = regimeCosts(regimes[i]!, bits[i]!, indexBits[i]!);
    const bias = removable(units[i]!) && units[i]!.hasBias ? BIAS_BITS * l.units : 0;
    return s + alpha * l.n + beta * l.nnz + bias;
  }, 0);
  const fixedBits = Math.max(0, 8 * measure.bytes - charged);
  return {
    bits,
    regimes,
    indexBits,
    fixedBits: (fixedBits + prior.fixedBits) / 2,
    codebookBits: codes.map((c) => codebookBits(c.centroids)),
    live,
    ...(prior.floors ? { floors: prior.floors } : {}),
    ...(prior.minOpen ? { minOpen: prior.minOpen } : {}),
  };
}
