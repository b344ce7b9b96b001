// Layers that import as several ops: Conv1D ('valid', 'same', strides), MaxPooling1D, AveragePooling1D,
// GlobalAveragePooling1D and GlobalMaxPooling1D (the 2-D ops on [1, T, C] between reshapes, a BatchNormalization
// folding and an activation fusing through the reshape back), and SeparableConv2D (a depthwise conv and a 1×1 conv2d,
// both compressible). Each model runs end to end: import and forward against model.predict, the forward's gradient,
// export (f32, q8) to the wasm runtime in both builds and both exec modes, sqz/tfjs and inspect, within
// 1e-4·max(1, |ref|) of tfjs.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { isCompressible } from '../../../compiler/ir/graph.js';
import { UnsupportedModelError, importLayersModel } from '../../../compiler/import/index.js';
import { checkEndToEnd } from '../../fixtures/layers_e2e.js';
import { randomizeWeights } from '../../fixtures/tfjs_models.js';

before(async () => {
  tf.env().set('IS_TEST', true);
  assert.equal(await tf.setBackend('cpu'), true);
});

type Sym = tfl.SymbolicTensor;

/**
 * [20, 3] sequences: Conv1D same → BN → ReLU; MaxPooling1D 3/2 same; Conv1D (kernel 4); AveragePooling1D; strided
 * valid Conv1D; GlobalAveragePooling1D and GlobalMaxPooling1D added; dense head.
 */
function sensorNet(seed: number): tfl.LayersModel {
  const input = tfl.input({ shape: [20, 3], name: 'signal' });
  let x = tfl.layers
    .conv1d({ filters: 6, kernelSize: 5, padding: 'same', useBias: false, name: 'conv1' })
    .apply(input) as Sym;
  x = tfl.layers.batchNormalization({ name: 'bn1' }).apply(x) as Sym;
  x = tfl.layers.reLU({ name: 'relu1' }).apply(x) as Sym;
  x = tfl.layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same', name: 'pool1' }).apply(x) as Sym;
  x = tfl.layers.conv1d({ filters: 5, kernelSize: 4, activation: 'tanh', name: 'conv2' }).apply(x) as Sym;
  x = tfl.layers.averagePooling1d({ poolSize: 2, name: 'pool2' }).apply(x) as Sym;
  x = tfl.layers.conv1d({ filters: 4, kernelSize: 2, strides: 2, activation: 'relu', name: 'conv3' }).apply(x) as Sym;
  const avg = tfl.layers.globalAveragePooling1d({ name: 'gap' }).apply(x) as Sym;
  const max = tfl.layers.globalMaxPooling1d({ name: 'gmp' }).apply(x) as Sym;
  const both = tfl.layers.add({ name: 'pools' }).apply([avg, max]) as Sym;
  const out = tfl.layers.dense({ units: 3, activation: 'softmax', name: 'head' }).apply(both) as Sym;
  const model = tfl.model({ inputs: input, outputs: out });
  return randomizeWeights(model, seed);
}

test('Conv1D (same, valid, strided) and the 1-D pools import as 2-D ops and run like tfjs', async () => {
  const model = sensorNet(12);
  const graph = await checkEndToEnd({
    name: '1-D layers',
    model,
    inputShape: [20, 3],
    ops: {
      conv2d: 3,
      maxPool2d: 1,
      avgPool2d: 1,
      globalAvgPool2d: 1,
      globalMaxPool2d: 1,
      depthwiseConv2d: 0,
      activation: 0,
    },
  });
  const convs = graph.ops.filter((op) => op.type === 'conv2d');
  assert.deepEqual(
    convs.map((op) => [op.name, op.kernel!.shape, op.strides, op.padding, op.activation]),
    [
      ['conv1', [1, 5, 3, 6], [1, 1], 'same', 'relu'], // BN folded and ReLU fused through the reshape back to [T, C]
      ['conv2', [1, 4, 6, 5], [1, 1], 'valid', 'tanh'],
      ['conv3', [1, 2, 5, 4], [1, 2], 'valid', 'relu'],
    ],
  );
  assert.deepEqual(graph.ops.find((op) => op.type === 'maxPool2d')!.poolSize, [1, 3]);
  model.dispose();
});

/** SeparableConv2D same s2 (multiplier 2, relu); SeparableConv2D valid without bias → BN (folds into the pointwise). */
function separableNet(seed: number): tfl.LayersModel {
  return randomizeWeights(
    tfl.sequential({
      layers: [
        tfl.layers.separableConv2d({
          inputShape: [9, 8, 3],
          filters: 5,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          depthMultiplier: 2,
          activation: 'relu',
          name: 'sep1',
        }),
        tfl.layers.separableConv2d({ filters: 4, kernelSize: [2, 3], useBias: false, name: 'sep2' }),
        tfl.layers.batchNormalization({ name: 'sep2_bn' }),
        tfl.layers.flatten({ name: 'flat' }),
        tfl.layers.dense({ units: 3, name: 'fc' }),
      ],
    }),
    seed,
  );
}

test('SeparableConv2D imports as a depthwise and a pointwise conv, both compressible, and runs like tfjs', async () => {
  const model = separableNet(13);
  const graph = await checkEndToEnd({
    name: 'separable',
    model,
    inputShape: [9, 8, 3],
    ops: { depthwiseConv2d: 2, conv2d: 2 },
    rebuilt: { DepthwiseConv2D: 2, Conv2D: 2 },
  });
  assert.deepEqual(
    graph.ops
      .filter((op) => op.kernel)
      .map((op) => [op.name, op.type, op.kernel!.shape, op.bias?.shape ?? null, isCompressible(op)]),
    [
      ['sep1/depthwise', 'depthwiseConv2d', [3, 3, 3, 2], null, true],
      ['sep1/pointwise', 'conv2d', [1, 1, 6, 5], [5], true],
      ['sep2/depthwise', 'depthwiseConv2d', [2, 3, 5, 1], null, true],
      ['sep2/pointwise', 'conv2d', [1, 1, 5, 4], [4], true], // the BN's shift is its bias
      ['fc', 'dense', [32, 3], [3], true],
    ],
  );
  model.dispose();
});

test('1-D layers that sqz cannot represent are refused naming the layer: dilation, causal padding', () => {
  const dilated = tfl.sequential({
    layers: [tfl.layers.conv1d({ inputShape: [12, 2], filters: 2, kernelSize: 3, dilationRate: 2, name: 'dilated' })],
  });
  assert.throws(
    () => importLayersModel(dilated),
    (e: unknown) =>
      e instanceof UnsupportedModelError &&
      /layer 'dilated' \(Conv1D\) uses dilation rate 2; sqz supports dilation rate 1 only/.test(e.message),
  );
  dilated.dispose();
  const causal = tfl.sequential({
    layers: [tfl.layers.conv1d({ inputShape: [12, 2], filters: 2, kernelSize: 3, padding: 'causal', name: 'causal' })],
  });
  assert.throws(
    () => importLayersModel(causal),
    (e: unknown) =>
      e instanceof UnsupportedModelError &&
      /layer 'causal' \(Conv1D\) uses padding 'causal', which tfjs-layers cannot run/.test(e.message),
  );
  causal.dispose();
});
