// The bitwidth search's yardstick: the training loss (teacher term included) of a candidate V on a fixed probe batch. Projection error
// ‖z − V‖² treats pruning and quantization error alike and, on Fashion-MNIST LeNet-5, drove every layer to 1 bit;
// the loss itself knows which layers tolerate coarse codebooks.
import * as tf from '@tensorflow/tfjs-core';
import { subset, type Split } from '../data/dataset.js';
import type { CompressibleLayer } from './layers.js';
import { batchTensors, disposeBatch, lossOf, type LossConfig } from './sgd.js';
import type { TaskSpec } from './task.js';
import type { TrainState } from './train_state.js';

/** Samples in the probe batch (stratified, deterministic). */
export const PROBE_SAMPLES = 512;

/** The probe batch of a training split: PROBE_SAMPLES of it (stratified, deterministic), or all of a smaller one. */
export function probeSplit(train: Split): Split {
  return subset(train, Math.min(PROBE_SAMPLES, train.count));
}

/**
 * A scorer for ProjectionSetup.score: loss of the model whose compressible kernels are `values` and whose other
 * parameters are the current training state, on `probe` (probeSplit). Call dispose() when the run ends.
 */
export function probeScorer(
  state: TrainState,
  layers: readonly CompressibleLayer[],
  probe: Split,
  inputShape: readonly number[],
  task: TaskSpec,
  loss: LossConfig,
): { score: (values: readonly Float32Array[]) => number; dispose(): void } {
  const tensors = batchTensors(probe, inputShape, task);
  const layerOfOp = new Map(layers.map((l, i) => [l.opIndex, i]));
  return {
    score: (values) =>
      tf.tidy(() => {
        const kernels = values.map((v, i) => tf.tensor(v, layers[i]!.shape, 'float32'));
        const params = (opIndex: number) => {
          const vars = state.vars[opIndex];
          const i = layerOfOp.get(opIndex);
          return vars && { kernel: i === undefined ? vars.kernel : kernels[i], bias: vars.bias };
        };
        return lossOf(state.graph, params, tensors, loss).dataSync()[0]!;
      }),
    dispose: () => disposeBatch(tensors),
  };
}
