// One training step (SGD with momentum and weight decay, then the ADMM prox pull toward V − U) and the
// evaluation helpers, all on the IR's tfjs forward pass.
import * as tf from '@tensorflow/tfjs-core';
import { forward, type OpParams } from '../ir/forward.js';
import type { Graph } from '../ir/graph.js';
import type { Split } from '../data/dataset.js';
import { classesOf, taskMetrics, type TaskMetrics, type TaskName, type TaskSpec } from './task.js';
import type { TrainState } from './train_state.js';

export interface SgdConfig {
  lr: number;
  momentum: number;
  /** L2 weight decay on kernels (not biases). */
  weightDecay: number;
  /** Gradients are rescaled so their global L2 norm is at most this (0 = no clipping). */
  clipNorm: number;
  /** Teacher term of the loss (default: labels only). */
  loss?: LossConfig;
}

/** Rescales `grads` in place so their global L2 norm is at most `maxNorm` (a guard against rare blow-ups). */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): void {
  const names = Object.keys(grads);
  const norm = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!))))).dataSync()[0]!);
  if (!(norm > maxNorm)) return;
  const scale = maxNorm / norm;
  for (const n of names) {
    const scaled = tf.mul(grads[n]!, scale);
    grads[n]!.dispose();
    grads[n] = scaled;
  }
}

/**
 * The ADMM prox: after the SGD step, W ← (W + β·A) / (1 + β) with A = V − U and β = lr·ρ (the closed form of
 * argmin ρ/2‖W − A‖² + 1/(2·lr)‖W − W_sgd‖²). `anchors` maps kernel variables (by name) to A.
 */
export interface ProxTerm {
  beta: number;
  anchors: ReadonlyMap<string, tf.Tensor>;
}

/** Thrown when the training loss becomes non-finite or explodes. */
export class TrainingDivergedError extends Error {
  constructor(where: string, loss: number, lr: number) {
    super(`training diverged ${where} (loss ${loss}); lower the learning rate (--lr, now ${lr})`);
    this.name = 'TrainingDivergedError';
  }
}

/**
 * Thrown when a classifier's training loss, which started well under chance level, has climbed to it: the network
 * stopped depending on its input (dead ReLUs after too large steps). admm_loop.ts restarts at a lower rate.
 */
export class TrainingCollapsedError extends Error {
  constructor(
    where: string,
    readonly loss: number,
    readonly startLoss: number,
    readonly chance: number,
  ) {
    super(
      `training collapsed ${where}: the loss rose from ${startLoss.toFixed(4)} to ${loss.toFixed(4)}, the chance level ${chance.toFixed(4)}`,
    );
    this.name = 'TrainingCollapsedError';
  }
}

/**
 * A loss this large means the weights blew up: softmax cross-entropy at chance is ln(classes) ≈ 2.3 for 10; an
 * MSE is judged against the data's own scale (divergedLoss).
 */
const DIVERGED_LOSS = 1e4;

/** The loss above which a run counts as diverged: 1e4, times the mean square of the targets for an MSE task. */
export function divergedLoss(task: TaskName, meanSquareTarget: number): number {
  return task === 'classification' ? DIVERGED_LOSS : DIVERGED_LOSS * Math.max(1, meanSquareTarget);
}

/** Throws TrainingDivergedError when `loss` shows the run blew up (above `limit`, default 1e4). */
export function checkLoss(loss: number, where: string, lr: number, limit = DIVERGED_LOSS): void {
  if (!Number.isFinite(loss) || loss > limit) throw new TrainingDivergedError(where, loss, lr);
}

/**
 * A mini-batch as tensors: inputs, what the loss compares the output with (one-hot labels, targets, or the
 * inputs again for reconstruction) and, when the split carries them, the teacher's soft targets.
 */
export interface BatchTensors {
  x: tf.Tensor;
  y: tf.Tensor;
  /** Which loss: softmax cross-entropy for classification, mean squared error otherwise. */
  task: TaskName;
  /** [batch, classes] teacher probabilities at the run's temperature (distill.ts). */
  soft?: tf.Tensor;
}

/** Batch tensors for `task`: inputs in the model's input shape, y as the task's loss wants it, soft targets if any. */
export function batchTensors(batch: Split, inputShape: readonly number[], task: TaskSpec): BatchTensors {
  return tf.tidy(() => {
    const x = tf.tensor(batch.images, [batch.count, ...inputShape], 'float32');
    let y: tf.Tensor;
    if (task.name === 'classification') y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), task.numClasses);
    else if (task.name === 'regression') {
      if (!batch.targets) throw new Error('batchTensors: regression needs a split with targets');
      y = tf.tensor(batch.targets, [batch.count, ...task.outputShape], 'float32');
    } else y = tf.reshape(x, [batch.count, ...task.outputShape]);
    return {
      x,
      y,
      task: task.name,
      ...(batch.soft ? { soft: tf.tensor(batch.soft, [batch.count, task.numClasses], 'float32') } : {}),
    };
  });
}

export function disposeBatch(b: BatchTensors): void {
  tf.dispose([b.x, b.y, ...(b.soft ? [b.soft] : [])]);
}

/** How the training loss uses the teacher (Hinton et al. 2015); distill 0 = labels only. */
export interface LossConfig {
  /** Weight of the teacher term, in [0, 1]. */
  distill: number;
  /** Softmax temperature of both teacher and student in the teacher term. */
  temperature: number;
}

/**
 * (1 − α)·CE(labels, softmax(z)) + α·T²·KL(p_teacher ‖ softmax(z / T)), batch mean, from logits z [n, classes],
 * one-hot labels and the teacher's probabilities at T. The T² keeps the teacher term's gradient on the scale of
 * the label term's (Hinton et al.). 0·log 0 counts as 0.
 */
export function distillationLoss(logits: tf.Tensor, oneHot: tf.Tensor, soft: tf.Tensor, loss: LossConfig): tf.Scalar {
  return tf.tidy(() => {
    const hard = tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar;
    const t = loss.temperature;
    const logQ = tf.logSoftmax(tf.div(logits, t));
    const kl = tf.mean(tf.sum(tf.mul(soft, tf.sub(tf.log(tf.maximum(soft, 1e-30)), logQ)), -1));
    return tf.add(tf.mul(hard, 1 - loss.distill), tf.mul(kl, loss.distill * t * t)) as tf.Scalar;
  });
}

/**
 * The training loss of the model on a batch: for classification softmax cross-entropy on the labels, with the
 * teacher term when the batch has soft targets; for regression and reconstruction the mean squared error over
 * all output elements.
 */
export function lossOf(
  graph: Graph,
  params: (opIndex: number) => OpParams | undefined,
  batch: BatchTensors,
  loss?: LossConfig,
): tf.Scalar {
  return tf.tidy(() => {
    if (batch.task !== 'classification')
      return tf.losses.meanSquaredError(batch.y, forward(graph, batch.x, { params })) as tf.Scalar;
    const logits = forward(graph, batch.x, { params, logits: true });
    if (!loss || loss.distill === 0 || !batch.soft) return tf.losses.softmaxCrossEntropy(batch.y, logits) as tf.Scalar;
    return distillationLoss(logits, batch.y, batch.soft, loss);
  });
}

/**
 * Per-weight diagonal Fisher estimate of the compressible kernels: an exponential moving average of the squared
 * loss gradient, F ← d·F + (1 − d)·g² (the first step sets F = g²). sgdStep updates it from the gradients it
 * computes anyway, so it costs no extra pass. `names` are the kernel variables' names.
 */
export class FisherAccumulator {
  readonly values: tf.Variable[];
  steps: number;

  constructor(
    readonly names: readonly string[],
    shapes: readonly number[][],
    readonly decay: number,
    start?: { values: readonly Float32Array[]; steps: number },
  ) {
    this.values = shapes.map((shape, i) =>
      tf.variable(start ? tf.tensor(start.values[i]!, shape, 'float32') : tf.zeros(shape), false),
    );
    this.steps = start?.steps ?? 0;
  }

  update(grads: tf.NamedTensorMap): void {
    const d = this.steps === 0 ? 0 : this.decay;
    tf.tidy(() =>
      this.values.forEach((f, i) => f.assign(tf.add(tf.mul(f, d), tf.mul(tf.square(grads[this.names[i]!]!), 1 - d)))),
    );
    this.steps++;
  }

  read(): Float32Array[] {
    return this.values.map((f) => f.dataSync().slice() as Float32Array);
  }

  dispose(): void {
    for (const f of this.values) f.dispose();
  }
}

/**
 * One SGD-with-momentum step on all variables of `state` (m ← μm + g + wd·W; W ← W − lr·m), then the prox pull for
 * kernels that have an anchor. Returns the mini-batch loss; updates `fisher` from the step's gradients.
 */
export function sgdStep(
  state: TrainState,
  batch: BatchTensors,
  cfg: SgdConfig,
  prox?: ProxTerm,
  fisher?: FisherAccumulator,
): number {
  const { value, grads } = tf.variableGrads(() => lossOf(state.graph, state.params, batch, cfg.loss), state.list);
  const loss = value.dataSync()[0]!;
  value.dispose();
  applySgd(state, grads, cfg, prox, fisher);
  return loss;
}

/**
 * The update half of sgdStep from given gradients (the loss's batch-mean gradients by variable name, from this
 * thread or summed over workers): clip, Fisher, momentum SGD with weight decay, prox. Disposes `grads`.
 */
export function applySgd(
  state: TrainState,
  grads: tf.NamedTensorMap,
  cfg: SgdConfig,
  prox?: ProxTerm,
  fisher?: FisherAccumulator,
): void {
  const kernels = new Set(state.vars.map((v) => v?.kernel?.name).filter((n): n is string => n !== undefined));
  if (cfg.clipNorm > 0) clipByGlobalNorm(grads, cfg.clipNorm);
  fisher?.update(grads);
  tf.tidy(() => {
    state.list.forEach((v, i) => {
      let g = grads[v.name]!;
      if (cfg.weightDecay > 0 && kernels.has(v.name)) g = tf.add(g, tf.mul(v, cfg.weightDecay));
      const m = state.momentum[i]!;
      m.assign(tf.add(tf.mul(m, cfg.momentum), g));
      let w = tf.sub(v, tf.mul(m, cfg.lr));
      const anchor = prox?.anchors.get(v.name);
      if (prox && anchor) w = tf.div(tf.add(w, tf.mul(anchor, prox.beta)), 1 + prox.beta);
      v.assign(w);
    });
  });
  tf.dispose(grads);
}

/** Predicted class per sample of `split` (the argmax of its scores, in batches). */
export function predictClasses(
  graph: Graph,
  params: (opIndex: number) => OpParams | undefined,
  split: Split,
  inputShape: readonly number[],
): Uint8Array {
  const outputs = predictOutputs(graph, params, split, inputShape, true);
  return classesOf(outputs, split.count, split.count === 0 ? 0 : outputs.length / split.count);
}

/**
 * The model's outputs for every sample of `split`, in batches: count × output values, sample-major (`logits`
 * skips an output softmax).
 */
export function predictOutputs(
  graph: Graph,
  params: (opIndex: number) => OpParams | undefined,
  split: Split,
  inputShape: readonly number[],
  logits = false,
  batchSize = 500,
): Float32Array {
  const size = split.count === 0 ? 0 : split.images.length / split.count;
  const parts: Float32Array[] = [];
  for (let start = 0; start < split.count; start += batchSize) {
    const end = Math.min(start + batchSize, split.count);
    const out = tf.tidy(() => {
      const x = tf.tensor(split.images.subarray(start * size, end * size), [end - start, ...inputShape], 'float32');
      return forward(graph, x, { params, logits });
    });
    parts.push(out.dataSync() as Float32Array);
    out.dispose();
  }
  const width = parts.length === 0 ? 0 : parts[0]!.length / Math.min(batchSize, split.count);
  const all = new Float32Array(split.count * width);
  parts.forEach((p, i) => all.set(p, i * batchSize * width));
  return all;
}

/** The task's metrics of the model on `split` (tfjs forward pass). */
export function evaluateTask(
  graph: Graph,
  params: (opIndex: number) => OpParams | undefined,
  split: Split,
  inputShape: readonly number[],
  task: TaskName,
): TaskMetrics {
  return taskMetrics(task, predictOutputs(graph, params, split, inputShape, task === 'classification'), split);
}

/** Fraction of `split` classified correctly. */
export function accuracy(
  graph: Graph,
  params: (opIndex: number) => OpParams | undefined,
  split: Split,
  inputShape: readonly number[],
): number {
  if (split.count === 0) return NaN;
  return evaluateTask(graph, params, split, inputShape, 'classification').accuracy!;
}

/** forward() parameters from plain arrays (made once; dispose the returned handle). */
export function arrayParams(
  graph: Graph,
  kernels: ReadonlyMap<number, Float32Array>,
  biases: ReadonlyMap<number, Float32Array>,
): { params: (opIndex: number) => OpParams | undefined; dispose(): void } {
  const tensors = graph.ops.map((op, i): OpParams | undefined => {
    const k = kernels.get(i);
    const b = biases.get(i);
    if (!k && !b) return undefined;
    return {
      kernel: k && op.kernel ? tf.tensor(k, op.kernel.shape, 'float32') : undefined,
      bias: b && op.bias ? tf.tensor(b, op.bias.shape, 'float32') : undefined,
    };
  });
  return {
    params: (i) => tensors[i],
    dispose: () =>
      tensors.forEach((p) => {
        p?.kernel?.dispose();
        p?.bias?.dispose();
      }),
  };
}
