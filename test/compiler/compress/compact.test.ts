// compactForFinetune: the fine-tune's compacted model computes what the masked, quantized full model computes,
// and its latent weights are the original latent weights of the surviving units (checked through the forward pass
// of the latent model too), across conv → conv → dense → dense.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { weightRecord, type BestRecord } from '../../../compiler/compress/checkpoint.js';
import { compactForFinetune } from '../../../compiler/compress/compact.js';
import type { RunContext } from '../../../compiler/compress/context.js';
import type { LayerCode } from '../../../compiler/compress/joint_projection.js';
import { compressibleLayers } from '../../../compiler/compress/layers.js';
import { TrainState } from '../../../compiler/compress/train_state.js';
import { importLayersModel } from '../../../compiler/import/index.js';
import { forward } from '../../../compiler/ir/forward.js';
import type { Graph } from '../../../compiler/ir/graph.js';
import { cloneGraph } from '../../../compiler/ir/graph_utils.js';
import { quantizeToCentroids } from '../../../compiler/optimize/kmeans.js';
import { assertClose } from '../../fixtures/compare.js';
import { randomArray, randomizeWeights } from '../../fixtures/tfjs_models.js';
import { rng } from '../../fixtures/random.js';

before(async () => {
  tf.env().set('IS_TEST', true);
  assert.equal(await tf.setBackend('cpu'), true);
});

async function model(): Promise<Graph> {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [12, 12, 2], filters: 6, kernelSize: 3, activation: 'relu', name: 'c1' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'p1' }),
      tfl.layers.conv2d({ filters: 7, kernelSize: 3, activation: 'relu', name: 'c2' }),
      tfl.layers.flatten({ name: 'f' }),
      tfl.layers.dense({ units: 9, activation: 'relu', name: 'd1' }),
      tfl.layers.dense({ units: 4, activation: 'softmax', name: 'd2' }),
    ],
  });
  randomizeWeights(m, 5);
  return importLayersModel(m);
}

/** Masks: a random 60% of each kernel, minus whole units (dead: no incoming and no outgoing weight). */
function masksKilling(graph: Graph, dead: Record<string, number[]>): Uint8Array[] {
  const rand = rng(9);
  const layers = compressibleLayers(graph);
  const masks = layers.map((l) => Uint8Array.from({ length: l.n }, () => (rand() < 0.6 ? 1 : 0)));
  layers.forEach((l, i) => {
    const units = l.shape[l.shape.length - 1]!;
    for (const u of dead[l.name] ?? []) for (let j = u; j < l.n; j += units) masks[i]![j] = 0;
    // The consumer's rows fed by a dead unit go too (so no unit is left as a constant).
    const next = layers[i + 1];
    if (!next) return;
    const outs = next.shape[next.shape.length - 1]!;
    const rows = next.type === 'dense' ? next.shape[0]! : next.shape[2]!;
    for (let j = 0; j < next.n; j++)
      if ((dead[l.name] ?? []).includes((Math.floor(j / outs) % rows) % units)) masks[i + 1]![j] = 0;
  });
  return masks;
}

function withKernels(graph: Graph, kernels: Float32Array[]): Graph {
  const g = cloneGraph(graph);
  compressibleLayers(g).forEach((l, i) => {
    g.ops[l.opIndex]!.kernel!.values = kernels[i]!;
  });
  return g;
}

test('the compact model computes what the masked quantized model computes; its latent weights are the originals', async () => {
  const graph = await model();
  const layers = compressibleLayers(graph);
  const masks = masksKilling(graph, { c1: [1, 4], c2: [0, 5, 6], d1: [2, 3, 7] });
  const latent = layers.map((l) => graph.ops[l.opIndex]!.kernel!.values.map((v, j) => v + 0.001 * j));
  const codes: LayerCode[] = layers.map((_, i) => {
    const centroids = Float32Array.from([-0.5, -0.2, 0.15, 0.45]);
    const mask = masks[i]!;
    return { bits: 2, nnz: mask.reduce((s, m) => s + m, 0), centroids, mask };
  });
  const biases = new Map(graph.ops.flatMap((op, i) => (op.bias ? [[i, op.bias.values] as const] : [])));
  const best: BestRecord = {
    accuracy: 0,
    epoch: 0,
    phase: 'admm',
    codes,
    weights: weightRecord(new Map(layers.map((l, i) => [l.opIndex, latent[i]!])), new Map(biases)),
  };
  const state = new TrainState(graph);
  const ctx = { graph, layers, state } as unknown as RunContext;
  const compact = compactForFinetune(ctx, best);

  assert.deepEqual(
    compact.ctx.layers.map((l) => l.shape[l.shape.length - 1]),
    [4, 4, 6, 4],
    'units left per layer',
  );
  compact.codes.forEach((c, i) => {
    assert.equal(c.mask.length, compact.ctx.layers[i]!.n);
    assert.equal(c.nnz, codes[i]!.nnz, `layer ${i}: every kept weight survives (the dead units held none)`);
    for (let k = 0; k < c.mask.length; k++)
      assert.equal(c.mask[k] === 1, compact.latent[i]![k] !== 0, `layer ${i} entry ${k}`);
  });

  const x = tf.tensor(randomArray(3 * 12 * 12 * 2, rng(3)), [3, 12, 12, 2]);
  const quantized = (kernels: Float32Array[], ms: Uint8Array[]) =>
    kernels.map((k, i) => {
      const q = quantizeToCentroids(k, codes[i]!.centroids);
      return q.map((v, j) => (ms[i]![j] ? v : 0));
    });
  const masked = (kernels: Float32Array[], ms: Uint8Array[]) =>
    kernels.map((k, i) => k.map((v, j) => (ms[i]![j] ? v : 0)));
  const compactMasks = compact.codes.map((c) => c.mask);
  tf.tidy(() => {
    const full = forward(withKernels(graph, quantized(latent, masks)), x).dataSync();
    const small = forward(withKernels(compact.ctx.graph, quantized(compact.latent, compactMasks)), x).dataSync();
    assertClose(small, full, 1e-5, 'quantized forward');
    const fullLatent = forward(withKernels(graph, masked(latent, masks)), x).dataSync();
    const smallLatent = forward(withKernels(compact.ctx.graph, compact.latent), x).dataSync();
    assertClose(smallLatent, fullLatent, 1e-5, 'latent forward');
  });
  x.dispose();
  state.dispose();
  compact.ctx.state.dispose();
});
