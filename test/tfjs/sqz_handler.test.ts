// sqz/tfjs: tf.loadLayersModel(sqzHandler(...)) must give a LayersModel whose predictions equal the sqz runtime's
// (SqzModel.predict) within 1e-4·max(1, |ref|), for converted and for pruned + quantized files, on real MNIST digits
// where the model takes 28×28×1 (or 784) and on seeded random inputs for the fixture models of other shapes.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { exportModel } from '../../compiler/export/index.js';
import { importLayersModel, importModel } from '../../compiler/import/index.js';
import { SqzFormatError, SqzModel } from '../../runtime/index.js';
import { sqzHandler } from '../../tfjs/index.js';
import { assertClose } from '../fixtures/compare.js';
import { rng } from '../fixtures/random.js';
import { buildTestModels, randomArray, randomizeWeights } from '../fixtures/tfjs_models.js';
import { buildHostModels, loadDigits, pruneKernels, REPO_ROOT, type Digits } from '../hosts/host_models.js';

const DIGITS = 20;
const TOLERANCE = 1e-4;

interface Case {
  name: string;
  bytes: Uint8Array;
  /** batch × per-sample floats. */
  input: Float32Array;
  batch: number;
}

let digits: Digits;
let dir = '';
const cases: Case[] = [];
const layerClasses = new Set<string>();

/**
 * 28×28×1 residual net: conv → depthwise (multiplier 2, stride 2) → 1×1 conv, added to a strided 1×1 skip; relu
 * after the add; max and average pools; global average and max pools added; dense softmax head.
 */
function digitResidual(seed: number): tfl.LayersModel {
  const input = tfl.input({ shape: [28, 28, 1] });
  const stem = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' })
    .apply(input) as tfl.SymbolicTensor;
  let y = tfl.layers
    .depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'relu' })
    .apply(stem) as tfl.SymbolicTensor;
  y = tfl.layers.conv2d({ filters: 6, kernelSize: 1 }).apply(y) as tfl.SymbolicTensor;
  const skip = tfl.layers.conv2d({ filters: 6, kernelSize: 1, strides: 2 }).apply(stem) as tfl.SymbolicTensor;
  let z = tfl.layers.add().apply([y, skip]) as tfl.SymbolicTensor;
  z = tfl.layers.reLU().apply(z) as tfl.SymbolicTensor;
  const max = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(z) as tfl.SymbolicTensor;
  const avg = tfl.layers
    .averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' })
    .apply(max) as tfl.SymbolicTensor;
  const gap = tfl.layers.globalAveragePooling2d({}).apply(avg) as tfl.SymbolicTensor;
  const gmp = tfl.layers.globalMaxPooling2d({}).apply(max) as tfl.SymbolicTensor;
  const both = tfl.layers.add().apply([gap, gmp]) as tfl.SymbolicTensor;
  const probs = tfl.layers.dense({ units: 10, activation: 'softmax' }).apply(both) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: probs });
  return randomizeWeights(model, seed);
}

/** The .sqz of `model` as converted (f32) and as 30 %-kept magnitude pruning + q8 (sparse codebook tensors). */
function convertedAndCompressed(name: string, model: tfl.LayersModel): { name: string; bytes: Uint8Array }[] {
  const graph = importLayersModel(model);
  const exact = exportModel(graph, { weights: 'f32' });
  pruneKernels(graph, 0.3);
  return [
    { name: `${name} f32`, bytes: exact },
    { name: `${name} pruned q8`, bytes: exportModel(graph, { weights: 'q8' }) },
  ];
}

before(async () => {
  assert.equal(await tf.setBackend('cpu'), true);
  digits = await loadDigits(DIGITS);
  const onDigits = (name: string, bytes: Uint8Array): Case => ({ name, bytes, input: digits.images, batch: DIGITS });
  const mnistMlp = await importModel(join(REPO_ROOT, 'examples/models/mnist-mlp/model.json'));
  cases.push(onDigits('mnist-mlp f32', exportModel(mnistMlp, { weights: 'f32' })));
  for (const host of await buildHostModels()) cases.push(onDigits(host.name, host.bytes)); // pruned q8 MLP, q8 CNN, pruned q8 edge-layer CNN
  const residual = digitResidual(5);
  for (const file of convertedAndCompressed('digit-residual', residual)) cases.push(onDigits(file.name, file.bytes));
  residual.dispose();
  // Fixture models of other input shapes (unfoldable BatchNorm, relu6 / ReLU(maxValue), reshapes, sigmoid after a
  // pool): seeded random inputs.
  for (const [k, fixture] of buildTestModels(40).entries()) {
    const perSample = fixture.inputShape.reduce((a, b) => a * b, 1);
    for (const file of convertedAndCompressed(fixture.name, fixture.model)) {
      cases.push({ ...file, input: randomArray(4 * perSample, rng(100 + k)), batch: 4 });
    }
    fixture.model.dispose();
  }
  dir = mkdtempSync(join(tmpdir(), 'sqz-tfjs-'));
});

after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test('the LayersModel from sqzHandler predicts what SqzModel predicts (converted and pruned + q8 files)', async () => {
  assert.ok(cases.length >= 13, `only ${cases.length} cases`);
  for (const c of cases) {
    const sqz = await SqzModel.load(c.bytes);
    const expected = sqz.predict(c.input, c.batch);
    const inputShape = sqz.info.inputs[0]!.shape;
    sqz.dispose();
    const model = await tfl.loadLayersModel(sqzHandler(c.bytes));
    model.layers.forEach((layer) => layerClasses.add(layer.getClassName()));
    const x = tf.tensor(c.input, [c.batch, ...inputShape]);
    const y = model.predict(x) as tf.Tensor;
    const actual = y.dataSync() as Float32Array;
    tf.dispose([x, y]);
    model.dispose();
    assert.ok(
      expected.some((v) => v !== 0),
      `${c.name}: the reference output is all zeros`,
    );
    assertClose(actual, expected, TOLERANCE, `${c.name}: tfjs vs sqz runtime`);
  }
  // Every op the .sqz graph has (and the layers that stand in for fused pieces) was exercised.
  for (const name of [
    'InputLayer',
    'Dense',
    'Conv2D',
    'DepthwiseConv2D',
    'MaxPooling2D',
    'AveragePooling2D',
    'GlobalAveragePooling2D',
    'GlobalMaxPooling2D',
    'Add',
    'Flatten',
    'Reshape',
    'ReLU',
    'Activation',
  ]) {
    assert.ok(layerClasses.has(name), `no test model produced a ${name} layer (got ${[...layerClasses].join(', ')})`);
  }
});

test('the pruned q8 MNIST MLP through tfjs classifies real digits like the sqz runtime, and mostly right', async () => {
  const c = cases.find((k) => k.name === 'mlp-sparse-q8')!;
  const sqz = await SqzModel.load(c.bytes);
  const expected = sqz.predict(digits.images, DIGITS);
  const inputShape = sqz.info.inputs[0]!.shape;
  sqz.dispose();
  const model = await tfl.loadLayersModel(sqzHandler(c.bytes));
  const classes = Array.from(
    tf
      .tidy(() => tf.argMax(model.predict(tf.tensor(digits.images, [DIGITS, ...inputShape])) as tf.Tensor, -1))
      .dataSync(),
  );
  model.dispose();
  const sqzClasses = Array.from({ length: DIGITS }, (_, s) => {
    const row = expected.subarray(s * 10, s * 10 + 10);
    return row.indexOf(Math.max(...row));
  });
  assert.deepEqual(classes, sqzClasses);
  const correct = classes.filter((k, s) => k === digits.labels[s]).length;
  assert.ok(correct >= 15, `only ${correct}/${DIGITS} digits right`);
});

test('sqzHandler reads a path, a file: URL and an ArrayBuffer alike, and reports bad sources', async () => {
  const c = cases.find((k) => k.name === 'digit-residual pruned q8')!;
  const path = join(dir, 'model.sqz');
  writeFileSync(path, c.bytes);
  const input = tf.tensor(digits.images.subarray(0, 784), [1, 28, 28, 1]);
  const outputs: Float32Array[] = [];
  const buffer = c.bytes.slice().buffer;
  for (const source of [path, pathToFileURL(path), buffer]) {
    const model = await tfl.loadLayersModel(sqzHandler(source));
    outputs.push(tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync() as Float32Array));
    model.dispose();
  }
  input.dispose();
  assert.deepEqual(outputs[1], outputs[0]);
  assert.deepEqual(outputs[2], outputs[0]);

  const corrupt = c.bytes.slice();
  corrupt[corrupt.length - 2] ^= 0x10;
  await assert.rejects(
    tfl.loadLayersModel(sqzHandler(corrupt)),
    (error: unknown) => error instanceof SqzFormatError && /checksum|corrupt/.test(error.message),
  );
  await assert.rejects(
    tfl.loadLayersModel(sqzHandler(join(dir, 'missing.sqz'))),
    /sqzHandler: cannot read the model from .*missing\.sqz/,
  );
});
