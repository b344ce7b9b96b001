// The hard projection at the end of ADMM: the largest joint projection of W whose REAL file (dead units removed,
// smallest exact encodings) fits the target. The knapsack budget is searched by bisection because the real size
// is only roughly monotone in it (index and bias bytes move with density); the best feasible point is kept.
import { projectJoint, type CostModel, type MeasuredProjection, type ProjectionSetup } from './joint_projection.js';

export interface FitResult {
  projection: MeasuredProjection;
  /** Knapsack budget (bytes) that produced it. */
  budgetBytes: number;
  /** Projections tried. */
  tries: number;
}

/** Thrown when even one weight per layer does not fit. */
export class ImpossibleTargetError extends Error {
  constructor(readonly targetBytes: number, readonly minimumBytes: number) {
    super(`target of ${targetBytes} bytes is below the smallest file this architecture can produce (${minimumBytes} bytes, `
      + `keeping one 1-bit weight per layer); choose --target-size ${minimumBytes} or more`);
    this.name = 'ImpossibleTargetError';
  }
}

/**
 * The smallest .sqz this architecture can produce: one nonzero 1-bit weight per layer (the largest of `w`), the
 * rest pruned, dead units removed.
 */
export function minimumFileBytes(setup: ProjectionSetup, w: readonly Float32Array[], biases: ReadonlyMap<number, Float32Array>, costs: CostModel): number {
  return projectJoint({ ...setup, rounds: 1 }, w, biases, costs, 0).bytes;
}

/** Bisection on the knapsack budget for the largest projection of `w` whose real file is ≤ targetBytes. */
export function fitToTarget(
  setup: ProjectionSetup, w: readonly Float32Array[], biases: ReadonlyMap<number, Float32Array>, costs: CostModel,
  targetBytes: number, importance?: readonly number[], maxTries = 16,
): FitResult {
  // Bitwidths and the cost model are settled once, at the target; the bisection then moves only the knapsack
  // budget, with everything else fixed, so the file size is (nearly) monotone in it.
  const first = projectJoint(setup, w, biases, costs, targetBytes, { searchBits: true, rounds: 2, importance }) as MeasuredProjection;
  const settled = first.costs;
  let tries = 1;
  let best: FitResult | undefined = first.bytes <= targetBytes ? { projection: first, budgetBytes: targetBytes, tries } : undefined;
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
  if (!best) {
    const minimum = minimumFileBytes(setup, w, biases, costs);
    if (minimum > targetBytes) throw new ImpossibleTargetError(targetBytes, minimum);
    attempt(0);
    if (!best) throw new ImpossibleTargetError(targetBytes, minimum);
  }
  return { ...best!, tries };
}

