// A compressed model no user would want: a classifier left near chance, or a regression or autoencoder no better
// than a constant output. Such a result is still written (the user asked for that size), but flagged loudly: a
// warning on stderr even with --quiet, and in the report.
import type { Split } from '../data/dataset.js';
import { expectedOutputs, type TaskMetrics, type TaskName } from './task.js';

/** Each class's share of `labels` (empty for no labels). */
function classShares(labels: Uint8Array): number[] {
  const counts = new Map<number, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return [...counts.values()].map((c) => c / labels.length);
}

/** Accuracy of always answering the most frequent class of `labels` (the chance level of that split). */
export function chanceAccuracy(labels: Uint8Array): number {
  return labels.length === 0 ? 0 : Math.max(...classShares(labels));
}

/**
 * The cross-entropy of a classifier that ignores its input and answers the class frequencies of `labels`: their
 * entropy in nats (ln 10 for 10 balanced classes). A training loss held at this level means the network collapsed.
 */
export function chanceLoss(labels: Uint8Array): number {
  return classShares(labels).reduce((h, p) => h - p * Math.log(p), 0);
}

/**
 * The training loss (sgd.ts lossOf) below which no input-blind classifier gets on `train`, for the loss config
 * `loss`: chanceLoss of the labels, and with a teacher term (1 − α)·that + α·T²·(H(p̄) − mean H(p)), p the
 * teacher's soft targets, p̄ their mean (the best constant answer to KL(p ‖ q) is q = p̄). A bound: one constant
 * logit vector cannot reach both terms' minima, so a collapsed network's loss is at least this.
 */
export function collapsedLoss(
  train: { labels: Uint8Array; count: number; soft?: Float32Array },
  loss: { distill: number; temperature: number },
): number {
  const labels = chanceLoss(train.labels);
  if (loss.distill === 0 || !train.soft || train.count === 0) return labels;
  const soft = train.soft;
  const classes = soft.length / train.count;
  const mean = new Float64Array(classes);
  let entropySum = 0;
  for (let i = 0; i < train.count; i++) {
    for (let c = 0; c < classes; c++) {
      const p = soft[i * classes + c]!;
      mean[c] += p / train.count;
      if (p > 0) entropySum -= p * Math.log(p);
    }
  }
  let meanEntropy = 0;
  for (const m of mean) if (m > 0) meanEntropy -= m * Math.log(m);
  const kl = Math.max(0, meanEntropy - entropySum / train.count);
  const t = loss.temperature;
  return (1 - loss.distill) * labels + loss.distill * t * t * kl;
}

/** Below this share of the original model's margin over chance, a result counts as "near chance". */
const NEAR_CHANCE_SHARE = 0.1;

/**
 * A warning when `after` keeps less than a tenth of the original model's accuracy margin over chance
 * (e.g. ≤ 18% for 10 balanced classes and a 90% model), else undefined.
 */
export function nearChanceWarning(before: number, after: number, chance: number): string | undefined {
  if (before <= chance || after - chance >= NEAR_CHANCE_SHARE * (before - chance)) return undefined;
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  return (
    `the compressed model is near chance: test accuracy ${pct(after)} (chance ${pct(chance)}, before ${pct(before)}). ` +
    'The target is too small for this model; try a larger --target-size, more --epochs, or a smaller model.'
  );
}

/**
 * Test MSE of the best input-blind model: each output element's mean over the training targets (`train` and `test`
 * are the task's expected outputs, sample-major rows of `width`). The regression analogue of chance.
 */
export function constantOutputMse(train: Float32Array, test: Float32Array, width: number): number {
  if (width === 0 || test.length === 0) return NaN;
  const mean = new Float64Array(width);
  const rows = train.length / width;
  for (let i = 0; i < train.length; i++) mean[i % width]! += train[i]! / rows;
  let se = 0;
  for (let i = 0; i < test.length; i++) se += (test[i]! - mean[i % width]!) ** 2;
  return se / test.length;
}

/**
 * A warning when test MSE `after` keeps less than a tenth of the original model's margin under the constant
 * output's MSE (`constant`, constantOutputMse), as nearChanceWarning does for accuracy; else undefined.
 */
export function constantOutputWarning(before: number, after: number, constant: number): string | undefined {
  if (!(before < constant) || after <= constant - NEAR_CHANCE_SHARE * (constant - before)) return undefined;
  const mse = (x: number) => x.toPrecision(4);
  return (
    `the compressed model is no better than a constant output: test MSE ${mse(after)} (the training mean as the ` +
    `output gives ${mse(constant)}, before ${mse(before)}). The target is too small for this model; try a larger ` +
    '--target-size, more --epochs, or a smaller model.'
  );
}

/** The near-chance or constant-output warning for the task's test metrics before and after, else undefined. */
export function uselessResultWarning(
  task: TaskName,
  before: TaskMetrics,
  after: TaskMetrics,
  data: { train: Split; test: Split },
): string | undefined {
  if (task === 'classification') {
    return nearChanceWarning(before.accuracy!, after.accuracy!, chanceAccuracy(data.test.labels));
  }
  const test = expectedOutputs(task, data.test);
  const width = data.test.count === 0 ? 0 : test.length / data.test.count;
  return constantOutputWarning(
    before.mse!,
    after.mse!,
    constantOutputMse(expectedOutputs(task, data.train), test, width),
  );
}
