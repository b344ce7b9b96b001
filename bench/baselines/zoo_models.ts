// The model zoo of bench/zoo.ts: MLPerf-Tiny-shaped models (Banbury et al., "MLPerf Tiny Benchmark", 2021; the
// reference models of github.com/mlcommons/tiny) rebuilt for the data this machine has, Fashion-MNIST (28×28×1,
// 10 classes). Each keeps its benchmark's topology; inputs and class counts are Fashion-MNIST's, which each entry
// states. Weights start from a seeded Glorot-uniform (biases 0, BatchNorm γ 1 and β 0), so a seed gives one model.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng } from '../../compiler/util/rng.js';

type Sym = tfl.SymbolicTensor;

export type ZooTask = 'classification' | 'reconstruction';

export interface ZooEntry {
  /** What it is and how it differs from the benchmark's model. */
  description: string;
  task: ZooTask;
  /** Per-sample input shape of the model (the data's 784 values, viewed so). */
  inputShape: number[];
  build(seed: number): tfl.LayersModel;
  /** Baseline training: a stratified subset of Fashion-MNIST's 60,000 training images, epochs, Adam's rate. */
  train: { samples: number; epochs: number; lr: number; batch: number };
}

/** Conv, BatchNormalization, ReLU (6 when `relu6`). */
function convBnRelu(
  x: Sym,
  filters: number,
  kernel: number | [number, number],
  strides: number,
  name: string,
  relu6 = false,
): Sym {
  let y = tfl.layers
    .conv2d({ filters, kernelSize: kernel, strides, padding: 'same', useBias: false, name })
    .apply(x) as Sym;
  y = tfl.layers.batchNormalization({ name: `${name}_bn` }).apply(y) as Sym;
  return tfl.layers.reLU({ maxValue: relu6 ? 6 : undefined, name: `${name}_relu` }).apply(y) as Sym;
}

/**
 * DS-CNN (keyword spotting, MLPerf Tiny's "DS-CNN small"): conv 64 of 10×4 stride 2 + BN + ReLU, four
 * depthwise-separable blocks (3×3 depthwise + BN + ReLU, 1×1 conv 64 + BN + ReLU), dropout, average pool over the
 * whole map, dense softmax. The benchmark's input is 49×10 MFCCs and 12 keywords; here 28×28×1 and 10 classes.
 */
function dsCnn(): tfl.LayersModel {
  const input = tfl.input({ shape: [28, 28, 1], name: 'input' });
  let x = convBnRelu(input, 64, [10, 4], 2, 'conv1');
  x = tfl.layers.dropout({ rate: 0.2, seed: 1, name: 'drop1' }).apply(x) as Sym;
  for (let b = 1; b <= 4; b++) {
    x = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, name: `dw${b}` }).apply(x) as Sym;
    x = tfl.layers.batchNormalization({ name: `dw${b}_bn` }).apply(x) as Sym;
    x = tfl.layers.reLU({ name: `dw${b}_relu` }).apply(x) as Sym;
    x = convBnRelu(x, 64, 1, 1, `pw${b}`);
  }
  x = tfl.layers.dropout({ rate: 0.4, seed: 2, name: 'drop2' }).apply(x) as Sym;
  x = tfl.layers.averagePooling2d({ poolSize: [14, 14], name: 'pool' }).apply(x) as Sym;
  x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as Sym;
  const out = tfl.layers.dense({ units: 10, activation: 'softmax', name: 'fc' }).apply(x) as Sym;
  return tfl.model({ inputs: input, outputs: out, name: 'ds_cnn' });
}

/** Keras MobileNet v1's block widths (α = 1) and strides. */
const MOBILENET_BLOCKS: [number, number][] = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [512, 2],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [1024, 2],
  [1024, 1],
];

/**
 * Keras' MobileNet v1 depthwise-separable block `id`: a ZeroPadding2D((0, 1), (0, 1)) and a valid 3×3 depthwise conv
 * when strided (same padding otherwise), then a 1×1 conv to `filters`; BN and ReLU6 after each conv, no biases.
 */
export function mobileNetBlock(input: Sym, id: number, filters: number, stride: number): Sym {
  let x = input;
  if (stride === 2)
    x = tfl.layers
      .zeroPadding2d({
        padding: [
          [0, 1],
          [0, 1],
        ],
        name: `conv_pad_${id}`,
      })
      .apply(x) as Sym;
  x = tfl.layers
    .depthwiseConv2d({
      kernelSize: 3,
      strides: stride,
      padding: stride === 2 ? 'valid' : 'same',
      useBias: false,
      name: `conv_dw_${id}`,
    })
    .apply(x) as Sym;
  x = tfl.layers.batchNormalization({ name: `conv_dw_${id}_bn` }).apply(x) as Sym;
  x = tfl.layers.reLU({ maxValue: 6, name: `conv_dw_${id}_relu` }).apply(x) as Sym;
  x = tfl.layers.conv2d({ filters, kernelSize: 1, useBias: false, name: `conv_pw_${id}` }).apply(x) as Sym;
  x = tfl.layers.batchNormalization({ name: `conv_pw_${id}_bn` }).apply(x) as Sym;
  return tfl.layers.reLU({ maxValue: 6, name: `conv_pw_${id}_relu` }).apply(x) as Sym;
}

/**
 * Keras' MobileNet v1 trunk (keras.applications.MobileNet, include_top = false) at width α: ZeroPadding2D((0, 1),
 * (0, 1)) and a valid 3×3 conv of stride 2, then depthwise-separable blocks (a ZeroPadding2D and a valid depthwise conv
 * when strided), BN and ReLU6 after every conv, no conv biases; `blocks` of the 13. The input is padded from 28×28 to
 * 32×32 first (Keras' MobileNet needs 32 or more).
 */
function mobileNetTrunk(input: Sym, alpha: number, blocks: number): Sym {
  let x = tfl.layers.zeroPadding2d({ padding: 2, name: 'input_pad' }).apply(input) as Sym;
  x = tfl.layers
    .zeroPadding2d({
      padding: [
        [0, 1],
        [0, 1],
      ],
      name: 'conv1_pad',
    })
    .apply(x) as Sym;
  x = tfl.layers
    .conv2d({
      filters: Math.round(32 * alpha),
      kernelSize: 3,
      strides: 2,
      padding: 'valid',
      useBias: false,
      name: 'conv1',
    })
    .apply(x) as Sym;
  x = tfl.layers.batchNormalization({ name: 'conv1_bn' }).apply(x) as Sym;
  x = tfl.layers.reLU({ maxValue: 6, name: 'conv1_relu' }).apply(x) as Sym;
  MOBILENET_BLOCKS.slice(0, blocks).forEach(([width, stride], i) => {
    x = mobileNetBlock(x, i + 1, Math.round(width * alpha), stride);
  });
  return x;
}

/**
 * MobileNet v1 α = 0.25 (visual wake words): Keras' MobileNet trunk, all 13 blocks, then global average pool,
 * dropout and a dense softmax (the VWW model's head). The benchmark's input is 96×96×3 and 2 classes; here 28×28×1
 * padded to 32×32, and 10 classes.
 */
function mobileNetV1(): tfl.LayersModel {
  const input = tfl.input({ shape: [28, 28, 1], name: 'input' });
  let x = mobileNetTrunk(input, 0.25, 13);
  x = tfl.layers.globalAveragePooling2d({ name: 'global_pool' }).apply(x) as Sym;
  x = tfl.layers.dropout({ rate: 0.001, seed: 3, name: 'dropout' }).apply(x) as Sym;
  const out = tfl.layers.dense({ units: 10, activation: 'softmax', name: 'predictions' }).apply(x) as Sym;
  return tfl.model({ inputs: input, outputs: out, name: 'mobilenet_0.25' });
}

/** One ResNet stack of MLPerf Tiny's ResNet-8: two 3×3 convs with BN, a 1×1 strided shortcut when it downsamples. */
function resnetStack(x: Sym, filters: number, stride: number, name: string): Sym {
  let y = convBnRelu(x, filters, 3, stride, `${name}_conv1`);
  y = tfl.layers
    .conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, name: `${name}_conv2` })
    .apply(y) as Sym;
  y = tfl.layers.batchNormalization({ name: `${name}_conv2_bn` }).apply(y) as Sym;
  const shortcut =
    stride === 1
      ? x
      : (tfl.layers.conv2d({ filters, kernelSize: 1, strides: stride, name: `${name}_shortcut` }).apply(x) as Sym);
  const sum = tfl.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as Sym;
  return tfl.layers.reLU({ name: `${name}_relu` }).apply(sum) as Sym;
}

/**
 * ResNet-8 (image classification): conv 16 + BN + ReLU, three stacks of 16, 32 (stride 2) and 64 (stride 2) filters
 * with residual adds, average pool over the map, dense softmax. The benchmark's input is CIFAR-10's 32×32×3; here
 * 28×28×1.
 */
function resnet8(): tfl.LayersModel {
  const input = tfl.input({ shape: [28, 28, 1], name: 'input' });
  let x = convBnRelu(input, 16, 3, 1, 'conv1');
  x = resnetStack(x, 16, 1, 'stack1');
  x = resnetStack(x, 32, 2, 'stack2');
  x = resnetStack(x, 64, 2, 'stack3');
  x = tfl.layers.averagePooling2d({ poolSize: 7, name: 'pool' }).apply(x) as Sym;
  x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as Sym;
  const out = tfl.layers.dense({ units: 10, activation: 'softmax', name: 'fc' }).apply(x) as Sym;
  return tfl.model({ inputs: input, outputs: out, name: 'resnet8' });
}

/**
 * The dense autoencoder (anomaly detection): four dense 128 + BN + ReLU, a bottleneck of 8, four dense 128 + BN + ReLU,
 * a linear dense back to the input size. The benchmark's input is 640 (5 frames of 128 log-mel bins); here the 784
 * pixels of an image, reconstructed (mean squared error).
 */
function autoencoder(): tfl.LayersModel {
  const input = tfl.input({ shape: [784], name: 'input' });
  let x: Sym = input;
  const dense = (units: number, name: string) => {
    x = tfl.layers.dense({ units, name }).apply(x) as Sym;
    x = tfl.layers.batchNormalization({ name: `${name}_bn` }).apply(x) as Sym;
    x = tfl.layers.reLU({ name: `${name}_relu` }).apply(x) as Sym;
  };
  for (let i = 1; i <= 4; i++) dense(128, `enc${i}`);
  dense(8, 'bottleneck');
  for (let i = 1; i <= 4; i++) dense(128, `dec${i}`);
  const out = tfl.layers.dense({ units: 784, name: 'reconstruction' }).apply(x) as Sym;
  return tfl.model({ inputs: input, outputs: out, name: 'autoencoder' });
}

/**
 * A Conv1D sensor model (a human-activity-recognition-style 1-D CNN): Conv1D 32×5, 64×3, 64×3 with BN and ReLU,
 * max pools, global average pool, dense 64, dense softmax. Its sequences are cut from Fashion-MNIST: each image is 28
 * time steps (its rows) of 28 channels (the row's pixels).
 */
function conv1dSensor(): tfl.LayersModel {
  const input = tfl.input({ shape: [28, 28], name: 'rows' });
  const block = (x: Sym, filters: number, kernel: number, name: string) => {
    let y = tfl.layers.conv1d({ filters, kernelSize: kernel, padding: 'same', useBias: false, name }).apply(x) as Sym;
    y = tfl.layers.batchNormalization({ name: `${name}_bn` }).apply(y) as Sym;
    return tfl.layers.reLU({ name: `${name}_relu` }).apply(y) as Sym;
  };
  let x = block(input, 32, 5, 'conv1');
  x = tfl.layers.maxPooling1d({ poolSize: 2, name: 'pool1' }).apply(x) as Sym;
  x = block(x, 64, 3, 'conv2');
  x = tfl.layers.maxPooling1d({ poolSize: 2, name: 'pool2' }).apply(x) as Sym;
  x = block(x, 64, 3, 'conv3');
  x = tfl.layers.globalAveragePooling1d({ name: 'gap' }).apply(x) as Sym;
  x = tfl.layers.dense({ units: 64, activation: 'relu', name: 'fc1' }).apply(x) as Sym;
  x = tfl.layers.dropout({ rate: 0.3, seed: 4, name: 'drop' }).apply(x) as Sym;
  const out = tfl.layers.dense({ units: 10, activation: 'softmax', name: 'fc2' }).apply(x) as Sym;
  return tfl.model({ inputs: input, outputs: out, name: 'conv1d_sensor' });
}

/**
 * Teachable Machine's image model, shaped: a Sequential whose layers are a truncated MobileNet v1 α = 0.25 (a
 * functional model: Keras' trunk through block 11, as Teachable Machine cuts MobileNet at a late pointwise ReLU) and
 * the trained head, itself a Sequential (flatten, dense 100 relu, dense softmax). Teachable Machine's input is
 * 224×224×3 and its trunk is pretrained; here 28×28×1 (padded to 32×32) and everything trains from scratch.
 */
function teachableMachine(): tfl.LayersModel {
  const input = tfl.input({ shape: [28, 28, 1], name: 'input_1' });
  const trunk = tfl.model({ inputs: input, outputs: mobileNetTrunk(input, 0.25, 11), name: 'model1' });
  const features = trunk.outputs[0]!.shape.slice(1) as number[];
  const head = tfl.sequential({
    name: 'sequential_3',
    layers: [
      tfl.layers.flatten({ inputShape: features, name: 'flatten_Flatten1' }),
      tfl.layers.dense({ units: 100, activation: 'relu', name: 'dense_Dense1' }),
      tfl.layers.dense({ units: 10, activation: 'softmax', name: 'dense_Dense2' }),
    ],
  });
  return tfl.sequential({ name: 'sequential_4', layers: [trunk, head] });
}

/** Glorot-uniform kernels from `seed`, biases and BN β / moving mean 0, BN γ / moving variance 1. */
export function seedWeights(model: tfl.LayersModel, seed: number): void {
  const rng = createRng(seed);
  const tensors = model.weights.map((w) => {
    const shape = w.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    const suffix = w.originalName.split('/').pop()!;
    const values = new Float32Array(n);
    if (suffix === 'gamma' || suffix === 'moving_variance') values.fill(1);
    else if (shape.length > 1) {
      const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const depthwise = suffix === 'depthwise_kernel';
      const fanIn = depthwise ? receptive : receptive * shape[shape.length - 2]!;
      const fanOut = depthwise ? receptive * shape[shape.length - 1]! : receptive * shape[shape.length - 1]!;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < n; i++) values[i] = (2 * rng.float() - 1) * limit;
    }
    return tf.tensor(values, shape);
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/**
 * The zoo, by name. The training schedules are what BENCHMARKS.md's zoo baselines used: sized so that all six
 * trainings and the zoo's compressions fit about an hour on a shared 2-core machine (tfjs-backend-wasm, one thread).
 */
export const ZOO: Record<string, ZooEntry> = {
  'ds-cnn': {
    description:
      'DS-CNN (keyword spotting): conv 64@10×4/2, 4 depthwise-separable blocks of 64, average pool, dense. ' +
      'Benchmark input 49×10 MFCCs, 12 classes; here 28×28×1, 10 classes',
    task: 'classification',
    inputShape: [28, 28, 1],
    build: dsCnn,
    train: { samples: 8000, epochs: 2, lr: 2e-3, batch: 64 },
  },
  'mobilenet-v1-0.25': {
    description:
      "MobileNet v1 α = 0.25 (visual wake words): Keras' MobileNet trunk with its ZeroPadding2D, 13 blocks, " +
      'global pool, dense. Benchmark input 96×96×3, 2 classes; here 28×28×1 padded to 32×32, 10 classes',
    task: 'classification',
    inputShape: [28, 28, 1],
    build: mobileNetV1,
    train: { samples: 15000, epochs: 2, lr: 2e-3, batch: 64 },
  },
  'resnet-8': {
    description:
      'ResNet-8 (image classification): conv 16, stacks of 16, 32/2, 64/2 with residual adds, average pool, ' +
      'dense. Benchmark input 32×32×3 (CIFAR-10); here 28×28×1',
    task: 'classification',
    inputShape: [28, 28, 1],
    build: resnet8,
    train: { samples: 10000, epochs: 2, lr: 2e-3, batch: 64 },
  },
  autoencoder: {
    description:
      'Dense autoencoder (anomaly detection): 4×128, bottleneck 8, 4×128, dense back, BN + ReLU between. ' +
      'Benchmark input 640 (log-mel frames); here the 784 pixels, reconstructed',
    task: 'reconstruction',
    inputShape: [784],
    build: autoencoder,
    train: { samples: 20000, epochs: 2, lr: 2e-3, batch: 64 },
  },
  'conv1d-sensor': {
    description:
      'Conv1D sensor model: Conv1D 32×5, 64×3, 64×3 with BN + ReLU and max pools, global average pool, dense 64, dense. ' +
      "Sequences cut from Fashion-MNIST: 28 time steps (image rows) of 28 channels (the row's pixels)",
    task: 'classification',
    inputShape: [28, 28],
    build: conv1dSensor,
    train: { samples: 30000, epochs: 3, lr: 2e-3, batch: 64 },
  },
  'teachable-machine': {
    description:
      'Teachable-Machine-shaped, nested: a Sequential of a truncated MobileNet v1 α = 0.25 (a functional model, ' +
      'blocks 1–11) and a Sequential head (flatten, dense 100, dense). Teachable Machine: 224×224×3, pretrained trunk; ' +
      'here 28×28×1 padded to 32×32, trained from scratch',
    task: 'classification',
    inputShape: [28, 28, 1],
    build: teachableMachine,
    train: { samples: 15000, epochs: 2, lr: 2e-3, batch: 64 },
  },
};

/** Builds zoo model `name` with seeded weights. */
export function buildZooModel(name: string, seed: number): tfl.LayersModel {
  const entry = ZOO[name];
  if (entry === undefined) throw new Error(`unknown zoo model '${name}' (one of ${Object.keys(ZOO).join(', ')})`);
  const model = entry.build(seed);
  seedWeights(model, seed);
  return model;
}
