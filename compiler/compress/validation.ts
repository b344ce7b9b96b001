// Model selection's yardstick: validation accuracy of the model with given kernels, biases rounded to f16 as stored.
import type { RunContext } from './context.js';
import { graphWithWeights } from './measure_file.js';
import { accuracy, arrayParams } from './sgd.js';

/**
 * Validation accuracy of ctx's model with these kernels (one per compressible layer) and biases; split across
 * ctx.pool's workers (each classifies its fixed slice of the validation split) when there is one.
 */
export async function validationAccuracy(
  ctx: RunContext,
  kernels: readonly Float32Array[],
  biases: ReadonlyMap<number, Float32Array>,
): Promise<number> {
  const g = graphWithWeights(ctx.graph, ctx.layers, kernels, biases);
  const split = ctx.data.validation;
  if (ctx.pool) {
    if (split.count === 0) return NaN;
    const predicted = await ctx.pool.classifyValidation(g);
    let correct = 0;
    for (let i = 0; i < split.count; i++) if (predicted[i] === split.labels[i]) correct++;
    return correct / split.count;
  }
  const p = arrayParams(g, new Map(), new Map());
  try {
    return accuracy(g, p.params, split, ctx.inputShape);
  } finally {
    p.dispose();
  }
}
