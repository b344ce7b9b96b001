// Model selection's yardstick: validation accuracy of the model with given kernels, biases rounded to f16 as stored.
import type { RunContext } from './context.js';
import { graphWithWeights } from './measure_file.js';
import { accuracy, arrayParams } from './sgd.js';

/** Validation accuracy of ctx's model with these kernels (one per compressible layer) and biases. */
export function validationAccuracy(
  ctx: RunContext,
  kernels: readonly Float32Array[],
  biases: ReadonlyMap<number, Float32Array>,
): number {
  const g = graphWithWeights(ctx.graph, ctx.layers, kernels, biases);
  const p = arrayParams(g, new Map(), new Map());
  try {
    return accuracy(g, p.params, ctx.data.validation, ctx.inputShape);
  } finally {
    p.dispose();
  }
}
