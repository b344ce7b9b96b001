// Model selection's yardstick: the task's validation score of the model with given kernels, biases rounded to
// f16 as stored. Higher is better: accuracy for classification, −MSE for regression and reconstruction (task.ts).
import type { RunContext } from './context.js';
import { graphWithWeights } from './measure_file.js';
import { arrayParams, evaluateTask } from './sgd.js';
import { scoreOf } from './task.js';

/** Validation score of ctx's model with these kernels (one per compressible layer) and biases. */
export function validationAccuracy(
  ctx: RunContext,
  kernels: readonly Float32Array[],
  biases: ReadonlyMap<number, Float32Array>,
): number {
  const g = graphWithWeights(ctx.graph, ctx.layers, kernels, biases);
  const p = arrayParams(g, new Map(), new Map());
  try {
    const task = ctx.task.name;
    return scoreOf(task, evaluateTask(g, p.params, ctx.data.validation, ctx.inputShape, task));
  } finally {
    p.dispose();
  }
}
