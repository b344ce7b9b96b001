// OP_ZERO_PAD2D, OP_CROP2D and OP_UP_SAMPLING2D end to end: the wasm kernels (both builds) against the plain
// TypeScript reference kernels on odd shapes, batch 1 and 3; tfjs-layers ZeroPadding2D, Cropping2D and UpSampling2D
// through import, the compiler's forward and its gradient, export (f32, q8) to the wasm runtime, sqz/tfjs and inspect
// within 1e-4·max(1, |ref|) of tfjs; what stays unsupported is refused naming the layer.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { UnsupportedModelError, importLayersModel } from '../../compiler/import/index.js';
import { OP_CROP2D, OP_UP_SAMPLING2D, OP_ZERO_PAD2D, type ModelMessage, writeSqz } from '../../formats/index.js';
import { SqzModel } from '../../runtime/index.js';
import { checkEndToEnd } from '../fixtures/layers_e2e.js';
import { randomizeWeights } from '../fixtures/tfjs_models.js';
import { checkAgainstReference, singleOpModel } from './helpers.js';

before(async () => {
  tf.env().set('IS_TEST', true);
  assert.equal(await tf.setBackend('cpu'), true);
});

test('zero padding in both builds equals the reference: odd shapes, uneven and zero pads, fused activation', async () => {
  for (const [shape, pads] of [
    [
      [5, 4, 3],
      [1, 2, 0, 3],
    ],
    [
      [3, 7, 1],
      [0, 0, 0, 0],
    ],
    [
      [2, 2, 5],
      [3, 0, 1, 1],
    ],
    [
      [1, 1, 2],
      [0, 4, 2, 0],
    ],
  ] as const) {
    const out = [shape[0] + pads[0] + pads[1], shape[1] + pads[2] + pads[3], shape[2]];
    await checkAgainstReference(
      singleOpModel([...shape], out, { type: OP_ZERO_PAD2D, params: [...pads], activation: 1 }),
      `pad [${shape}] by [${pads}]`,
      2,
    );
  }
});

test('cropping in both builds equals the reference: odd shapes, uneven crops, nothing cropped', async () => {
  for (const [shape, crops] of [
    [
      [7, 6, 3],
      [1, 2, 0, 3],
    ],
    [
      [3, 5, 2],
      [0, 0, 0, 0],
    ],
    [
      [9, 4, 1],
      [4, 4, 1, 2],
    ],
  ] as const) {
    const out = [shape[0] - crops[0] - crops[1], shape[1] - crops[2] - crops[3], shape[2]];
    await checkAgainstReference(
      singleOpModel([...shape], out, { type: OP_CROP2D, params: [...crops] }),
      `crop [${shape}] by [${crops}]`,
      2,
    );
  }
});

test('nearest up-sampling in both builds equals the reference: factors 1, 2, 3 and unequal', async () => {
  for (const [shape, factors] of [
    [
      [3, 5, 2],
      [2, 3],
    ],
    [
      [4, 3, 5],
      [1, 1],
    ],
    [
      [2, 2, 1],
      [3, 2],
    ],
    [
      [1, 3, 7],
      [2, 1],
    ],
  ] as const) {
    const out = [shape[0] * factors[0], shape[1] * factors[1], shape[2]];
    await checkAgainstReference(
      singleOpModel([...shape], out, { type: OP_UP_SAMPLING2D, params: [...factors] }),
      `up-sample [${shape}] by [${factors}]`,
      2,
    );
  }
});

test('bad params are refused by both readers: a crop that leaves nothing, a factor of 0, a missing pad', async () => {
  const cases: [ModelMessage, RegExp][] = [
    [singleOpModel([4, 4, 1], [1, 4, 1], { type: OP_CROP2D, params: [2, 2, 0, 0] }), /leaves nothing/],
    [singleOpModel([4, 4, 1], [4, 4, 1], { type: OP_UP_SAMPLING2D, params: [0, 1] }), /should be \[SH, SW\], each ≥ 1/],
    [
      singleOpModel([4, 4, 1], [5, 5, 1], { type: OP_ZERO_PAD2D, params: [1, 0, 1] }),
      /should be \[top, bottom, left, right\]/,
    ],
  ];
  for (const [model, pattern] of cases) assert.throws(() => writeSqz(model), pattern);
  // The runtime checks the same without the TS writer (a crafted file).
  const { sqzProtoTypes, wrapPayload } = await import('../../formats/index.js');
  const { Model } = sqzProtoTypes();
  for (const [model] of cases) {
    const bytes = wrapPayload(Model.encode(Model.fromObject(model)).finish());
    await assert.rejects(SqzModel.load(bytes), /op params|shape/);
  }
});

/** conv → ZeroPadding2D → strided valid conv → UpSampling2D → Cropping2D → conv → flatten → dense. */
function shapeModel(seed: number): tfl.LayersModel {
  return randomizeWeights(
    tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [7, 6, 2],
          filters: 3,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          name: 'conv1',
        }),
        tfl.layers.zeroPadding2d({
          padding: [
            [1, 2],
            [0, 3],
          ],
          name: 'pad',
        }),
        tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, name: 'conv2' }),
        tfl.layers.upSampling2d({ size: [2, 3], name: 'up' }),
        tfl.layers.cropping2D({
          cropping: [
            [1, 0],
            [2, 1],
          ],
          name: 'crop',
        }),
        tfl.layers.conv2d({ filters: 2, kernelSize: 2, activation: 'tanh', name: 'conv3' }),
        tfl.layers.flatten({ name: 'flat' }),
        tfl.layers.dense({ units: 5, name: 'fc' }),
      ],
    }),
    seed,
  );
}

test('ZeroPadding2D, UpSampling2D and Cropping2D import, train, convert and run like tfjs (wasm runtime, sqz/tfjs, inspect)', async () => {
  const model = shapeModel(3);
  const graph = await checkEndToEnd({
    name: 'shape ops',
    model,
    inputShape: [7, 6, 2],
    ops: { zeroPad2d: 1, upSampling2d: 1, crop2d: 1, conv2d: 3 },
    rebuilt: { ZeroPadding2D: 1, UpSampling2D: 1, Cropping2D: 1 },
  });
  assert.deepEqual(
    graph.ops.filter((op) => op.params !== undefined).map((op) => [op.type, op.params]),
    [
      ['zeroPad2d', [1, 2, 0, 3]],
      ['upSampling2d', [2, 3]],
      ['crop2d', [1, 0, 2, 1]],
    ],
  );
  model.dispose();
});

test('UpSampling2D with bilinear interpolation is refused naming the layer', () => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.upSampling2d({ inputShape: [3, 3, 1], size: [2, 2], interpolation: 'bilinear', name: 'smooth' }),
    ],
  });
  assert.throws(
    () => importLayersModel(model),
    (e: unknown) =>
      e instanceof UnsupportedModelError &&
      /layer 'smooth' \(UpSampling2D\) uses interpolation 'bilinear'/.test(e.message),
  );
  model.dispose();
});
