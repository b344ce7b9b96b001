// The models of the runtime benchmark: LeNet-5 (Caffe variant) and LeNet-300-100 as IR graphs, from a trained
// tfjs-layers model when one is available, else from the seeded initialisers of bench/baselines/models.ts; and
// their compressed variants (global magnitude pruning + per-layer k-means codebooks), exported to .sqz bytes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { exportModel } from '../compiler/export/index.js';
import { importLayersModel, readModelArtifacts } from '../compiler/import/index.js';
import type { Graph } from '../compiler/ir/graph.js';
import { isCompressible } from '../compiler/ir/graph.js';
import { cloneGraph } from '../compiler/ir/graph_utils.js';
import { kmeans1d, quantizeToCentroids, roundCentroidsToF16 } from '../compiler/optimize/kmeans.js';
import { createRng } from '../compiler/util/rng.js';
import { ARCHITECTURES, type ArchName } from './baselines/models.js';

export type BenchArch = Extract<ArchName, 'lenet5' | 'lenet300'>;

/** Where a benchmark model's weights come from, and how to rebuild its tfjs-layers twin. */
export interface BenchModel {
  arch: BenchArch;
  /** Human-readable origin: the model.json path, or `seeded random (seed N)`. */
  source: string;
  /** Whether the weights were trained (else they are the seeded initialisers). */
  trained: boolean;
  /** The weights as imported (f32, dense). */
  graph: Graph;
  /** A fresh tfjs-layers model with the original weights (call setGraphWeights to load a variant's). */
  newLayersModel(): Promise<tfl.LayersModel>;
}

/** One weight variant of a model: its graph (what the file decodes to) and its .sqz bytes. */
export interface BenchVariant {
  /** 'dense f32', '2% 4-bit', ... */
  label: string;
  /** Kept fraction of the kernel weights (1 for the dense model). */
  density: number;
  graph: Graph;
  sqz: Uint8Array;
}

export const SEED = 1;

/** Where findTrainedModel looks, in order: the bundled examples, then the baselines bench/baselines/train.ts wrote. */
export const TRAINED_MODEL_ROOTS = ['examples/models', 'bench/out/models'] as const;

/**
 * Finds a trained model of `arch` (by the `arch` field of its baseline.json) in the folders under `roots`
 * (paths relative to `base`), preferring MNIST-trained ones: the benchmark's inputs are MNIST digits.
 */
export function findTrainedModel(
  arch: BenchArch,
  base = '.',
  roots: readonly string[] = TRAINED_MODEL_ROOTS,
): string | undefined {
  const found: { path: string; mnist: boolean }[] = [];
  for (const root of roots.map((r) => path.join(base, r))) {
    if (!existsSync(root)) continue;
    for (const dir of readdirSync(root).sort()) {
      const baseline = path.join(root, dir, 'baseline.json');
      const modelJson = path.join(root, dir, 'model.json');
      if (!existsSync(baseline) || !existsSync(modelJson)) continue;
      try {
        const info = JSON.parse(readFileSync(baseline, 'utf8')) as { arch?: string; data?: string };
        if (info.arch === arch) found.push({ path: modelJson, mnist: info.data === 'mnist' });
      } catch {
        // Not a baseline we can read: skip it.
      }
    }
  }
  return (found.find((f) => f.mnist) ?? found[0])?.path;
}

/** Loads `arch` from `modelJson` (a trained model) or builds it from the seeded initialisers. */
export async function loadBenchModel(arch: BenchArch, modelJson: string | undefined): Promise<BenchModel> {
  if (modelJson === undefined) {
    const newLayersModel = async (): Promise<tfl.LayersModel> => ARCHITECTURES[arch](SEED);
    const model = await newLayersModel();
    const graph = importLayersModel(model);
    model.dispose();
    // tfjs initialises biases to 0, which with sparse kernels leaves unrealistically many exact zeros in the
    // activations (and flatters kernels that skip zero inputs): give them small seeded values instead.
    const rng = createRng(SEED);
    for (const op of graph.ops)
      op.bias?.values.forEach((_, i, values) => {
        values[i] = (rng.float() - 0.5) * 0.1;
      });
    return {
      arch,
      source: `seeded random (glorot-uniform kernels, biases uniform ±0.05, seed ${SEED})`,
      trained: false,
      graph,
      newLayersModel,
    };
  }
  const artifacts = await readModelArtifacts(modelJson);
  const newLayersModel = (): Promise<tfl.LayersModel> => tfl.loadLayersModel({ load: async () => artifacts });
  const model = await newLayersModel();
  const graph = importLayersModel(model);
  model.dispose();
  const shown =
    path.isAbsolute(modelJson) && !path.relative(process.cwd(), modelJson).startsWith('..')
      ? path.relative(process.cwd(), modelJson)
      : modelJson;
  return { arch, source: `trained: ${shown}`, trained: true, graph, newLayersModel };
}

/**
 * The kept fraction of all kernel weights is `density`: one magnitude threshold over every compressible layer
 * (ties at the threshold are kept in flat order until the count is reached). Biases are untouched.
 */
export function pruneGlobal(graph: Graph, density: number): Graph {
  const out = cloneGraph(graph);
  const kernels = out.ops.filter(isCompressible).map((op) => op.kernel.values);
  const total = kernels.reduce((n, k) => n + k.length, 0);
  const keep = Math.round(total * density);
  const magnitudes = new Float32Array(total);
  let at = 0;
  for (const k of kernels) for (let i = 0; i < k.length; i++) magnitudes[at++] = Math.abs(k[i]!);
  magnitudes.sort();
  const threshold = keep > 0 ? magnitudes[total - keep]! : Infinity;
  let aboveCount = 0;
  for (let i = 0; i < total; i++) if (magnitudes[i]! > threshold) aboveCount++;
  let tiesLeft = keep - aboveCount;
  for (const k of kernels) {
    for (let i = 0; i < k.length; i++) {
      const m = Math.abs(k[i]!);
      if (m > threshold) continue;
      if (m === threshold && m > 0 && tiesLeft > 0) {
        tiesLeft--;
        continue;
      }
      k[i] = 0;
    }
  }
  return out;
}

/**
 * Each kernel keeps its own largest-magnitude `density` fraction (ties in flat order). Used for untrained weights:
 * there a global threshold only reflects each layer's initialiser range and empties whole layers (LeNet-5's conv2
 * at 10%, LeNet-300-100's fc1 at 2%).
 */
export function pruneEachLayer(graph: Graph, density: number): Graph {
  const out = cloneGraph(graph);
  for (const op of out.ops.filter(isCompressible)) {
    const k = op.kernel.values;
    const keep = Math.round(k.length * density);
    const order = Array.from(k.keys()).sort((a, b) => Math.abs(k[b]!) - Math.abs(k[a]!) || a - b);
    for (let r = keep; r < order.length; r++) k[order[r]!] = 0;
  }
  return out;
}

/** How benchVariants prunes `model`, in words. */
export function pruningDescription(model: BenchModel): string {
  return model.trained
    ? "global magnitude pruning (one threshold over every layer's kernel)"
    : 'magnitude pruning to the same density in every layer (a global threshold on untrained weights only ' +
        "reflects each layer's initialiser range and would empty whole layers)";
}

/** Every kernel's nonzeros replaced by the nearest of 2^bits k-means centroids (rounded to f16); zeros stay. */
export function quantizeKernels(graph: Graph, bits: number): Graph {
  const out = cloneGraph(graph);
  for (const op of out.ops.filter(isCompressible)) {
    const nonzeros = op.kernel.values.filter((v) => v !== 0);
    if (nonzeros.length === 0) continue;
    const centroids = roundCentroidsToF16(kmeans1d(nonzeros, Math.min(1 << bits, nonzeros.length)).centroids);
    quantizeToCentroids(op.kernel.values, centroids, op.kernel.values);
  }
  return out;
}

/**
 * The dense f32 model and its pruned + 4-bit variants at each density: global magnitude pruning for trained
 * weights, the same density per layer for seeded ones (see pruneEachLayer).
 */
export function benchVariants(model: BenchModel, densities: readonly number[], bits = 4): BenchVariant[] {
  const prune = model.trained ? pruneGlobal : pruneEachLayer;
  const variants: BenchVariant[] = [
    { label: 'dense f32', density: 1, graph: model.graph, sqz: exportModel(model.graph, { weights: 'exact' }) },
  ];
  for (const density of densities) {
    const graph = quantizeKernels(prune(model.graph, density), bits);
    variants.push({
      label: `${formatPercent(density)} ${bits}-bit`,
      density,
      graph,
      sqz: exportModel(graph, { weights: 'exact' }),
    });
  }
  return variants;
}

export function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}

/** Per-layer kept fraction of a graph's kernels, e.g. `conv1 0.412, fc1 0.011`. */
export function kernelDensities(graph: Graph): string {
  return graph.ops
    .filter(isCompressible)
    .map((op) => {
      const values = op.kernel.values;
      let nonzeros = 0;
      for (let i = 0; i < values.length; i++) if (values[i] !== 0) nonzeros++;
      return `${op.name} ${(nonzeros / values.length).toFixed(3)}`;
    })
    .join(', ');
}

/** Loads the kernels and biases of `graph` into the layers of `model` with the same names. */
export function setGraphWeights(model: tfl.LayersModel, graph: Graph): void {
  for (const op of graph.ops) {
    if (op.kernel === undefined) continue;
    const layer = model.getLayer(op.name);
    const weights = [tf.tensor(op.kernel.values, op.kernel.shape)];
    if (op.bias !== undefined) weights.push(tf.tensor(op.bias.values, op.bias.shape));
    if (layer.getWeights().length !== weights.length) {
      tf.dispose(weights);
      throw new Error(
        `setGraphWeights: layer '${op.name}' holds ${layer.getWeights().length} weights, the graph ${weights.length}`,
      );
    }
    layer.setWeights(weights);
    tf.dispose(weights);
  }
}
