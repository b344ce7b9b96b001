// OP_TRANSPOSE, OP_RESCALE and OP_THRESHOLDED_RELU end to end: the wasm kernels (both builds) against the plain
// TypeScript reference kernels on odd shapes of every rank, batch 1 and 3; tfjs-layers Permute, Rescaling,
// ThresholdedReLU and ELU through import, the compiler's forward and its gradient (which leaves the rescale and
// threshold constants alone), export (f32, q8) to the wasm runtime, sqz/tfjs and inspect within 1e-4·max(1, |ref|)
// of tfjs.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { forward } from '../../compiler/ir/forward.js';
import {
  ACT_SIGMOID,
  ENC_F32,
  OP_RESCALE,
  OP_THRESHOLDED_RELU,
  OP_TRANSPOSE,
  encodeTensorAs,
  writeSqz,
} from '../../formats/index.js';
import { checkEndToEnd } from '../fixtures/layers_e2e.js';
import { rng } from '../fixtures/random.js';
import { randomizeWeights } from '../fixtures/tfjs_models.js';
import { checkAgainstReference, randomFloats, singleOpModel } from './helpers.js';

before(async () => {
  tf.env().set('IS_TEST', true);
  assert.equal(await tf.setBackend('cpu'), true);
});

test('transpose in both builds equals the reference: ranks 1 to 6, inner axis kept and moved', async () => {
  const cases: [number[], number[]][] = [
    [[7], [0]],
    [
      [3, 5],
      [1, 0],
    ],
    [
      [4, 3, 5],
      [2, 0, 1],
    ],
    [
      [4, 3, 5],
      [1, 0, 2],
    ],
    [
      [2, 3, 4, 5],
      [3, 1, 0, 2],
    ],
    [
      [2, 1, 3, 2, 3],
      [4, 2, 0, 3, 1],
    ],
    [
      [2, 2, 1, 3, 2, 2],
      [5, 4, 3, 2, 1, 0],
    ],
  ];
  for (const [shape, perm] of cases) {
    await checkAgainstReference(
      singleOpModel(
        shape,
        perm.map((p) => shape[p]!),
        { type: OP_TRANSPOSE, params: perm },
      ),
      `transpose [${shape}] by [${perm}]`,
      2,
    );
  }
});

test('rescale and thresholded relu in both builds equal the reference, with a fused activation', async () => {
  for (const shape of [[7], [3, 5, 3], [2, 9]]) {
    const rescale = singleOpModel(shape, shape, { type: OP_RESCALE, bias: 1, activation: ACT_SIGMOID }, [
      encodeTensorAs(Float32Array.of(1 / 255, -0.75), [2], ENC_F32),
    ]);
    await checkAgainstReference(rescale, `rescale [${shape}]`, 2);
    for (const theta of [0.3, -0.5, 0]) {
      const thresholded = singleOpModel(shape, shape, { type: OP_THRESHOLDED_RELU, bias: 1 }, [
        encodeTensorAs(Float32Array.of(theta), [1], ENC_F32),
      ]);
      await checkAgainstReference(thresholded, `thresholded relu [${shape}] theta ${theta}`, 2);
    }
  }
});

test('bad params and constants are refused by the writer: not a permutation, a constant of the wrong length', () => {
  assert.throws(
    () => writeSqz(singleOpModel([3, 4], [4, 4], { type: OP_TRANSPOSE, params: [1, 1] })),
    /should be a permutation of the 2 axes/,
  );
  assert.throws(
    () =>
      writeSqz(
        singleOpModel([3, 4], [3, 4], { type: OP_RESCALE, bias: 1 }, [
          encodeTensorAs(Float32Array.of(1), [1], ENC_F32),
        ]),
      ),
    /should be \[2\] \(scale, offset\)/,
  );
  assert.throws(
    () => writeSqz(singleOpModel([3, 4], [3, 4], { type: OP_THRESHOLDED_RELU }, [])),
    /has no bias tensor \(its \[theta\]\)/,
  );
});

/** Rescaling → conv → ThresholdedReLU → Permute (H, W swapped) → conv → ELU → Permute of [T, C] → dense head. */
function unaryNet(seed: number): tfl.LayersModel {
  return randomizeWeights(
    tfl.sequential({
      layers: [
        tfl.layers.rescaling({ inputShape: [5, 4, 3], scale: 1 / 127.5, offset: -1, name: 'scale' }),
        tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv1' }),
        tfl.layers.thresholdedReLU({ theta: 0.2, name: 'threshold' }),
        tfl.layers.permute({ dims: [2, 1, 3], name: 'swap_hw' }),
        tfl.layers.conv2d({ filters: 3, kernelSize: 2, name: 'conv2' }),
        tfl.layers.elu({ name: 'elu' }),
        tfl.layers.reshape({ targetShape: [12, 3], name: 'seq' }),
        tfl.layers.permute({ dims: [2, 1], name: 'swap_tc' }),
        tfl.layers.flatten({ name: 'flat' }),
        tfl.layers.dense({ units: 5, name: 'fc' }),
      ],
    }),
    seed,
  );
}

test('Permute, Rescaling, ThresholdedReLU and ELU import, train, convert and run like tfjs (wasm runtime, sqz/tfjs, inspect)', async () => {
  const model = unaryNet(6);
  const graph = await checkEndToEnd({
    name: 'unary ops',
    model,
    inputShape: [5, 4, 3],
    range: 255,
    ops: { transpose: 2, rescale: 1, thresholdedRelu: 1 },
    rebuilt: { Permute: 2, Rescaling: 1, ThresholdedReLU: 1 },
  });
  assert.deepEqual(
    graph.ops.filter((op) => op.type === 'transpose').map((op) => op.params),
    [
      [1, 0, 2],
      [1, 0],
    ],
  );
  assert.equal(graph.ops.find((op) => op.name === 'conv2')!.activation, 'elu', 'the ELU layer fuses into the conv');
  assert.deepEqual([...graph.ops.find((op) => op.type === 'rescale')!.bias!.values], [Math.fround(1 / 127.5), -1]);

  // The gradient in the constants is 0, in the input it is the layer's.
  const x = tf.tensor(randomFloats(rng(2), 2 * 60, 100), [2, 5, 4, 3]);
  for (const type of ['rescale', 'thresholdedRelu']) {
    const i = graph.ops.findIndex((op) => op.type === type);
    const p = tf.variable(tf.tensor(graph.ops[i]!.bias!.values, graph.ops[i]!.bias!.shape));
    const { value, grads } = tf.variableGrads(
      () => tf.sum(forward(graph, x, { params: (j) => (j === i ? { bias: p } : undefined) })) as tf.Scalar,
      [p],
    );
    assert.ok(
      grads[p.name]!.dataSync().every((g) => g === 0),
      `${type}: no gradient in its constants`,
    );
    tf.dispose([value, p, ...Object.values(grads)]);
  }
  const dx = tf.grad((input: tf.Tensor) => tf.sum(forward(graph, input)))(x);
  assert.ok(
    dx.dataSync().some((g) => g !== 0),
    'a gradient in the input through rescale and threshold',
  );
  tf.dispose([x, dx]);
  model.dispose();
});
