// One training step (SGD with momentum and weight decay, then the ADMM prox pull toward V − U) and the
// evaluation helpers, all on the IR's tfjs forward pass.
import * as tf from '@tensorflow/tfjs-core';
import { forward, type OpParams } from '../ir/forward.js';
import type { Graph } from '../ir/graph.js';
import type { Split } from '../data/dataset.js';
import type { TrainState } from './train_state.js';

export interface SgdConfig {
  lr: number;
  momentum: number;
  /** L2 weight decay on kernels (not biases). */
  weightDecay: number;
  /** Gradients are rescaled so their global L2 norm is at most this (0 = no clipping). */
  clipNorm: number;
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

/** Softmax cross-entropy this large means the weights blew up (chance level is ln(classes) ≈ 2.3 for 10). */
const DIVERGED_LOSS = 1e4;

/** Throws TrainingDivergedError when `loss` shows the run blew up. */
export function checkLoss(loss: number, where: string, lr: number): void {
  if (!Number.isFinite(loss) || loss > DIVERGED_LOSS) throw new TrainingDivergedError(where, loss, lr);
}

/** Batch tensors: NHWC (or the model's input shape) images and one-hot labels. */
export function batchTensors(batch: Split, inputShape: readonly number[], numClasses: number): { x: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => ({
    x: tf.tensor(batch.images, [batch.count, ...inputShape], 'float32'),
    y: tf.oneHot(tf.tensor1d(batch.labels, 'int32'), numClasses),
  }));
}

/** Softmax cross-entropy of the model on (x, y), with the given parameters. */
export function lossOf(graph: Graph, params: (opIndex: number) => OpParams | undefined, x: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.losses.softmaxCrossEntropy(y, forward(graph, x, { params, logits: true })) as tf.Scalar);
}

/**
 * One SGD-with-momentum step on all variables of `state` (m ← μm + g + wd·W; W ← W − lr·m), then the prox pull for
 * kernels that have an anchor. Returns the mini-batch loss; fills gradEnergy.out with mean g² of the named kernels.
 */
export function sgdStep(
  state: TrainState, x: tf.Tensor, y: tf.Tensor, cfg: SgdConfig, prox?: ProxTerm, gradEnergy?: { names: string[]; out: Float64Array },
): number {
  const kernels = new Set(state.vars.map((v) => v?.kernel?.name).filter((n): n is string => n !== undefined));
  const { value, grads } = tf.variableGrads(() => lossOf(state.graph, state.params, x, y), state.list);
  if (cfg.clipNorm > 0) clipByGlobalNorm(grads, cfg.clipNorm);
  if (gradEnergy) {
    // Mean squared gradient per named kernel: a diagonal-Fisher estimate of each layer's sensitivity.
    const energy = tf.tidy(() => tf.stack(gradEnergy.names.map((n) => tf.mean(tf.square(grads[n]!)))));
    gradEnergy.out.set(energy.dataSync());
    energy.dispose();
  }
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
  const loss = value.dataSync()[0]!;
  value.dispose();
  tf.dispose(grads);
  return loss;
}

/** Predicted class per sample of `split`, in batches. */
export function predictClasses(
  graph: Graph, params: (opIndex: number) => OpParams | undefined, split: Split, inputShape: readonly number[],
  batchSize = 500,
): Uint8Array {
  const out = new Uint8Array(split.count);
  const size = split.count === 0 ? 0 : split.images.length / split.count;
  for (let start = 0; start < split.count; start += batchSize) {
    const end = Math.min(start + batchSize, split.count);
    const classes = tf.tidy(() => {
      const x = tf.tensor(split.images.subarray(start * size, end * size), [end - start, ...inputShape], 'float32');
      return tf.argMax(forward(graph, x, { params, logits: true }), -1);
    });
    out.set(classes.dataSync() as Int32Array, start);
    classes.dispose();
  }
  return out;
}

/** Fraction of `split` classified correctly. */
export function accuracy(
  graph: Graph, params: (opIndex: number) => OpParams | undefined, split: Split, inputShape: readonly number[],
): number {
  if (split.count === 0) return NaN;
  const predicted = predictClasses(graph, params, split, inputShape);
  let correct = 0;
  for (let i = 0; i < split.count; i++) if (predicted[i] === split.labels[i]) correct++;
  return correct / split.count;
}

/** forward() parameters from plain arrays (made once; dispose the returned handle). */
export function arrayParams(
  graph: Graph, kernels: ReadonlyMap<number, Float32Array>, biases: ReadonlyMap<number, Float32Array>,
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
    dispose: () => tensors.forEach((p) => { p?.kernel?.dispose(); p?.bias?.dispose(); }),
  };
}
