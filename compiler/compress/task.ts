// What the model is for, and so which loss trains it and which metric picks and reports the result:
// - classification: softmax cross-entropy on integer labels; metric accuracy (argmax);
// - regression: mean squared error against y; metrics MSE and MAE over all output elements;
// - reconstruction: mean squared error against the input itself (autoencoders, anomaly detection); metrics MSE
//   and MAE over all output elements.
// The task is inferred unless given: data without y means reconstruction; a softmax output with integer labels
// means classification; anything else means regression. Every phase reads the task from here: the loss
// (sgd.ts lossOf), the bit search's probe (probe_score.ts), model selection (validation.ts, as a score where
// higher is better: accuracy, or −MSE), the final test figures and the wasm runtime's check (finish.ts, sqz eval).
import { DataError, UsageError } from '../errors.js';
import type { Dataset, Split } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { elementCount } from '../ir/graph_utils.js';

export const TASK_NAMES = ['classification', 'regression', 'reconstruction'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/** The task of a run, with what its loss needs. */
export interface TaskSpec {
  name: TaskName;
  /** Scores per sample of a classifier (its output size); 0 for the other tasks. */
  numClasses: number;
  /** The model's per-sample output shape (targets are reshaped to it). */
  outputShape: number[];
}

/** Test or validation figures of a task: accuracy for classification; MSE and MAE otherwise. */
export interface TaskMetrics {
  accuracy?: number;
  mse?: number;
  mae?: number;
}

/** The metric that model selection maximizes and the reports lead with. */
export function metricName(task: TaskName): 'accuracy' | 'mse' {
  return task === 'classification' ? 'accuracy' : 'mse';
}

/** Parses --task. @throws UsageError */
export function parseTaskName(value: string): TaskName {
  if ((TASK_NAMES as readonly string[]).includes(value)) return value as TaskName;
  throw new UsageError(`--task must be one of ${TASK_NAMES.join(', ')}, got '${value}'`);
}

/**
 * The run's task: `requested`, or inferred from the data and the model's output. Checks that the data fits the
 * task: labels within the model's classes (naming the first sample outside), y with as many values as the
 * output, or an output the size of the input.
 * @returns the task and a sentence saying how it was chosen
 * @throws DataError when the data cannot serve the task
 */
export function resolveTask(
  graph: Graph,
  dataset: Dataset,
  requested: TaskName | undefined,
  modelName: string,
): { task: TaskSpec; reason: string } {
  const outputShape = graph.values[graph.outputs[0]!]!.shape;
  const outputSize = elementCount(outputShape);
  const last = graph.ops.find((op) => op.output === graph.outputs[0]);
  const softmax = last?.activation === 'softmax';
  let name: TaskName;
  let reason: string;
  if (requested) {
    name = requested;
    reason = `task ${name} (--task)`;
  } else if (dataset.targetWidth === 0) {
    name = 'reconstruction';
    reason = `task reconstruction (inferred: ${dataset.name} has no labels)`;
  } else if (softmax && dataset.numClasses > 0) {
    name = 'classification';
    reason = `task classification (inferred: softmax output and integer labels)`;
  } else {
    name = 'regression';
    reason =
      `task regression (inferred: ${softmax ? 'the labels are not integer classes' : 'the model does not end in softmax'}; ` +
      'give --task classification to train on class labels)';
  }
  if (name === 'classification') checkClassification(dataset, outputShape, modelName);
  if (name === 'regression' && dataset.targetWidth !== outputSize) {
    throw new DataError(
      dataset.targetWidth === 0
        ? `${dataset.name} has no y to regress on; give data with labels or --task reconstruction`
        : `${modelName} outputs [${outputShape}] (${outputSize} values) per sample but ${dataset.name} has ` +
            `${dataset.targetWidth} y values per sample; regression needs one y value per output`,
    );
  }
  if (name === 'reconstruction') {
    const inputSize = elementCount(graph.values[graph.inputs[0]!]!.shape);
    if (inputSize !== outputSize) {
      throw new DataError(
        `${modelName} outputs ${outputSize} values per sample but takes ${inputSize}; reconstruction needs an output the size of the input`,
      );
    }
  }
  return {
    task: { name, numClasses: name === 'classification' ? outputSize : 0, outputShape: [...outputShape] },
    reason,
  };
}

/** Classification needs integer labels within the model's scores; names the first sample outside. */
function checkClassification(dataset: Dataset, outputShape: readonly number[], modelName: string): void {
  if (dataset.numClasses === 0) {
    throw new DataError(
      `${dataset.name} has no integer class labels in [0, 255] (its y is ${dataset.targetWidth === 0 ? 'absent' : 'not integer class indices'}); ` +
        'classification needs them: use --task regression or reconstruction',
    );
  }
  if (outputShape.length !== 1) {
    throw new DataError(
      `${modelName}: the model's output has shape [${outputShape}]; a classifier must end in one score per class`,
    );
  }
  const classes = outputShape[0]!;
  for (const [part, split] of [
    ['train', dataset.train],
    ['test', dataset.test],
  ] as const) {
    const i = split.labels.findIndex((l) => l >= classes);
    if (i >= 0) {
      const where = split.source ? `sample ${split.source[i]} (${part} split)` : `${part} sample ${i}`;
      throw new DataError(
        `${dataset.name}: label ${split.labels[i]} of ${where} is out of range for ${modelName}, which scores ` +
          `${classes} classes (0..${classes - 1}); use a model made for this dataset`,
      );
    }
  }
}

/** What the model should output for each sample of `split`: its targets, or its inputs for reconstruction. */
export function expectedOutputs(task: TaskName, split: Split): Float32Array {
  if (task === 'reconstruction') return split.images;
  if (!split.targets) throw new Error(`expectedOutputs: the split has no targets for ${task}`);
  return split.targets;
}

/** Index of the largest of `scores[at .. at + n)` (first on ties). */
function argmax(scores: ArrayLike<number>, at: number, n: number): number {
  let arg = 0;
  for (let c = 1; c < n; c++) if (scores[at + c]! > scores[at + arg]!) arg = c;
  return arg;
}

/** Predicted class per sample from outputs of `width` values per sample. */
export function classesOf(outputs: ArrayLike<number>, count: number, width: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = argmax(outputs, i * width, width);
  return out;
}

/** The task's metrics of `outputs` (count × width, sample-major) on `split`. NaN for an empty split. */
export function taskMetrics(task: TaskName, outputs: ArrayLike<number>, split: Split): TaskMetrics {
  const width = split.count === 0 ? 0 : outputs.length / split.count;
  if (task === 'classification') {
    let correct = 0;
    for (let i = 0; i < split.count; i++) if (argmax(outputs, i * width, width) === split.labels[i]) correct++;
    return { accuracy: split.count === 0 ? NaN : correct / split.count };
  }
  const expected = expectedOutputs(task, split);
  if (expected.length !== outputs.length) {
    throw new DataError(
      `the model gives ${outputs.length} output values for ${split.count} samples, the data expects ${expected.length}`,
    );
  }
  let se = 0;
  let ae = 0;
  for (let i = 0; i < outputs.length; i++) {
    const d = outputs[i]! - expected[i]!;
    se += d * d;
    ae += Math.abs(d);
  }
  return { mse: se / outputs.length, mae: ae / outputs.length };
}

/** Model selection's score: higher is better (accuracy, or −MSE). */
export function scoreOf(task: TaskName, m: TaskMetrics): number {
  return task === 'classification' ? m.accuracy! : -m.mse!;
}

/** The metric of a score, as a progress line says it: "validation accuracy 91.23%" / "validation MSE 0.01234". */
export function formatScore(task: TaskName, score: number): string {
  return task === 'classification' ? `accuracy ${(100 * score).toFixed(2)}%` : `MSE ${formatMse(-score)}`;
}

/** An MSE with 4 significant digits. */
export function formatMse(mse: number | undefined): string {
  return mse === undefined || Number.isNaN(mse) ? '-' : mse.toPrecision(4);
}
