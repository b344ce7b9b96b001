// Re-estimates BatchNormalization's moving statistics after a short training. Keras' moving averages (momentum
// 0.99) keep 0.99^steps of their initial values (mean 0, variance 1): after the few hundred steps a budgeted
// baseline trains, that residue dominates layers whose activations have a small variance, and the model, accurate in
// training mode, classifies at chance in inference mode (ResNet-8 after 2 × 10,000 images: 84% with batch
// statistics, 12% with the moving ones). The fix is the usual one (PyTorch's torch.optim.swa_utils.update_bn):
// forward passes in training mode over training images with a cumulative average, momentum 1 − 1/t at batch t, so
// every moving mean and variance becomes the mean of its batch statistics over those images. Weights are untouched.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Split } from '../../compiler/data/index.js';

interface BatchNormLayer {
  momentum: number;
  getClassName(): string;
}

/** Every BatchNormalization layer of `model`, nested models included. */
export function batchNormLayers(model: tfl.LayersModel): BatchNormLayer[] {
  const out: BatchNormLayer[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'BatchNormalization') out.push(layer as unknown as BatchNormLayer);
    else if ('layers' in layer) out.push(...batchNormLayers(layer as unknown as tfl.LayersModel));
  }
  return out;
}

/**
 * Sets the moving mean and variance of every BatchNormalization layer of `model` to the mean of its batch statistics
 * over `split` (the first `split.count` images in order, batches of `batchSize`), the model in training mode.
 * @returns the number of layers re-estimated
 */
export function recalibrateBatchNorm(
  model: tfl.LayersModel,
  split: Split,
  inputShape: readonly number[],
  batchSize = 250,
): number {
  const layers = batchNormLayers(model);
  if (layers.length === 0) return 0;
  const momenta = layers.map((l) => l.momentum);
  const size = split.images.length / split.count;
  try {
    for (let start = 0, t = 1; start < split.count; start += batchSize, t++) {
      for (const l of layers) l.momentum = 1 - 1 / t;
      const count = Math.min(batchSize, split.count - start);
      tf.tidy(() => {
        const x = tf.tensor(split.images.subarray(start * size, (start + count) * size), [count, ...inputShape]);
        model.apply(x, { training: true });
      });
    }
  } finally {
    layers.forEach((l, i) => {
      l.momentum = momenta[i]!;
    });
  }
  return layers.length;
}
