// Model selection's yardstick: the task's validation score of the model with given kernels, biases rounded to
// f16 as stored. Higher is better: accuracy for classification, −MSE for regression and reconstruction (task.ts).
import type { RunContext } from './context.js';
import { graphWithWeights } from './measure_file.js';
import { arrayParams, evaluateTask } from './sgd.js';
import { scoreOf, taskMetrics } from './task.js';

/**
 * Validation score of ctx's model with these kernels (one per compressible layer) and biases. With ctx.pool the
 * forward passes are split across its workers (each runs its fixed slice of the validation split and returns the
 * model's outputs); the metrics are then computed here on the whole split, as in this thread (task.ts taskMetrics).
 */
export async function validationAccuracy(
  ctx: RunContext,
  kernels: readonly Float32Array[],
  biases: ReadonlyMap<number, Float32Array>,
): Promise<number> {
  const g = graphWithWeights(ctx.graph, ctx.layers, kernels, biases);
  const split = ctx.data.validation;
  const task = ctx.task.name;
  if (ctx.pool) {
    if (split.count === 0) return NaN;
    // Logits for classification (argmax is the same; predictOutputs in this thread skips the softmax too).
    const outputs = await ctx.pool.validationOutputs(g, task === 'classification');
    return scoreOf(task, taskMetrics(task, outputs, split));
  }
  const p = arrayParams(g, new Map(), new Map());
  try {
    return scoreOf(task, evaluateTask(g, p.params, split, ctx.inputShape, task));
  } finally {
    p.dispose();
  }
}
