// The joint projection onto the constraint set "sparse, ≤ 2^b levels per layer, file ≤ S bytes": the V-step of
// ADMM and the hard projection at the end. It composes the pure projections of compiler/optimize with a cost
// model that is MEASURED, not guessed:
//
//   1. Sparse knapsack over all weights with per-nonzero cost c_i = b_i + index bits of layer i, and budget
//      8·S − F (F: every bit of the file not proportional to nnz: header, graph, live biases, codebooks,
//      tensor headers).
//   2. For each layer, k-means of its kept values for b = 1..8; a multiple-choice knapsack picks one b per layer
//      with option cost nnz_i·(b + index bits) + 16·codebook entries.
//   3. V = the kept values snapped to f16 codebooks.
//   With searchBits, steps 1–2 run inside a coordinate search over the bitwidths the knapsack starts from: the MCKP
//   can only trade bits between layers once step 1 has filled the budget, so "more weights at fewer bits" versus
//   "fewer weights at more bits" is settled by comparing the projection error ‖z − V‖² (pruned energy + k-means
//   distortion, both weighted by layer importance) — the very quantity the V-step minimizes. Without it, the
//   bitwidths stay as the cost model has them and only the codebooks are refit (the cheap, frequent projection).
//   4. Export V (dead units removed, smallest exact encodings) and read off the real file bytes, each layer's
//      index bits per nonzero, and F. These seed the next round.
//
// Rounds repeat a few times (the index cost depends on density, which depends on the knapsack, and dead units
// free bias bytes). The result carries its real file size; the caller decides what to do if it is over.
import type { Graph } from '../ir/graph.js';
import { allocateBits, type BitOption } from '../optimize/bit_allocation.js';
import { kmeans1d, kmeansByBits, quantizeToCentroids, roundCentroidsToF16 } from '../optimize/kmeans.js';
import { sparseProject } from '../optimize/sparse_projection.js';
import type { CompressibleLayer } from './layers.js';
import { markDeadWeights, unitLinks } from './dead_weights.js';
import { graphWithWeights, measureFile, type FileMeasure } from './measure_file.js';

export const MAX_BITS = 8;

/** The measured costs one projection leaves for the next. Units: bits. */
export interface CostModel {
  /** Current bitwidth per layer. */
  bits: number[];
  /** Position bits per nonzero per layer. */
  indexBits: number[];
  /** File bits not proportional to nnz (includes the codebooks at the current bits). */
  fixedBits: number;
  /** Codebook bits per layer included in fixedBits. */
  codebookBits: number[];
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
  /** Per-layer multiplier of w² and of quantization distortion (layer sensitivity); default 1. */
  importance?: readonly number[];
  /** Fixed-point rounds of the measured cost model (default 3). */
  rounds?: number;
  /**
   * Scores a candidate V (one array per layer; lower is better) for the bitwidth search: the training loss of the
   * model with those kernels on a fixed probe batch. Without it the search compares projection errors ‖z − V‖².
   */
  score?: (values: readonly Float32Array[]) => number;
}

const CODEBOOK_ENTRY_BITS = 16; // f16 entries
/** k-means DP resolution inside projections: 512 bins is within ~1% of the exact optimum for b ≤ 6 and 5× faster. */
const KMEANS_BINS = 512;

/** A first guess for the cost model before anything was measured: 4 bits, index bits from a uniform density. */
export function initialCosts(setup: ProjectionSetup, biases: ReadonlyMap<number, Float32Array>, budgetBytes: number): CostModel {
  const { graph, layers } = setup;
  const empty = layers.map((l) => new Float32Array(l.n));
  const base = measureFile(graphWithWeights(graph, layers, empty, biases), layers);
  // Dead-unit removal empties everything when all kernels are zero; count every bias instead (an upper bound).
  const biasBits = [...biases.values()].reduce((s, b) => s + 16 * b.length, 0);
  const fixedBits = 8 * base.bytes + biasBits;
  const bits = layers.map(() => 4);
  // Uniform density guess at ~10 bits per nonzero; the first measured round replaces it.
  const total = layers.reduce((s, l) => s + l.n, 0);
  const density = Math.min(1, Math.max(1 / total, (8 * budgetBytes - fixedBits) / (total * 10)));
  const indexBits = layers.map(() => Math.max(1, Math.log2(1 / density) + 1.5));
  return { bits, indexBits, fixedBits, codebookBits: layers.map(() => 0) };
}

/**
 * Projects z (W + U, or W for the hard projection) onto models whose file is about `budgetBytes`.
 * `costs` seeds the cost model (from the previous projection, or initialCosts). `select` (default z) is what the
 * sparse knapsack scores: the ADMM V-step keeps the largest weights of W and quantizes W + U on that support, as
 * the paper's reference code does. `searchBits` re-decides the bitwidths (see the header). Deterministic.
 */
export function projectJoint(
  setup: ProjectionSetup, z: readonly Float32Array[], biases: ReadonlyMap<number, Float32Array>,
  costs: CostModel, budgetBytes: number,
  opts: {
    select?: readonly Float32Array[]; rounds?: number; searchBits?: boolean; importance?: readonly number[];
    /** Export V and read off the real size and costs (default true); false keeps the cost model (frequent projections). */
    measure?: boolean;
  } = {},
): JointProjection {
  const { layers } = setup;
  const importance = opts.importance ?? setup.importance ?? layers.map(() => 1);
  const rounds = opts.rounds ?? setup.rounds ?? 3;
  const select = opts.select ?? z;
  let model = costs;
  let result: JointProjection | undefined;
  for (let round = 0; round < rounds; round++) {
    let masks: Uint8Array[];
    let codes: LayerCode[];
    let values: Float32Array[];
    if (opts.searchBits) {
      const found = searchBits(z, select, model, importance, budgetBytes, linksOf(setup), setup.score);
      masks = found.masks;
      ({ codes, values } = quantize(z, masks, found.allocation.bits, found.allocation.centroids));
    } else {
      masks = sparseStep(select, model.bits, model, importance, budgetBytes, linksOf(setup));
      ({ codes, values } = quantize(z, masks, model.bits));
    }
    if (opts.measure === false) {
      model = { ...model, bits: codes.map((c) => c.bits) };
      result = { values, codes, bytes: predictedBytes(codes, model), costs: model };
      continue;
    }
    const measure = measureFile(graphWithWeights(setup.graph, layers, values, biases), layers);
    model = measuredCosts(codes, measure, model);
    result = { values, codes, measure, bytes: measure.bytes, costs: model };
  }
  return result!;
}

/** Passes of the coordinate search over bitwidths (each tries every layer one bit up and down). */
const SEARCH_PASSES = 1;

/** Knapsack rounds that exclude weights the file would drop (dead_weights.ts) and refill the budget. */
const DEAD_WEIGHT_ROUNDS = 6;

/**
 * Step 1: the global knapsack on importance·z² / (b_i + index bits). Weights that only feed units nothing reads
 * are excluded and the knapsack rerun, so the budget goes to weights that survive dead-unit removal.
 */
function sparseStep(
  select: readonly Float32Array[], bits: readonly number[], costs: CostModel, importance: readonly number[], budgetBytes: number,
  links: ReturnType<typeof unitLinks>,
): Uint8Array[] {
  const fixedWithoutCodebooks = costs.fixedBits - sum(costs.codebookBits);
  const codebooks = bits.reduce((s, b) => s + CODEBOOK_ENTRY_BITS * 2 ** b, 0);
  const budgetBits = Math.max(0, 8 * budgetBytes - fixedWithoutCodebooks - codebooks);
  const dead = select.map((v) => new Uint8Array(v.length));
  let candidates = select;
  let keep: Uint8Array[] = [];
  for (let round = 0; round < DEAD_WEIGHT_ROUNDS; round++) {
    keep = sparseProject(
      candidates.map((values, i) => ({
        values,
        costBitsPerNonzero: bits[i]! + costs.indexBits[i]!,
        importance: importance[i]!,
        minKeep: 1,
      })),
      budgetBits,
    ).keep;
    if (markDeadWeights(links, keep, dead) === 0) break;
    candidates = select.map((v, i) => {
      const d = dead[i]!;
      const out = v.slice();
      for (let j = 0; j < out.length; j++) if (d[j]) out[j] = 0;
      return out;
    });
  }
  keep.forEach((k, i) => {
    const d = dead[i]!;
    for (let j = 0; j < k.length; j++) if (d[j]) k[j] = 0;
  });
  return keep;
}

const linkCache = new WeakMap<Graph, ReturnType<typeof unitLinks>>();
function linksOf(setup: ProjectionSetup): ReturnType<typeof unitLinks> {
  let links = linkCache.get(setup.graph);
  if (!links) {
    links = unitLinks(setup.graph, setup.layers);
    linkCache.set(setup.graph, links);
  }
  return links;
}

interface Allocation {
  bits: number[];
  centroids: Float32Array[];
  /** Σ importance·k-means distortion of the kept values at the chosen bits. */
  distortion: number;
}

/** Step 2: codebooks for every b, one b per layer by the multiple-choice knapsack (greedy over convex hulls). */
function allocate(
  z: readonly Float32Array[], masks: readonly Uint8Array[], costs: CostModel, importance: readonly number[], budgetBytes: number,
): Allocation {
  const candidates = z.map((values, i) => {
    const kept = keptNonzeros(values, masks[i]!);
    const byBits = kept.length === 0 ? [] : kmeansByBits(kept, MAX_BITS, { maxBins: KMEANS_BINS }).map((o) => ({
      bits: o.bits, centroids: snapCodebook(o.centroids), distortion: o.distortion,
    }));
    return { kept, byBits };
  });
  const options: BitOption[][] = candidates.map(({ kept, byBits }, i) => {
    if (byBits.length === 0) return [{ bits: 1, costBits: 0, distortion: 0 }];
    return byBits.map((o) => ({
      bits: o.bits,
      costBits: kept.length * (o.bits + costs.indexBits[i]!) + CODEBOOK_ENTRY_BITS * o.centroids.length,
      distortion: importance[i]! * o.distortion,
    }));
  });
  const fixedWithoutCodebooks = costs.fixedBits - sum(costs.codebookBits);
  const choice = allocateBits(options, Math.max(0, 8 * budgetBytes - fixedWithoutCodebooks)).choice;
  return {
    bits: options.map((o, i) => o[choice[i]!]!.bits),
    centroids: candidates.map((c, i) => c.byBits[choice[i]!]?.centroids ?? new Float32Array(0)),
    distortion: options.reduce((s, o, i) => s + o[choice[i]!]!.distortion, 0),
  };
}

/** Σ importance·z² over the pruned weights. */
function prunedEnergy(z: readonly Float32Array[], masks: readonly Uint8Array[], importance: readonly number[]): number {
  let total = 0;
  z.forEach((v, i) => {
    const mask = masks[i]!;
    let e = 0;
    for (let j = 0; j < v.length; j++) if (mask[j] === 0) e += v[j]! * v[j]!;
    total += importance[i]! * e;
  });
  return total;
}

/**
 * Coordinate descent over the bitwidths the sparse knapsack assumes: from the current bits, try each layer one
 * bit up and down and keep a change when the candidate's score drops: the probe-batch loss when the setup has a
 * scorer, else the projection error (pruned energy + quantization distortion).
 */
function searchBits(
  z: readonly Float32Array[], select: readonly Float32Array[], costs: CostModel, importance: readonly number[],
  budgetBytes: number, links: ReturnType<typeof unitLinks>, score?: (values: readonly Float32Array[]) => number,
): { masks: Uint8Array[]; allocation: Allocation } {
  const evaluate = (bits: readonly number[]) => {
    const masks = sparseStep(select, bits, costs, importance, budgetBytes, links);
    const allocation = allocate(z, masks, costs, importance, budgetBytes);
    const error = score
      ? score(quantize(z, masks, allocation.bits, allocation.centroids).values)
      : prunedEnergy(z, masks, importance) + allocation.distortion;
    return { bits: [...bits], masks, allocation, error };
  };
  let best = evaluate(costs.bits);
  for (let pass = 0; pass < SEARCH_PASSES; pass++) {
    let improved = false;
    for (let i = 0; i < z.length; i++) {
      for (const delta of [-1, 1]) {
        const b = best.bits[i]! + delta;
        if (b < 1 || b > MAX_BITS) continue;
        const trial = evaluate(best.bits.map((x, j) => (j === i ? b : x)));
        if (trial.error < best.error) {
          best = trial;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  return { masks: best.masks, allocation: best.allocation };
}

/** Step 3: V = kept values of z snapped to a codebook per layer (k-means at the given bits unless given). */
function quantize(
  z: readonly Float32Array[], masks: readonly Uint8Array[], bits: readonly number[], centroids?: readonly Float32Array[],
): { codes: LayerCode[]; values: Float32Array[] } {
  const codes: LayerCode[] = [];
  const values = z.map((v, i) => {
    const mask = masks[i]!;
    const out = new Float32Array(v.length);
    for (let j = 0; j < v.length; j++) if (mask[j] !== 0 && v[j] !== 0) out[j] = v[j]!;
    const kept = keptNonzeros(v, mask);
    const codebook = centroids?.[i] ?? (kept.length === 0 ? new Float32Array(0)
      : snapCodebook(kmeans1d(kept, 2 ** bits[i]!, { maxBins: KMEANS_BINS }).centroids));
    if (codebook.length > 0) quantizeToCentroids(out, codebook, out);
    else out.fill(0);
    codes.push({ bits: bits[i]!, nnz: kept.length, centroids: codebook, mask: nonzeroMask(out) });
    return out;
  });
  return { codes, values };
}

/** Codebook entries as stored: rounded to f16 (2 bytes each) when every entry fits f16's range, else kept f32. */
export function snapCodebook(centroids: Float32Array): Float32Array {
  if (centroids.every((c) => Math.abs(c) < F16_LIMIT)) return roundCentroidsToF16(centroids);
  return Float32Array.from(new Set(centroids.filter((c) => c !== 0).sort()));
}

/** Values at or beyond this magnitude round to ±inf in f16. */
const F16_LIMIT = 65520;

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function keptNonzeros(values: Float32Array, mask: Uint8Array): Float32Array {
  let count = 0;
  for (let j = 0; j < values.length; j++) if (mask[j] !== 0 && values[j] !== 0) count++;
  const out = new Float32Array(count);
  let k = 0;
  for (let j = 0; j < values.length; j++) if (mask[j] !== 0 && values[j] !== 0) out[k++] = values[j]!;
  return out;
}

function nonzeroMask(values: Float32Array): Uint8Array {
  const mask = new Uint8Array(values.length);
  for (let j = 0; j < values.length; j++) if (values[j] !== 0) mask[j] = 1;
  return mask;
}

/** File bytes the cost model predicts for `codes`. */
function predictedBytes(codes: readonly LayerCode[], costs: CostModel): number {
  const proportional = codes.reduce((s, c, i) => s + c.nnz * (c.bits + costs.indexBits[i]!), 0);
  return Math.ceil((costs.fixedBits + proportional) / 8);
}

/**
 * Step 4: the cost model read off a real export, averaged with the previous one. The measured index and fixed
 * costs depend on the very masks they produce (density, dead units), and taking them raw makes successive
 * projections oscillate between too small and too large files; the average damps that to a fixed point.
 */
function measuredCosts(codes: readonly LayerCode[], measure: FileMeasure, prior: CostModel): CostModel {
  const bits = codes.map((c) => c.bits);
  const indexBits = measure.layers.map((l, i) => {
    const measured = l.nnz > 0 ? l.positionBits / l.nnz : prior.indexBits[i]!;
    return (measured + prior.indexBits[i]!) / 2;
  });
  const codebookBits = codes.map((c) => CODEBOOK_ENTRY_BITS * c.centroids.length);
  const proportional = measure.layers.reduce((s, l, i) => s + l.nnz * (bits[i]! + indexBits[i]!), 0);
  const fixedBits = Math.max(0, 8 * measure.bytes - proportional);
  return { bits, indexBits, fixedBits: (fixedBits + prior.fixedBits) / 2, codebookBits };
}
