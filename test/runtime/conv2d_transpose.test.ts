// OP_CONV2D_TRANSPOSE end to end: the wasm kernel against the plain TypeScript reference kernel for every weight
// encoding, exec forced dense and compressed (the planar path), both builds, batch 1 and 3, odd sizes, strides 1, 2
// and 3 (also kernels smaller than the stride), valid and same, with and without bias, fused activations; EXEC_AUTO
// runs a sparse weight compressed; tfjs-layers Conv2DTranspose (a BatchNormalization folded into it) through import,
// the compiler's forward and its gradient, export (f32, q8) to the wasm runtime, sqz/tfjs and inspect within
// 1e-4·max(1, |ref|) of tfjs.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  ACT_LINEAR,
  ACT_RELU,
  ACT_TANH,
  ENC_F32,
  OP_CONV2D_TRANSPOSE,
  PAD_SAME,
  PAD_VALID,
  PATH_CONV_PLANAR,
  type ModelMessage,
  encodeTensorAs,
  writeSqz,
} from '../../formats/index.js';
import { SqzModel } from '../../runtime/index.js';
import { checkEndToEnd } from '../fixtures/layers_e2e.js';
import { rng } from '../fixtures/random.js';
import { randomizeWeights } from '../fixtures/tfjs_models.js';
import {
  ENCODING_CASES,
  type EncodingCase,
  assertClose,
  encodeAs,
  randomFloats,
  singleOpModel,
  weightsFor,
} from './helpers.js';
import { transposedAxis } from './reference/conv2d_transpose.js';
import { runModelReference } from './reference/run_model.js';

before(async () => {
  tf.env().set('IS_TEST', true);
  assert.equal(await tf.setBackend('cpu'), true);
});

interface Case {
  name: string;
  inShape: [number, number, number];
  /** [KH, KW, C, M] */
  weightShape: [number, number, number, number];
  strides: [number, number];
  padding: number;
  activation: number;
  bias: boolean;
}

const CASES: Case[] = [
  {
    name: '3x3 s1 same',
    inShape: [5, 4, 3],
    weightShape: [3, 3, 3, 4],
    strides: [1, 1],
    padding: PAD_SAME,
    activation: ACT_LINEAR,
    bias: true,
  },
  {
    name: '3x3 s2 valid relu',
    inShape: [4, 5, 2],
    weightShape: [3, 3, 2, 5],
    strides: [2, 2],
    padding: PAD_VALID,
    activation: ACT_RELU,
    bias: true,
  },
  {
    name: '4x4 s2 same',
    inShape: [3, 3, 4],
    weightShape: [4, 4, 4, 3],
    strides: [2, 2],
    padding: PAD_SAME,
    activation: ACT_LINEAR,
    bias: false,
  },
  {
    name: '2x3 s[3,2] same tanh',
    inShape: [3, 4, 2],
    weightShape: [2, 3, 2, 6],
    strides: [3, 2],
    padding: PAD_SAME,
    activation: ACT_TANH,
    bias: true,
  },
  {
    name: '1x1 s3 valid (kernel < stride)',
    inShape: [2, 3, 5],
    weightShape: [1, 1, 5, 2],
    strides: [3, 3],
    padding: PAD_VALID,
    activation: ACT_LINEAR,
    bias: true,
  },
  {
    name: '5x2 s[1,3] valid',
    inShape: [3, 2, 1],
    weightShape: [5, 2, 1, 7],
    strides: [1, 3],
    padding: PAD_VALID,
    activation: ACT_RELU,
    bias: false,
  },
];

function outputShape(c: Case): number[] {
  const padding = c.padding === PAD_SAME ? 'same' : 'valid';
  return [
    transposedAxis(c.inShape[0], c.weightShape[0], c.strides[0], padding).out,
    transposedAxis(c.inShape[1], c.weightShape[1], c.strides[1], padding).out,
    c.weightShape[3],
  ];
}

function buildModel(c: Case, encoding: EncodingCase, seed: number): ModelMessage {
  const random = rng(seed);
  const n = c.weightShape.reduce((a, b) => a * b, 1);
  const tensors = [encodeAs(weightsFor(random, n, encoding), c.weightShape, encoding)];
  if (c.bias) tensors.push(encodeTensorAs(randomFloats(random, c.weightShape[3], 0.3), [c.weightShape[3]], ENC_F32));
  const strides = c.strides[0] === 1 && c.strides[1] === 1 ? [] : c.strides;
  return singleOpModel(
    c.inShape,
    outputShape(c),
    {
      type: OP_CONV2D_TRANSPOSE,
      weight: 1,
      bias: c.bias ? 2 : 0,
      strides,
      padding: c.padding,
      activation: c.activation,
    },
    tensors,
  );
}

for (const c of CASES) {
  test(`conv2dTranspose ${c.name}: every encoding, dense and compressed, both builds, batch 1 and 3`, async () => {
    for (const [e, encoding] of ENCODING_CASES.entries()) {
      const model = buildModel(c, encoding, 300 + e);
      const bytes = writeSqz(model);
      for (const batch of [1, 3]) {
        const x = randomFloats(rng(batch * 11 + e), c.inShape.reduce((a, b) => a * b, 1) * batch);
        const [expected] = runModelReference(model, [x], batch);
        for (const simd of [true, false]) {
          for (const exec of ['dense', 'compressed'] as const) {
            const sqz = await SqzModel.load(bytes, { exec, simd });
            assertClose(
              sqz.predict(x, batch),
              expected!,
              `${c.name}, ${encoding.name}, ${exec}, ${simd ? 'simd' : 'scalar'}, batch ${batch}`,
            );
            const compressed = exec === 'compressed' && encoding.encoding !== ENC_F32;
            assert.equal(sqz.info.tensors[0]!.exec, compressed ? 'compressed' : 'dense', `${c.name}: exec`);
            assert.equal(
              (sqz.wasmExports.opPaths(0) >>> PATH_CONV_PLANAR) & 1,
              compressed ? 1 : 0,
              `${c.name}: planar path`,
            );
            sqz.dispose();
          }
        }
      }
    }
  });
}

test('conv2dTranspose: auto exec runs a weight stored sparse at ≤ 20% density compressed', async () => {
  const rice = ENCODING_CASES.find((e) => e.name.startsWith('sparse-rice'))!;
  const c = CASES[1]!;
  const n = c.weightShape.reduce((a, b) => a * b, 1);
  for (const [density, want] of [
    [0.1, 'compressed'],
    [0.6, 'dense'],
  ] as const) {
    const random = rng(3);
    const w = Float32Array.from({ length: n }, (_, i) => (random() < density || i === 0 ? 0.5 : 0));
    const model = singleOpModel(
      c.inShape,
      outputShape(c),
      { type: OP_CONV2D_TRANSPOSE, weight: 1, strides: c.strides },
      [encodeAs(w, c.weightShape, rice)],
    );
    const sqz = await SqzModel.load(writeSqz(model), { exec: 'auto' });
    assert.equal(sqz.info.tensors[0]!.exec, want, `density ${density}`);
    const x = randomFloats(random, 40);
    assertClose(sqz.predict(x), runModelReference(model, [x], 1)[0]!, `auto ${density}`);
    sqz.dispose();
  }
});

test('a transposed conv whose output or weight does not fit is refused by the writer', () => {
  const c = CASES[0]!;
  const weight = [encodeTensorAs(new Float32Array(108), c.weightShape, ENC_F32)];
  assert.throws(
    () =>
      writeSqz(
        singleOpModel(c.inShape, [5, 5, 4], { type: OP_CONV2D_TRANSPOSE, weight: 1, padding: PAD_SAME }, weight),
      ),
    /output value 1 has shape \[5, 5, 4\], the op produces \[5, 4, 4\]/,
  );
  assert.throws(
    () =>
      writeSqz(
        singleOpModel([5, 4, 2], [5, 4, 4], { type: OP_CONV2D_TRANSPOSE, weight: 1, padding: PAD_SAME }, weight),
      ),
    /weight shape \[3, 3, 3, 4\] should be \[KH, KW, 2, M\]/,
  );
});

/** conv (stride 2) → Conv2DTranspose 4×3 same s2 → BN (folds) → relu → Conv2DTranspose valid s[2, 3] → flatten → dense. */
function decoder(seed: number): tfl.LayersModel {
  return randomizeWeights(
    tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [7, 6, 2],
          filters: 4,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          activation: 'relu',
          name: 'down',
        }),
        tfl.layers.conv2dTranspose({
          filters: 3,
          kernelSize: [4, 3],
          strides: 2,
          padding: 'same',
          useBias: false,
          name: 'up1',
        }),
        tfl.layers.batchNormalization({ name: 'up1_bn' }),
        tfl.layers.reLU({ name: 'up1_relu' }),
        tfl.layers.conv2dTranspose({
          filters: 2,
          kernelSize: [2, 4],
          strides: [2, 3],
          padding: 'valid',
          activation: 'tanh',
          name: 'up2',
        }),
        tfl.layers.flatten({ name: 'flat' }),
        tfl.layers.dense({ units: 5, name: 'fc' }),
      ],
    }),
    seed,
  );
}

test('Conv2DTranspose imports (BN folded), trains, converts and runs like tfjs (wasm runtime, sqz/tfjs, inspect)', async () => {
  const model = decoder(8);
  const graph = await checkEndToEnd({
    name: 'transposed conv',
    model,
    inputShape: [7, 6, 2],
    ops: { conv2dTranspose: 2, conv2d: 1 },
    rebuilt: { Conv2DTranspose: 2, BatchNormalization: 0 },
  });
  const up = graph.ops.filter((op) => op.type === 'conv2dTranspose');
  assert.deepEqual(
    up.map((op) => op.kernel!.shape),
    [
      [4, 3, 4, 3],
      [2, 4, 3, 2],
    ],
    'kernels stored [KH, KW, C, M]',
  );
  assert.deepEqual(
    up.map((op) => op.activation),
    ['relu', 'tanh'],
  );
  assert.equal(graph.values[up[0]!.output]!.shape.join(','), '8,6,3');
  assert.equal(graph.values[up[1]!.output]!.shape.join(','), '16,19,2');
  model.dispose();
});
