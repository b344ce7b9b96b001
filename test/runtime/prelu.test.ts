// OP_PRELU end to end: the wasm kernel (both builds) against a plain TypeScript reference on odd shapes with alpha per
// channel and per element; tfjs-layers PReLU (shared axes or none) and LeakyReLU through import, the compiler's
// forward and its gradient in alpha, `sqz convert` (f32 and q8) to the wasm runtime, sqz/tfjs and inspect, against
// model.predict within 1e-4·max(1, |ref|).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { exportModelDetailed } from '../../compiler/export/index.js';
import { importLayersModel } from '../../compiler/import/index.js';
import { forward, forwardAll } from '../../compiler/ir/forward.js';
import { summarizeSqz } from '../../compiler/inspect/sqz_summary.js';
import { ENC_F32, OP_PRELU, encodeTensorAs, writeSqz } from '../../formats/index.js';
import { SqzModel } from '../../runtime/index.js';
import { sqzHandler } from '../../tfjs/index.js';
import { assertClose as assertWithin } from '../fixtures/compare.js';
import { rng } from '../fixtures/random.js';
import { randomArray, randomizeWeights } from '../fixtures/tfjs_models.js';
import { assertClose, randomFloats, singleOpModel } from './helpers.js';

const TOLERANCE = 1e-4;

before(async () => {
  tf.env().set('IS_TEST', true);
  assert.equal(await tf.setBackend('cpu'), true);
});

/** The reference kernel: out[i] = x[i] < 0 ? alpha[i mod |alpha|] · x[i] : x[i]. */
function preluReference(x: Float32Array, alpha: Float32Array): Float32Array {
  return x.map((v, i) => (v < 0 ? v * alpha[i % alpha.length]! : v));
}

test('prelu in both builds equals the reference: alpha per channel and per element, odd shapes, batch 1 and 3', async () => {
  const random = rng(17);
  for (const shape of [[7], [4, 5, 3], [3, 6], [2, 3, 2, 5]]) {
    const size = shape.reduce((a, b) => a * b, 1);
    for (const alphaLength of [shape[shape.length - 1]!, size]) {
      const alpha = randomFloats(random, alphaLength, 0.8);
      const bytes = writeSqz(
        singleOpModel(shape, shape, { type: OP_PRELU, bias: 1 }, [encodeTensorAs(alpha, [alphaLength], ENC_F32)]),
      );
      for (const batch of [1, 3]) {
        const x = randomFloats(random, size * batch, 2);
        for (const simd of [true, false]) {
          const model = await SqzModel.load(bytes, { simd });
          assertClose(
            model.predict(x, batch),
            preluReference(x, alpha),
            `[${shape}], alpha [${alphaLength}], batch ${batch}, ${simd ? 'simd' : 'scalar'}`,
          );
          model.dispose();
        }
      }
    }
  }
});

test('a prelu whose alpha fits neither axis is refused by both readers', async () => {
  const model = singleOpModel([4, 3], [4, 3], { type: OP_PRELU, bias: 1 }, [
    encodeTensorAs(new Float32Array(4), [4], ENC_F32),
  ]);
  assert.throws(() => writeSqz(model), /alpha shape \[4\] should be \[3\] \(per channel\) or \[12\] \(per element\)/);
});

/** conv → PReLU (per channel, shared spatial axes) → PReLU (per element) → flatten → dense → LeakyReLU. */
function preluModel(seed: number): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [6, 5, 2], filters: 3, kernelSize: 3, padding: 'same', name: 'conv' }),
      tfl.layers.prelu({ sharedAxes: [1, 2], name: 'prelu_channel' }),
      tfl.layers.prelu({ name: 'prelu_element' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ units: 7, name: 'fc' }),
      tfl.layers.leakyReLU({ alpha: 0.15, name: 'leaky' }),
    ],
  });
  randomizeWeights(model, seed); // alphas are rank > 1 weights: uniform, signs included
  return model;
}

test('PReLU and LeakyReLU import, train, convert and run like tfjs (wasm runtime, sqz/tfjs, inspect)', async () => {
  const model = preluModel(3);
  const input = randomArray(4 * 60, rng(8), -2, 2);
  const x = tf.tensor(input, [4, 6, 5, 2]);
  const expected = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
  const graph = importLayersModel(model);
  model.dispose();
  assert.deepEqual(
    graph.ops.filter((op) => op.type === 'prelu').map((op) => op.bias!.shape),
    [[3], [90], [7]],
  );
  tf.tidy(() => assertWithin(forward(graph, x).dataSync(), expected, 1e-5, 'import + forward vs tfjs'));

  // The forward pass is differentiable in alpha: compress trains it like a bias.
  const i = graph.ops.findIndex((op) => op.type === 'prelu');
  const alpha = tf.variable(tf.tensor(graph.ops[i]!.bias!.values, graph.ops[i]!.bias!.shape));
  const { value, grads } = tf.variableGrads(
    () => tf.sum(forward(graph, x, { params: (j) => (j === i ? { bias: alpha } : undefined) })) as tf.Scalar,
    [alpha],
  );
  const gradient = grads[alpha.name]!.dataSync();
  assert.ok(gradient.every(Number.isFinite) && gradient.some((g) => g !== 0), 'a gradient in alpha');
  tf.dispose([value, alpha, ...Object.values(grads)]);

  for (const weights of ['f32', 'q8'] as const) {
    // q8 rounds the weights: its reference is tfjs running the stored weights (the IR forward, checked above).
    const { bytes, graph: stored } = exportModelDetailed(graph, { weights });
    const reference =
      weights === 'f32' ? expected : tf.tidy(() => forwardAll(stored, x)[0]!.dataSync() as Float32Array);
    for (const simd of [true, false]) {
      const sqz = await SqzModel.load(bytes, { simd });
      assertWithin(
        sqz.predict(input, 4),
        reference,
        TOLERANCE,
        `${weights} wasm (${simd ? 'simd' : 'scalar'}) vs tfjs`,
      );
      assert.deepEqual(sqz.info.ops.map((op) => op.type).filter((t) => t === 'prelu').length, 3);
      sqz.dispose();
    }
    const rebuilt = await tfl.loadLayersModel(sqzHandler(bytes));
    assert.equal(rebuilt.layers.filter((layer) => layer.getClassName() === 'PReLU').length, 3);
    const sqz = await SqzModel.load(bytes);
    tf.tidy(() =>
      assertWithin(
        (rebuilt.predict(x) as tf.Tensor).dataSync(),
        sqz.predict(input, 4),
        TOLERANCE,
        `${weights} sqz/tfjs vs wasm`,
      ),
    );
    sqz.dispose();
    rebuilt.dispose();
    const summary = summarizeSqz(bytes);
    assert.deepEqual(
      summary.ops.filter((op) => op.type === 'prelu').map((op) => op.tensors.map((t) => t.shape)),
      [[[3]], [[90]], [[7]]],
    );
  }
  x.dispose();
});
