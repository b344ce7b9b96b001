// sqz's wasm gradient kernels against the cpu backend's own kernels of the same name (the readable oracle),
// over several shapes, strides, paddings, batch sizes and depth multipliers; and a check that none leaks.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../../compiler/engine/backend.js';
import { createRng } from '../../../compiler/util/rng.js';

type Input = { shape: number[]; values: Float32Array | Int32Array; dtype: 'float32' | 'int32' };

const RELATIVE_TOLERANCE = 1e-4;

function randomInput(shape: number[], seed: number): Input {
  const rng = createRng(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.normal();
  return { shape, values, dtype: 'float32' };
}

/** Runs one kernel on `backend` and returns its output; also reports tensors/data left behind by the kernel. */
async function runOn(backend: string, kernel: string, inputs: Record<string, Input>, attrs: object) {
  assert.equal(await tf.setBackend(backend), true, `tf.setBackend('${backend}')`);
  const tensors: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) tensors[k] = tf.tensor(v.values, v.shape, v.dtype);
  const tensorsBefore = tf.memory().numTensors;
  const dataBefore = tf.backend().numDataIds();
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const values = out.dataSync() as Float32Array;
  const shape = out.shape;
  out.dispose();
  const leaked = { tensors: tf.memory().numTensors - tensorsBefore, data: tf.backend().numDataIds() - dataBefore };
  tf.dispose(Object.values(tensors));
  return { values: Float32Array.from(values), shape, leaked };
}

async function assertSameAsCpu(kernel: string, inputs: Record<string, Input>, attrs: object): Promise<void> {
  const want = await runOn('cpu', kernel, inputs, attrs);
  const got = await runOn('wasm', kernel, inputs, attrs);
  const label = `${kernel} ${JSON.stringify(attrs)}`;
  assert.deepEqual(got.shape, want.shape, `${label}: shape`);
  let maxDiff = 0;
  let maxAbs = 0;
  for (let i = 0; i < want.values.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(got.values[i] - want.values[i]));
    maxAbs = Math.max(maxAbs, Math.abs(want.values[i]));
  }
  assert.ok(maxAbs > 0, `${label}: the reference output is all zero, the case tests nothing`);
  assert.ok(maxDiff <= RELATIVE_TOLERANCE * maxAbs, `${label}: max difference ${maxDiff} vs max value ${maxAbs}`);
  assert.deepEqual(got.leaked, { tensors: 0, data: 0 }, `${label}: leaked tensors or backend data`);
}

/** [N, H, W, C, filter K (square), out channels or multiplier, stride, pad] */
type ConvCase = [
  number,
  number,
  number,
  number,
  number,
  number,
  number | [number, number],
  'same' | 'valid' | number[][],
];

const CONV_CASES: ConvCase[] = [
  [2, 9, 9, 3, 3, 4, 1, 'same'],
  [2, 9, 9, 3, 3, 4, 1, 'valid'],
  [3, 9, 9, 3, 3, 4, 2, 'same'],
  [2, 10, 10, 3, 3, 2, 2, 'same'],
  [2, 11, 9, 2, 4, 3, 2, 'valid'], // stride does not divide: trailing rows are unread
  [1, 7, 7, 1, 2, 2, 2, 'same'],
  [4, 12, 12, 3, 5, 2, 1, 'valid'],
  [2, 9, 8, 2, 3, 2, [2, 1], 'same'],
  [
    2,
    10,
    8,
    2,
    5,
    3,
    1,
    [
      [0, 0],
      [1, 2],
      [0, 3],
      [0, 0],
    ],
  ], // explicit padding
  [2, 12, 12, 2, 3, 2, 3, 'same'],
];

function outShape(c: ConvCase, filter: number[], depthwise: boolean): number[] {
  const [n, h, w, ch, , , stride, pad] = c;
  return tf.backend_util.computeConv2DInfo(
    [n, h, w, ch],
    filter as [number, number, number, number],
    stride as [number, number],
    1,
    pad as 'same',
    undefined,
    depthwise,
  ).outShape;
}

describe('sqz wasm kernels match the cpu kernels', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('Conv2DBackpropFilter', async () => {
    for (const [i, c] of CONV_CASES.entries()) {
      const [n, h, w, ch, k, m, stride, pad] = c;
      const filterShape = [k, k, ch, m];
      await assertSameAsCpu(
        'Conv2DBackpropFilter',
        {
          x: randomInput([n, h, w, ch], 10 * i + 1),
          dy: randomInput(outShape(c, filterShape, false), 10 * i + 2),
        },
        { strides: stride, pad, dataFormat: 'NHWC', filterShape },
      );
    }
  });

  it('Conv2DBackpropInput (sqz override of the slower built-in kernel)', async () => {
    for (const [i, c] of CONV_CASES.entries()) {
      const [n, h, w, ch, k, m, stride, pad] = c;
      const filterShape = [k, k, ch, m];
      await assertSameAsCpu(
        'Conv2DBackpropInput',
        {
          dy: randomInput(outShape(c, filterShape, false), 10 * i + 3),
          filter: randomInput(filterShape, 10 * i + 4),
        },
        { strides: stride, pad, dataFormat: 'NHWC', inputShape: [n, h, w, ch] },
      );
    }
  });

  it('DepthwiseConv2dNativeBackpropFilter, multipliers 1 and 2', async () => {
    for (const [i, c] of CONV_CASES.entries()) {
      const [n, h, w, ch, k, , stride, pad] = c;
      for (const mult of [1, 2]) {
        const filterShape = [k, k, ch, mult];
        await assertSameAsCpu(
          'DepthwiseConv2dNativeBackpropFilter',
          {
            x: randomInput([n, h, w, ch], 10 * i + 5),
            dy: randomInput(outShape(c, filterShape, true), 10 * i + 6),
          },
          { strides: stride, pad, dilations: 1, filterShape },
        );
      }
    }
  });

  it('DepthwiseConv2dNativeBackpropInput, multipliers 1 and 2', async () => {
    for (const [i, c] of CONV_CASES.entries()) {
      const [n, h, w, ch, k, , stride, pad] = c;
      for (const mult of [1, 2]) {
        const filterShape = [k, k, ch, mult];
        await assertSameAsCpu(
          'DepthwiseConv2dNativeBackpropInput',
          {
            dy: randomInput(outShape(c, filterShape, true), 10 * i + 7),
            filter: randomInput(filterShape, 10 * i + 8),
          },
          { strides: stride, pad, dilations: 1, inputShape: [n, h, w, ch] },
        );
      }
    }
  });

  it('MaxPoolGrad (sqz override: the built-in one is wrong when a window max is <= 0), with ties and negatives', async () => {
    const cases: Array<[number[], number | [number, number], number | [number, number], 'same' | 'valid']> = [
      [[2, 6, 6, 3], 2, 2, 'valid'],
      [[2, 7, 7, 3], 3, 2, 'same'],
      [[2, 5, 5, 4], 2, 1, 'valid'],
      [[1, 7, 6, 2], [3, 2], [2, 1], 'same'],
      [[3, 9, 9, 2], 3, 3, 'valid'],
      [[2, 5, 7, 3], 2, 2, 'same'], // tiled, padded at the bottom/right
      [[2, 5, 7, 3], 2, 2, 'valid'], // tiled, last row/column never read
      [[2, 6, 6, 2], [2, 3], [2, 3], 'valid'], // tiled, non-square
    ];
    for (const [i, [shape, filterSize, strides, pad]] of cases.entries()) {
      // Rounded to a few levels and half clipped at 0, so windows tie (all-zero ones too) and many are negative.
      const x = randomInput(shape, 100 + i);
      const values = x.values.map((v, j) => (j % 3 === 0 ? Math.max(0, Math.round(v * 2) / 2) : Math.round(v * 2) / 2));
      const input: Input = { ...x, values: Float32Array.from(values) };
      await tf.setBackend('cpu');
      const y = tf.tidy(() =>
        tf.maxPool(tf.tensor4d(input.values, shape as [number, number, number, number]), filterSize, strides, pad),
      );
      const output: Input = { shape: y.shape, values: Float32Array.from(y.dataSync()), dtype: 'float32' };
      y.dispose();
      await assertSameAsCpu(
        'MaxPoolGrad',
        { dy: randomInput(output.shape, 200 + i), input, output },
        { filterSize, strides, pad },
      );
    }
  });

  it('UnsortedSegmentSum, including ids outside [0, numSegments)', async () => {
    const ids = (values: number[], shape: number[]): Input => ({
      shape,
      values: Int32Array.from(values),
      dtype: 'int32',
    });
    await assertSameAsCpu(
      'UnsortedSegmentSum',
      { x: randomInput([6, 3], 1), segmentIds: ids([0, 2, 2, -1, 1, 0], [6]) },
      { numSegments: 4 },
    );
    await assertSameAsCpu(
      'UnsortedSegmentSum',
      { x: randomInput([5, 2, 3], 2), segmentIds: ids([4, 0, 0, 7, 2], [5]) },
      { numSegments: 5 },
    );
    // Ids of rank 2 (a prefix of x's shape): the cpu kernel does not handle those, so the oracle is the cpu
    // kernel on the flattened ids and x, which by definition gives the same sums.
    const x = randomInput([2, 3, 4], 3);
    const want = await runOn(
      'cpu',
      'UnsortedSegmentSum',
      { x: { ...x, shape: [6, 4] }, segmentIds: ids([1, 0, 1, 2, 2, 0], [6]) },
      { numSegments: 3 },
    );
    const got = await runOn(
      'wasm',
      'UnsortedSegmentSum',
      { x, segmentIds: ids([1, 0, 1, 2, 2, 0], [2, 3]) },
      { numSegments: 3 },
    );
    assert.deepEqual(got.shape, [3, 4]);
    assert.deepEqual(got.leaked, { tensors: 0, data: 0 });
    got.values.forEach((v, i) =>
      assert.ok(Math.abs(v - want.values[i]) <= 1e-5, `element ${i}: ${v} vs ${want.values[i]}`),
    );
  });

  it('refuses dilated depthwise gradients with a clear error, and leaks nothing when it throws', async () => {
    assert.equal(await tf.setBackend('wasm'), true);
    const x = tf.zeros([1, 5, 5, 1]);
    const dy = tf.zeros([1, 5, 5, 1]);
    const before = tf.backend().numDataIds();
    assert.throws(
      () =>
        tf
          .engine()
          .runKernel(
            'DepthwiseConv2dNativeBackpropFilter',
            { x, dy },
            { strides: 1, pad: 'same', dilations: 2, filterShape: [3, 3, 1, 1] },
          ),
      /DepthwiseConv2dNativeBackpropFilter: dilations must be 1/,
    );
    assert.equal(tf.backend().numDataIds(), before);
    tf.dispose([x, dy]);
  });

  it('refuses a dy that does not fit the conv geometry, naming the shapes, in all four conv gradients', async () => {
    assert.equal(await tf.setBackend('wasm'), true);
    // x [1, 6, 6, 2] with a 3×3 'valid' stride-1 filter gives dy [1, 4, 4, M]; every dy below is one row short.
    const x = tf.zeros([1, 6, 6, 2]);
    const dy = tf.zeros([1, 3, 4, 2]);
    const filter = tf.zeros([3, 3, 2, 1]);
    const common = { strides: 1, pad: 'valid', dilations: 1 };
    const cases: [string, Record<string, tf.Tensor>, object][] = [
      ['Conv2DBackpropFilter', { x, dy }, { ...common, dataFormat: 'NHWC', filterShape: [3, 3, 2, 2] }],
      [
        'Conv2DBackpropInput',
        { dy, filter: tf.zeros([3, 3, 2, 2]) },
        { ...common, dataFormat: 'NHWC', inputShape: [1, 6, 6, 2] },
      ],
      ['DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...common, filterShape: [3, 3, 2, 1] }],
      ['DepthwiseConv2dNativeBackpropInput', { dy, filter }, { ...common, inputShape: [1, 6, 6, 2] }],
    ];
    const before = tf.backend().numDataIds();
    for (const [kernel, inputs, attrs] of cases) {
      assert.throws(
        () => tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap),
        new RegExp(`sqz kernel ${kernel}: .*dy \\[1,3,4,2\\] disagree \\(expected dy \\[1,4,4,2\\]\\)`),
        kernel,
      );
    }
    assert.equal(tf.backend().numDataIds(), before);
    tf.dispose([x, dy, filter, cases[1][1].filter]);
  });
});
