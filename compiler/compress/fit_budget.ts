// The hard projection at the end of ADMM: the largest joint projection of W whose REAL file (dead units removed,
// smallest exact encodings) fits the target. The knapsack budget is searched by bisection because the real size
// is only roughly monotone in it (index and bias bytes move with density); the best feasible point is kept.
//
// The guarantee: every target of at least minimumFileBytes(setup) gets a file, whatever the weights and biases
// training led to. That minimum is the file with every kernel pruned to zero and every bias stored in full (f16
// for each unit dead-unit removal leaves); no file of these biases is smaller, and when no projection of W fits,
// fitToTarget falls back to that one, which with the real biases is never larger.
import { f16ToF32 } from '../../formats/index.js';
import {
  initialCosts,
  projectJoint,
  type CostModel,
  type Importance,
  type LayerCode,
  type MeasuredProjection,
  type ProjectionSetup,
} from './joint_projection.js';
import { graphWithWeights, measureFile, type FileMeasure } from './measure_file.js';

export interface FitResult {
  projection: MeasuredProjection;
  /** Knapsack budget (bytes) that produced it. */
  budgetBytes: number;
  /** Projections tried. */
  tries: number;
}

/** Thrown when the target is below minimumFileBytes. */
export class ImpossibleTargetError extends Error {
  constructor(
    readonly targetBytes: number,
    readonly minimumBytes: number,
  ) {
    super(
      `target of ${targetBytes} bytes is below the smallest file this architecture can produce (${minimumBytes} bytes, ` +
        `every weight pruned and every bias kept); choose --target-size ${minimumBytes} or more`,
    );
    this.name = 'ImpossibleTargetError';
  }
}

/**
 * The smallest .sqz this architecture can be guaranteed, in bytes: every kernel zero (dead-unit removal then
 * leaves one unit per chain), every remaining bias stored in full. It depends on the graph's shapes only, not on
 * weight or bias values, so a target checked against it before training still holds after.
 */
export function minimumFileBytes(setup: ProjectionSetup): number {
  const fullBiases = new Map<number, Float32Array>();
  setup.graph.ops.forEach((op, opIndex) => {
    // Distinct nonzero f16 values (1, 1 + 2^-10, ...): no encoding stores them in less than f16 per unit, and no
    // unit's constant output is zero, so none is removed that other biases would keep.
    if (op.bias)
      fullBiases.set(
        opIndex,
        Float32Array.from(op.bias.values, (_, j) => f16ToF32(F16_ONE + (j % F16_ONE_TO_INF))),
      );
  });
  return measureFile(graphWithWeights(setup.graph, setup.layers, emptyKernels(setup), fullBiases), setup.layers).bytes;
}

const F16_ONE = 0x3c00;
/** f16 bit patterns from 1.0 up to the last finite value. */
const F16_ONE_TO_INF = 0x7c00 - F16_ONE;

function emptyKernels(setup: ProjectionSetup): Float32Array[] {
  return setup.layers.map((l) => new Float32Array(l.n));
}

/** The projection with every kernel pruned to zero: the smallest file of `biases` (see minimumFileBytes). */
function emptyProjection(
  setup: ProjectionSetup,
  biases: ReadonlyMap<number, Float32Array>,
  costs: CostModel,
): MeasuredProjection {
  const values = emptyKernels(setup);
  const codes = values.map((v): LayerCode => ({
    bits: 1,
    nnz: 0,
    centroids: new Float32Array(0),
    mask: new Uint8Array(v.length),
  }));
  const measure = measureFile(graphWithWeights(setup.graph, setup.layers, values, biases), setup.layers);
  return { values, codes, measure, bytes: measure.bytes, costs };
}

/** Bisection on the knapsack budget for the largest projection of `w` whose real file is ≤ targetBytes. */
export function fitToTarget(
  setup: ProjectionSetup,
  w: readonly Float32Array[],
  biases: ReadonlyMap<number, Float32Array>,
  costs: CostModel,
  targetBytes: number,
  importance?: readonly Importance[],
  maxTries = 16,
  searchLayout = true,
): FitResult {
  // Bitwidths, regimes and the cost model are settled once, at the target (searched, or as `costs` has them when
  // the caller's own projections just searched them); the bisection then moves only the knapsack budget, with
  // everything else fixed, so the file size is (nearly) monotone in it.
  const first = projectJoint(setup, w, biases, costs, targetBytes, {
    searchBits: searchLayout,
    rounds: 2,
    importance,
  }) as MeasuredProjection;
  const settled = first.costs;
  let tries = 1;
  let best: FitResult | undefined =
    first.bytes <= targetBytes ? { projection: first, budgetBytes: targetBytes, tries } : undefined;
  const attempt = (budget: number): MeasuredProjection => {
    tries++;
    const p = projectJoint(setup, w, biases, settled, budget, { rounds: 1, importance }) as MeasuredProjection;
    if (p.measure.bytes <= targetBytes && (!best || p.measure.bytes > best.projection.measure.bytes)) {
      best = { projection: p, budgetBytes: budget, tries };
    }
    return p;
  };
  // Bracket: lo fits, hi does not.
  let lo = 0;
  let hi = targetBytes;
  if (attempt(hi).measure.bytes <= targetBytes) {
    lo = hi;
    hi = targetBytes * 2;
    while (tries < maxTries / 2 && attempt(hi).measure.bytes <= targetBytes) {
      lo = hi;
      hi *= 2;
    }
  }
  while (tries < maxTries && hi - lo > Math.max(1, targetBytes * 0.002)) {
    const mid = (lo + hi) / 2;
    if (attempt(mid).measure.bytes <= targetBytes) lo = mid;
    else hi = mid;
  }
  if (!best) attempt(0);
  if (!best) {
    // Even the knapsack's smallest projection keeps a weight per layer; with every kernel empty the file is at
    // most minimumFileBytes, so this only fails for targets the caller should have refused.
    const empty = emptyProjection(setup, biases, settled);
    if (empty.bytes > targetBytes) throw new ImpossibleTargetError(targetBytes, minimumFileBytes(setup));
    best = { projection: empty, budgetBytes: 0, tries };
  }
  return { ...best!, tries };
}

/**
 * The file a run writes: the export of `kernels` (already quantized, one per layer) and `biases` as they are when
 * it fits `targetBytes`, else their projection refitted to it. The result's `exported.bytes` are the file, at most
 * targetBytes long. `log` hears about a refit. @throws ImpossibleTargetError when nothing fits
 */
export function fitFinalFile(
  setup: ProjectionSetup,
  kernels: readonly Float32Array[],
  biases: ReadonlyMap<number, Float32Array>,
  targetBytes: number,
  log?: (line: string) => void,
): FileMeasure {
  const measure = measureFile(graphWithWeights(setup.graph, setup.layers, kernels, biases), setup.layers);
  if (measure.bytes <= targetBytes) return measure;
  log?.(`the fine-tuned file is ${measure.bytes} bytes, over the ${targetBytes}-byte target: re-projecting`);
  const refit = fitToTarget(setup, kernels, biases, initialCosts(setup, biases, targetBytes), targetBytes).projection
    .measure;
  if (refit.bytes > targetBytes)
    throw new Error(`internal: file of ${refit.bytes} bytes exceeds the target ${targetBytes}`);
  return refit;
}
