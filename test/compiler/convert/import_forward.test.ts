// Import + IR forward pass vs tfjs-layers' own model.predict on the cpu backend, for every supported layer.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { importLayersModel, importModel } from '../../../compiler/import/index.js';
import { forward, forwardAll, graphConstants } from '../../../compiler/ir/forward.js';
import type { Graph } from '../../../compiler/ir/graph.js';
import { assertClose } from '../../fixtures/compare.js';
import { buildTestModels, randomArray, randomizeWeights, saveLayersModel } from '../../fixtures/tfjs_models.js';
import { rng } from '../../fixtures/random.js';

before(async () => {
  tf.env().set('IS_TEST', true); // silences tfjs's "install tfjs-node" banner
  assert.equal(await tf.setBackend('cpu'), true);
});

function randomInput(shape: number[], batch: number, seed: number): tf.Tensor {
  const n = batch * shape.reduce((a, b) => a * b, 1);
  return tf.tensor(randomArray(n, rng(seed), -2, 2), [batch, ...shape]);
}

function predictBoth(
  model: tfl.LayersModel,
  graph: Graph,
  input: tf.Tensor,
): { ours: Float32Array; ref: Float32Array } {
  return tf.tidy(() => ({
    ours: forward(graph, input).dataSync() as Float32Array,
    ref: (model.predict(input) as tf.Tensor).dataSync() as Float32Array,
  }));
}

test('forward(import(model)) matches model.predict for every test model, from files and in memory', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sqz-import-'));
  try {
    for (const { name, model, inputShape } of buildTestModels(11)) {
      const input = randomInput(inputShape, 3, 5);
      const fromMemory = importLayersModel(model);
      const fromFiles = await importModel(await saveLayersModel(model, path.join(dir, name)));
      for (const graph of [fromMemory, fromFiles]) {
        const { ours, ref } = predictBoth(model, graph, input);
        assertClose(ours, ref, 1e-5, `${name}`);
      }
      input.dispose();
      model.dispose();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('import folds BN into linear producers, rewrites the rest, fuses activations and drops dropout', () => {
  const [mlp, cnn, residual, reshapes] = buildTestModels(3);
  const ops = (g: Graph) =>
    g.ops.map((op) => `${op.type}:${op.name}:${op.activation}${op.clipMax !== undefined ? `<=${op.clipMax}` : ''}`);
  assert.deepEqual(ops(importLayersModel(mlp!.model)), [
    'reshape:bn_input:linear',
    'depthwiseConv2d:bn_input:linear',
    'reshape:bn_input:linear',
    'dense:fc1:relu',
    'dense:fc2:tanh',
    'dense:fc3:sigmoid',
    'dense:fc4:softmax',
  ]);
  assert.deepEqual(
    ops(importLayersModel(cnn!.model)),
    [
      'conv2d:conv1:relu<=6',
      'depthwiseConv2d:bn1:linear',
      'maxPool2d:pool1:linear',
      'conv2d:conv2:relu<=0.800000011920929',
      'avgPool2d:pool2:linear',
      'reshape:flat:linear',
      'dense:logits:softmax',
    ].map((s) => s.replace('<=0.800000011920929', '<=0.8')),
  );
  const res = importLayersModel(residual!.model);
  assert.deepEqual(ops(res), [
    'conv2d:stem:relu',
    'depthwiseConv2d:dw:relu',
    'conv2d:pw:linear',
    'conv2d:skip:linear',
    'add:residual_add:relu',
    'avgPool2d:avg:linear',
    'globalAvgPool2d:gap:linear',
    'maxPool2d:max:linear',
    'activation:max_sigmoid:sigmoid',
    'globalMaxPool2d:gmp:linear',
    'add:pool_add:linear',
    'dense:head:softmax',
  ]);
  // The depthwise op's BN folded per output channel c·D + d: kernel [3, 3, 4, 2], bias [8].
  assert.deepEqual(res.ops[1]!.kernel!.shape, [3, 3, 4, 2]);
  assert.deepEqual(res.ops[1]!.bias!.shape, [8]);
  assert.deepEqual(ops(importLayersModel(reshapes!.model)), [
    'dense:expand:relu',
    'reshape:to_image:linear',
    'conv2d:conv:tanh',
    'conv2d:dense_hwc:linear',
    'reshape:to_seq:linear',
    'reshape:dense_seq:linear',
    'conv2d:dense_seq:sigmoid',
    'reshape:dense_seq:linear',
    'reshape:bn_seq:linear',
    'depthwiseConv2d:bn_seq:linear',
    'reshape:bn_seq:linear',
    'reshape:flat:linear',
    'reshape:bn_flat:linear',
    'depthwiseConv2d:bn_flat:linear',
    'reshape:bn_flat:linear',
    'dense:out:tanh',
  ]);
  for (const m of [mlp, cnn, residual, reshapes]) m!.model.dispose();
});

test('forward: logits skips the final softmax, params substitute weights, multiple outputs', () => {
  const input = tfl.input({ shape: [6], name: 'x' });
  const hidden = tfl.layers.dense({ units: 5, activation: 'relu', name: 'h' }).apply(input) as tfl.SymbolicTensor;
  const a = tfl.layers.dense({ units: 3, activation: 'softmax', name: 'a' }).apply(hidden) as tfl.SymbolicTensor;
  const b = tfl.layers.dense({ units: 2, activation: 'sigmoid', name: 'b' }).apply(hidden) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: [a, b] });
  randomizeWeights(model, 9);
  const graph = importLayersModel(model);
  const x = randomInput([6], 4, 2);
  tf.tidy(() => {
    const refs = model.predict(x) as tf.Tensor[];
    const outs = forwardAll(graph, x);
    outs.forEach((o, i) => assertClose(o.dataSync(), refs[i]!.dataSync(), 1e-5, `output ${i}`));
    const logits = forwardAll(graph, x, { logits: true })[0]!;
    assertClose(tf.softmax(logits).dataSync(), refs[0]!.dataSync(), 1e-5, 'softmax(logits)');
    assert.ok(Math.abs(tf.sum(logits).dataSync()[0]! - 4) > 1e-3, 'logits are not probabilities');
    // Substituting op 'a''s kernel with zeros makes its softmax uniform.
    const aIndex = graph.ops.findIndex((op) => op.name === 'a');
    const zeroed = forwardAll(graph, x, {
      params: (i) => (i === aIndex ? { kernel: tf.zeros([5, 3]), bias: tf.zeros([3]) } : undefined),
    })[0]!;
    assertClose(zeroed.dataSync(), new Float32Array(12).fill(1 / 3), 1e-6, 'zeroed head');
  });
  const constants = graphConstants(graph);
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const outs = forwardAll(graph, x, { params: constants.params });
    const refs = model.predict(x) as tf.Tensor[];
    outs.forEach((o, i) => assertClose(o.dataSync(), refs[i]!.dataSync(), 1e-5, `cached output ${i}`));
  });
  assert.equal(tf.memory().numTensors, before, 'tidy freed all intermediates');
  constants.dispose();
  x.dispose();
  model.dispose();
});

test('forward is differentiable with respect to substituted variables', () => {
  const [mlp] = buildTestModels(4);
  const graph = importLayersModel(mlp!.model);
  const i = graph.ops.findIndex((op) => op.name === 'fc2');
  const kernel = tf.variable(tf.tensor(graph.ops[i]!.kernel!.values, graph.ops[i]!.kernel!.shape));
  const x = randomInput([12], 5, 8);
  const { value, grads } = tf.variableGrads(
    () => tf.sum(forward(graph, x, { params: (j) => (j === i ? { kernel } : undefined) })) as tf.Scalar,
    [kernel],
  );
  assert.ok(Number.isFinite(value.dataSync()[0]!));
  const g = grads[kernel.name]!;
  assert.deepEqual(g.shape, [16, 10]);
  // Softmax outputs sum to 1 per sample, so d(sum)/dW is ~0: check a non-trivial loss instead.
  const { grads: g2 } = tf.variableGrads(
    () =>
      tf.sum(
        tf.square(forward(graph, x, { logits: true, params: (j) => (j === i ? { kernel } : undefined) })),
      ) as tf.Scalar,
    [kernel],
  );
  assert.ok(tf.max(tf.abs(g2[kernel.name]!)).dataSync()[0]! > 0);
  tf.dispose([value, g, x, kernel, ...Object.values(g2)]);
  mlp!.model.dispose();
});

test('a model with two inputs imports in input order and matches model.predict', () => {
  const vector = tfl.input({ shape: [5], name: 'vector' });
  const image = tfl.input({ shape: [4, 4, 2], name: 'image' });
  const conv = tfl.layers
    .conv2d({ filters: 3, kernelSize: 3, activation: 'relu', name: 'conv' })
    .apply(image) as tfl.SymbolicTensor;
  const pooled = tfl.layers.globalMaxPooling2d({ name: 'gmp' }).apply(conv) as tfl.SymbolicTensor;
  const projected = tfl.layers.dense({ units: 3, name: 'proj' }).apply(vector) as tfl.SymbolicTensor;
  const sum = tfl.layers.add({ name: 'sum' }).apply([pooled, projected]) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 2, activation: 'softmax', name: 'out' }).apply(sum) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: [vector, image], outputs: out });
  randomizeWeights(model, 12);
  const graph = importLayersModel(model);
  assert.deepEqual(
    graph.inputs.map((v) => graph.values[v]!.name),
    ['vector', 'image'],
  );
  const xs = [randomInput([5], 2, 1), randomInput([4, 4, 2], 2, 2)];
  tf.tidy(() =>
    assertClose(forward(graph, xs).dataSync(), (model.predict(xs) as tf.Tensor).dataSync(), 1e-5, 'two inputs'),
  );
  tf.dispose(xs);
  model.dispose();
});
