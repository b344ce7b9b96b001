// Pools, global pools, activation, add and reshape in the wasm runtime against the TypeScript reference kernels,
// both wasm builds, batch 1 and 3.

import { test } from 'node:test';
import {
  ACT_COUNT,
  ACT_LINEAR,
  ACT_RELU,
  ACT_RELU_CLIP,
  ACT_SOFTMAX,
  ACT_TANH,
  ENC_F32,
  OP_ACTIVATION,
  OP_ADD,
  OP_AVG_POOL2D,
  OP_DENSE,
  OP_GLOBAL_AVG_POOL2D,
  OP_GLOBAL_MAX_POOL2D,
  OP_MAX_POOL2D,
  OP_RESHAPE,
  PAD_SAME,
  PAD_VALID,
  type ModelMessage,
  encodeTensorAs,
  newOp,
} from '../../formats/index.js';
import { checkAgainstReference, randomFloats, singleOpModel } from './helpers.js';
import { rng } from '../fixtures/random.js';
import { windowAxis } from './reference/geometry.js';

const POOLS: {
  name: string;
  inShape: number[];
  kernel: [number, number];
  strides: [number, number];
  padding: number;
}[] = [
  { name: '2x2 s2 valid', inShape: [8, 6, 3], kernel: [2, 2], strides: [2, 2], padding: PAD_VALID },
  { name: '2x2 s2 valid, odd input', inShape: [7, 5, 2], kernel: [2, 2], strides: [2, 2], padding: PAD_VALID },
  { name: '3x3 s2 same', inShape: [7, 7, 3], kernel: [3, 3], strides: [2, 2], padding: PAD_SAME },
  { name: '3x3 s1 same', inShape: [5, 6, 4], kernel: [3, 3], strides: [1, 1], padding: PAD_SAME },
  { name: '2x3 s[1,2] same', inShape: [5, 7, 5], kernel: [2, 3], strides: [1, 2], padding: PAD_SAME },
  { name: '4x4 s3 same', inShape: [9, 10, 1], kernel: [4, 4], strides: [3, 3], padding: PAD_SAME },
];

for (const [type, kind] of [
  [OP_MAX_POOL2D, 'max'],
  [OP_AVG_POOL2D, 'avg'],
] as const) {
  for (const p of POOLS) {
    test(`${kind} pool ${p.name}`, async () => {
      const mode = p.padding === PAD_SAME ? 'same' : 'valid';
      const outShape = [
        windowAxis(p.inShape[0], p.kernel[0], p.strides[0], mode).out,
        windowAxis(p.inShape[1], p.kernel[1], p.strides[1], mode).out,
        p.inShape[2],
      ];
      await checkAgainstReference(
        singleOpModel(p.inShape, outShape, { type, kernel: p.kernel, strides: p.strides, padding: p.padding }),
        `${kind} pool ${p.name}`,
      );
    });
  }
}

test('global average and max pooling', async () => {
  await checkAgainstReference(singleOpModel([5, 6, 7], [7], { type: OP_GLOBAL_AVG_POOL2D }), 'global avg');
  await checkAgainstReference(
    singleOpModel([5, 6, 7], [7], { type: OP_GLOBAL_MAX_POOL2D, activation: ACT_RELU }),
    'global max',
  );
  await checkAgainstReference(singleOpModel([1, 1, 9], [9], { type: OP_GLOBAL_MAX_POOL2D }), 'global max 1x1');
});

test('activation op: every activation, softmax over the last axis', async () => {
  for (let activation = 0; activation < ACT_COUNT; activation++) {
    for (const shape of [[4, 6], [3, 3, 5], [10]]) {
      await checkAgainstReference(
        singleOpModel(shape, shape, {
          type: OP_ACTIVATION,
          activation,
          clipMax: activation === ACT_RELU_CLIP ? 0.5 : 0,
        }),
        `activation ${activation} on [${shape}]`,
        4,
      );
    }
  }
});

test('add: 2 and 3 inputs, fused activation', async () => {
  for (const count of [2, 3]) {
    const shape = [3, 4, 5];
    const values = [...Array.from({ length: count }, () => ({ shape })), { shape }];
    const model: ModelMessage = {
      values,
      tensors: [],
      ops: [
        newOp({
          type: OP_ADD,
          inputs: values.slice(0, count).map((_, i) => i),
          outputs: [count],
          activation: count === 3 ? ACT_RELU_CLIP : ACT_TANH,
          clipMax: count === 3 ? 0.7 : 0,
        }),
      ],
      inputs: values.slice(0, count).map((_, i) => i),
      outputs: [count],
    };
    await checkAgainstReference(model, `add ${count}`);
  }
});

test('reshape: alone (aliased), with activation (copied), feeding dense, and as a model output beside its input', async () => {
  await checkAgainstReference(singleOpModel([2, 3, 4], [24], { type: OP_RESHAPE }), 'reshape alone');
  await checkAgainstReference(
    singleOpModel([2, 3, 4], [6, 4], { type: OP_RESHAPE, activation: ACT_SOFTMAX }),
    'reshape softmax',
  );
  const random = rng(3);
  const model: ModelMessage = {
    values: [{ shape: [4, 4, 2] }, { shape: [32] }, { shape: [32] }, { shape: [8, 4] }, { shape: [5] }],
    tensors: [encodeTensorAs(randomFloats(random, 32 * 5), [32, 5], ENC_F32)],
    ops: [
      newOp({ type: OP_RESHAPE, inputs: [0], outputs: [1] }),
      newOp({ type: OP_ACTIVATION, inputs: [1], outputs: [2], activation: ACT_RELU }),
      newOp({ type: OP_RESHAPE, inputs: [1], outputs: [3] }),
      newOp({ type: OP_DENSE, inputs: [2], outputs: [4], weight: 1, activation: ACT_LINEAR }),
    ],
    inputs: [0],
    outputs: [4, 3, 1],
  };
  await checkAgainstReference(model, 'reshape graph');
});

test('a residual block: conv → relu → conv, added to its input', async () => {
  const random = rng(9);
  const w = (n: number) => randomFloats(random, n, 0.3);
  const model: ModelMessage = {
    values: [{ shape: [6, 6, 4] }, { shape: [6, 6, 4] }, { shape: [6, 6, 4] }, { shape: [6, 6, 4] }, { shape: [4] }],
    tensors: [
      encodeTensorAs(w(144), [3, 3, 4, 4], ENC_F32),
      encodeTensorAs(w(4), [4], ENC_F32),
      encodeTensorAs(w(144), [3, 3, 4, 4], ENC_F32),
    ],
    ops: [
      newOp({ type: 2, inputs: [0], outputs: [1], weight: 1, bias: 2, padding: PAD_SAME, activation: ACT_RELU }),
      newOp({ type: 2, inputs: [1], outputs: [2], weight: 3, padding: PAD_SAME }),
      newOp({ type: OP_ADD, inputs: [2, 0], outputs: [3], activation: ACT_RELU }),
      newOp({ type: OP_GLOBAL_AVG_POOL2D, inputs: [3], outputs: [4], activation: ACT_SOFTMAX }),
    ],
    inputs: [0],
    outputs: [4],
  };
  await checkAgainstReference(model, 'residual');
});
