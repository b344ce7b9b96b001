// The small models' training loop: Adam on a layers model's logits in a seeded sample order, on the labels alone or
// with a teacher's soft targets (distill.ts). Written out rather than Keras' trainOnBatch so that both losses run
// through the same steps and the teacher's rows follow each batch's sample indices.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { gather, type Split } from '../../compiler/data/index.js';
import { createRng } from '../../compiler/util/rng.js';
import { distillationLoss } from '../../compiler/compress/sgd.js';
import type { Distillation } from './distill.js';

export interface FitOptions {
  epochs: number;
  /** Adam learning rate. */
  lr: number;
  batchSize: number;
  /** Seeds the sample order (the weights' initialisers are seeded where the model is built). */
  seed: number;
  inputShape: readonly number[];
  numClasses: number;
  /** The teacher's soft targets for every training sample, row-major [count, numClasses], and the loss weights. */
  distill?: Distillation & { targets: Float32Array };
  /** One line per epoch (mean loss). */
  log?: (line: string) => void;
}

/** Rows `indices` of a row-major [count, width] array, in that order. */
function rows(values: Float32Array, width: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * width);
  for (let i = 0; i < indices.length; i++)
    out.set(values.subarray(indices[i]! * width, (indices[i]! + 1) * width), i * width);
  return out;
}

/**
 * Trains `model` (its last layer must output logits: OutputActivation 'linear') in place on `train`; returns each
 * epoch's mean loss. @throws Error when the loss stops being finite.
 */
export function fitLogits(model: tfl.LayersModel, train: Split, o: FitOptions): number[] {
  if (o.distill && o.distill.targets.length !== train.count * o.numClasses) {
    throw new Error(
      `fitLogits: ${o.distill.targets.length} soft-target values for ${train.count} samples × ${o.numClasses} classes`,
    );
  }
  const rng = createRng(o.seed);
  const optimizer = tf.train.adam(o.lr);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const losses: number[] = [];
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = new Uint32Array(train.count);
    for (let i = 0; i < order.length; i++) order[i] = i;
    rng.shuffle(order);
    let total = 0;
    for (let start = 0; start < train.count; start += o.batchSize) {
      const indices = order.subarray(start, Math.min(start + o.batchSize, train.count));
      const batch = gather(train, indices);
      const x = tf.tensor(batch.images, [batch.count, ...o.inputShape], 'float32');
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(batch.labels, 'int32'), o.numClasses));
      const soft = o.distill
        ? tf.tensor2d(rows(o.distill.targets, o.numClasses, indices), [batch.count, o.numClasses])
        : undefined;
      const cost = optimizer.minimize(
        () => {
          const logits = model.apply(x, { training: true }) as tf.Tensor;
          return o.distill
            ? distillationLoss(logits, y, soft!, { distill: o.distill.alpha, temperature: o.distill.temperature })
            : (tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar);
        },
        true,
        variables,
      )!;
      const loss = cost.dataSync()[0]!;
      tf.dispose([x, y, cost, ...(soft ? [soft] : [])]);
      if (!Number.isFinite(loss))
        throw new Error(`fitLogits: the loss became ${loss} in epoch ${epoch + 1}; lower the learning rate (${o.lr})`);
      total += loss * batch.count;
    }
    losses.push(total / Math.max(train.count, 1));
    o.log?.(`epoch ${epoch + 1}/${o.epochs}: loss ${losses[epoch]!.toFixed(4)}`);
  }
  optimizer.dispose();
  return losses;
}
