// Every activation of the table (formats/activations.ts) end to end, by its tfjs-layers identifiers: the table's f64
// formula against tfjs; import and the compiler's forward (differentiable, so `sqz compress` trains through it)
// against model.predict; `sqz convert` to the wasm runtime, both builds, against model.predict within
// 1e-4·max(1, |ref|); sqz/tfjs and sqz inspect on the file. A new activation gets all of this from its table entry.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { exportModel } from '../../../compiler/export/index.js';
import { importLayersModel } from '../../../compiler/import/index.js';
import { forward } from '../../../compiler/ir/forward.js';
import { summarizeSqz } from '../../../compiler/inspect/sqz_summary.js';
import { ACTIVATIONS, applyActivation, type ActivationDescriptor } from '../../../formats/activations.js';
import { SqzModel } from '../../../runtime/index.js';
import { sqzHandler } from '../../../tfjs/index.js';
import { assertClose } from '../../fixtures/compare.js';
import { rng } from '../../fixtures/random.js';
import { randomArray, randomizeWeights } from '../../fixtures/tfjs_models.js';

const TOLERANCE = 1e-4;
const INPUT: [number, number, number] = [6, 5, 3];
const BATCH = 3;

before(async () => {
  tf.env().set('IS_TEST', true);
  assert.equal(await tf.setBackend('cpu'), true);
});

/** Every identifier the table imports, with its descriptor, plus relu6 (relu-clip at 6). */
function identifiers(): { id: string; descriptor: ActivationDescriptor }[] {
  const all = ACTIVATIONS.flatMap((descriptor) => descriptor.keras.map((id) => ({ id, descriptor })));
  return [...all, { id: 'relu6', descriptor: ACTIVATIONS.find((a) => a.name === 'relu-clip')! }];
}

/**
 * The activation three ways: fused into a same-padded conv, alone after a max pool (an activation op of its own), and
 * fused into the dense head.
 */
function modelWith(id: string, seed: number): tfl.LayersModel {
  return randomizeWeights(
    tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: INPUT,
          filters: 4,
          kernelSize: 3,
          padding: 'same',
          activation: id as never,
          name: 'conv',
        }),
        tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
        tfl.layers.activation({ activation: id as never, name: 'act' }),
        tfl.layers.flatten({ name: 'flat' }),
        tfl.layers.dense({ units: 6, activation: id as never, name: 'head' }),
      ],
    }),
    seed,
  );
}

test("every activation's table formula matches tfjs-layers on [-8, 8] and random values", () => {
  const x = Float32Array.from([
    ...Array.from({ length: 161 }, (_, i) => -8 + i * 0.1),
    ...randomArray(56, rng(3), -4, 4),
  ]);
  const rows = 7; // row-wise activations see rows of 7 (the last axis)
  for (const { id, descriptor } of identifiers()) {
    const expected = tf.tidy(
      () =>
        (
          tfl.layers.activation({ activation: id as never }).apply(tf.tensor(x, [x.length / rows, rows])) as tf.Tensor
        ).dataSync() as Float32Array,
    );
    const actual = applyActivation(descriptor.code, x, id === 'relu6' ? 6 : 0, rows);
    assertClose(actual, expected, TOLERANCE, `${id}: formula vs tfjs`);
  }
});

test('every activation converts and runs like tfjs: import, forward and its gradient, the wasm runtime, sqz/tfjs, inspect', async () => {
  for (const [k, { id, descriptor }] of identifiers().entries()) {
    const model = modelWith(id, 20 + k);
    const input = randomArray(BATCH * INPUT.reduce((a, b) => a * b, 1), rng(50 + k), -3, 3);
    const x = tf.tensor(input, [BATCH, ...INPUT]);
    const expected = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
    const graph = importLayersModel(model);
    model.dispose();
    assert.equal(
      graph.ops.filter((op) => op.type === 'activation').length,
      id === 'linear' ? 0 : 1,
      `${id}: the activation after the pool is an op`,
    );

    tf.tidy(() => assertClose(forward(graph, x).dataSync(), expected, 1e-5, `${id}: import + forward vs tfjs`));
    const conv = graph.ops[0]!;
    const kernel = tf.variable(tf.tensor(conv.kernel!.values, conv.kernel!.shape));
    const { value, grads } = tf.variableGrads(
      () =>
        tf.sum(
          tf.square(forward(graph, x, { logits: true, params: (i) => (i === 0 ? { kernel } : undefined) })),
        ) as tf.Scalar,
      [kernel],
    );
    const gradient = grads[kernel.name]!.dataSync();
    assert.ok(gradient.every(Number.isFinite) && gradient.some((g) => g !== 0), `${id}: the forward has a gradient`);
    tf.dispose([value, kernel, ...Object.values(grads)]);

    const bytes = exportModel(graph, { weights: 'f32' });
    for (const simd of [true, false]) {
      const sqz = await SqzModel.load(bytes, { simd });
      assertClose(
        sqz.predict(input, BATCH),
        expected,
        TOLERANCE,
        `${id}: wasm runtime (${simd ? 'simd' : 'scalar'}) vs tfjs`,
      );
      assert.equal(sqz.info.ops[0]!.activation, descriptor.name);
      sqz.dispose();
    }
    const rebuilt = await tfl.loadLayersModel(sqzHandler(bytes));
    tf.tidy(() =>
      assertClose((rebuilt.predict(x) as tf.Tensor).dataSync(), expected, TOLERANCE, `${id}: sqz/tfjs vs tfjs`),
    );
    rebuilt.dispose();
    assert.ok(
      summarizeSqz(bytes).ops.some((op) => op.activation === descriptor.name),
      `${id}: inspect names it`,
    );
    x.dispose();
  }
});
