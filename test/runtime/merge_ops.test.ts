// OP_CONCAT, OP_MULTIPLY, OP_AVERAGE, OP_MAXIMUM and OP_MINIMUM end to end: the wasm kernels (both builds) against the
// plain TypeScript reference kernels on odd shapes, every concat axis, 2 and 3 inputs, batch 1 and 3; tfjs-layers
// Concatenate (last and inner axis, one input twice), RepeatVector, Multiply, Average, Maximum and Minimum through
// import, the compiler's forward and its gradient, export (f32, q8) to the wasm runtime, sqz/tfjs and inspect within
// 1e-4·max(1, |ref|) of tfjs.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  ACT_RELU,
  ACT_TANH,
  OP_AVERAGE,
  OP_CONCAT,
  OP_MAXIMUM,
  OP_MINIMUM,
  OP_MULTIPLY,
  type ModelMessage,
  newOp,
  writeSqz,
} from '../../formats/index.js';
import { checkEndToEnd } from '../fixtures/layers_e2e.js';
import { randomizeWeights } from '../fixtures/tfjs_models.js';
import { checkAgainstReference } from './helpers.js';

before(async () => {
  tf.env().set('IS_TEST', true);
  assert.equal(await tf.setBackend('cpu'), true);
});

/** One op reading `inputs` (model inputs 0..k−1, `reads` picks which, repeats allowed) into the last value. */
function mergeModel(
  type: number,
  inputs: number[][],
  output: number[],
  fields: Partial<ModelMessage['ops'][number]> = {},
  reads?: number[],
): ModelMessage {
  const values = [...inputs.map((shape) => ({ shape })), { shape: output }];
  return {
    values,
    tensors: [],
    ops: [newOp({ type, inputs: reads ?? inputs.map((_, i) => i), outputs: [inputs.length], ...fields })],
    inputs: inputs.map((_, i) => i),
    outputs: [inputs.length],
  };
}

test('concat in both builds equals the reference: every axis, uneven sizes, 2 and 3 inputs, one input twice', async () => {
  await checkAgainstReference(
    mergeModel(
      OP_CONCAT,
      [
        [3, 4, 5],
        [3, 4, 2],
      ],
      [3, 4, 7],
      { params: [2] },
    ),
    'concat axis 2',
    2,
  );
  await checkAgainstReference(
    mergeModel(
      OP_CONCAT,
      [
        [3, 4, 5],
        [3, 1, 5],
        [3, 2, 5],
      ],
      [3, 7, 5],
      { params: [1] },
    ),
    'concat axis 1, 3 inputs',
    2,
  );
  await checkAgainstReference(
    mergeModel(
      OP_CONCAT,
      [
        [2, 3],
        [5, 3],
      ],
      [7, 3],
      { params: [0], activation: ACT_TANH },
    ),
    'concat axis 0 tanh',
    2,
  );
  await checkAgainstReference(
    mergeModel(OP_CONCAT, [[1, 7]], [3, 7], { params: [0] }, [0, 0, 0]),
    'one input three times (RepeatVector)',
    2,
  );
  await checkAgainstReference(mergeModel(OP_CONCAT, [[9], [1]], [10], { params: [0] }), 'vectors', 2);
});

test('multiply, average, maximum and minimum in both builds equal the reference: 2 and 3 inputs, odd sizes', async () => {
  for (const type of [OP_MULTIPLY, OP_AVERAGE, OP_MAXIMUM, OP_MINIMUM]) {
    for (const count of [2, 3]) {
      const shape = count === 2 ? [3, 5, 3] : [7];
      await checkAgainstReference(
        mergeModel(
          type,
          Array.from({ length: count }, () => shape),
          shape,
          { activation: count === 3 ? ACT_RELU : 0 },
        ),
        `op ${type} × ${count}`,
        2,
      );
    }
  }
});

test('merges of unequal shapes are refused by the writer', () => {
  assert.throws(
    () =>
      writeSqz(
        mergeModel(
          OP_MULTIPLY,
          [
            [3, 4],
            [4, 3],
          ],
          [3, 4],
        ),
      ),
    /has shape \[4, 3\], input 0 has \[3, 4\]/,
  );
  assert.throws(
    () =>
      writeSqz(
        mergeModel(
          OP_CONCAT,
          [
            [3, 4],
            [2, 5],
          ],
          [5, 4],
          { params: [0] },
        ),
      ),
    /must equal input 0's \[3, 4\] but along axis 0/,
  );
  assert.throws(
    () =>
      writeSqz(
        mergeModel(
          OP_CONCAT,
          [
            [3, 4],
            [3, 4],
          ],
          [3, 8],
          { params: [2] },
        ),
      ),
    /axis 2 is past the last axis/,
  );
});

/** Convolutions merged five ways, concatenated on two axes (one input twice), pooled, a dense, RepeatVector, a head. */
function mergeNet(seed: number): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 5, 3], name: 'image' });
  const conv = (name: string, kernelSize: number, activation?: string) =>
    tfl.layers
      .conv2d({ filters: 4, kernelSize, padding: 'same', activation: activation as never, name })
      .apply(input) as tfl.SymbolicTensor;
  const a = conv('a', 3, 'relu'),
    b = conv('b', 1),
    c = conv('c', 3, 'tanh');
  const apply = (layer: tfl.layers.Layer, inputs: tfl.SymbolicTensor[]) => layer.apply(inputs) as tfl.SymbolicTensor;
  const m = apply(tfl.layers.multiply({ name: 'mul' }), [a, b]);
  const mx = apply(tfl.layers.maximum({ name: 'max' }), [m, c]);
  const mn = apply(tfl.layers.minimum({ name: 'min' }), [a, c]);
  const av = apply(tfl.layers.average({ name: 'avg' }), [mx, mn, b]);
  const cat = apply(tfl.layers.concatenate({ name: 'cat_channels' }), [av, a]);
  const wide = apply(tfl.layers.concatenate({ axis: 2, name: 'cat_width' }), [cat, cat]);
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(wide) as tfl.SymbolicTensor;
  const fc = tfl.layers.dense({ units: 6, activation: 'relu', name: 'fc' }).apply(pooled) as tfl.SymbolicTensor;
  const repeated = tfl.layers.repeatVector({ n: 3, name: 'repeat' }).apply(fc) as tfl.SymbolicTensor;
  const flat = tfl.layers.flatten({ name: 'flat' }).apply(repeated) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 4, name: 'head' }).apply(flat) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  return randomizeWeights(model, seed);
}

test('Concatenate, RepeatVector, Multiply, Average, Maximum and Minimum import, train, convert and run like tfjs', async () => {
  const model = mergeNet(4);
  const graph = await checkEndToEnd({
    name: 'merges',
    model,
    inputShape: [6, 5, 3],
    ops: { multiply: 1, average: 1, maximum: 1, minimum: 1, concat: 3 },
    rebuilt: { Multiply: 1, Average: 1, Maximum: 1, Minimum: 1, Concatenate: 3 },
  });
  assert.deepEqual(
    graph.ops.filter((op) => op.type === 'concat').map((op) => [op.inputs.length, op.params]),
    [
      [2, [2]],
      [2, [1]],
      [3, [0]],
    ],
  );
  model.dispose();
});

test('RepeatVector(1) is a reshape', async () => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [5], units: 3, name: 'fc' }),
      tfl.layers.repeatVector({ n: 1, name: 'once' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ units: 2, name: 'out' }),
    ],
  });
  randomizeWeights(model, 2);
  await checkEndToEnd({ name: 'repeat once', model, inputShape: [5], ops: { concat: 0, reshape: 2 } });
  model.dispose();
});
