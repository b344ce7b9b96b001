// Nested models (a Sequential or functional model used as a layer) flattened at import: a Teachable-Machine-shaped
// model saved to model.json and read back, a functional model with a Sequential in the middle holding another
// model, each end to end (import and forward against model.predict, the forward's gradient, export f32 / q8 to the
// wasm runtime in both builds and exec modes, sqz/tfjs, inspect; within 1e-4·max(1, |ref|) of tfjs). A nested model
// applied twice is refused naming it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { readModelArtifacts } from '../../../compiler/import/model_files.js';
import { UnsupportedModelError, importLayersModel, importModel } from '../../../compiler/import/index.js';
import { checkEndToEnd } from '../../fixtures/layers_e2e.js';
import { teachableMachineModel } from '../../fixtures/nested_models.js';
import { randomizeWeights, saveLayersModel } from '../../fixtures/tfjs_models.js';

let dir: string;
before(async () => {
  tf.env().set('IS_TEST', true);
  assert.equal(await tf.setBackend('cpu'), true);
  dir = await mkdtemp(path.join(tmpdir(), 'sqz-nested-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

type Sym = tfl.SymbolicTensor;

test('a Teachable-Machine-shaped model (Sequential of a functional MobileNet and a Sequential head) saved and loaded flattens and runs like tfjs', async () => {
  const file = await saveLayersModel(teachableMachineModel([24, 24, 3], 3, 31), path.join(dir, 'tm'));
  const topology = (await readModelArtifacts(file)).modelTopology as { config: { layers: { class_name: string }[] } };
  assert.deepEqual(
    topology.config.layers.map((l) => l.class_name),
    ['Model', 'Sequential'],
    'the file nests two models',
  );
  const graph = await importModel(file);
  const model = await tfl.loadLayersModel({ load: async () => readModelArtifacts(file) });
  const checked = await checkEndToEnd({
    name: 'teachable machine',
    model,
    inputShape: [24, 24, 3],
    range: 1,
    ops: { zeroPad2d: 3, conv2d: 4, depthwiseConv2d: 3, globalAvgPool2d: 1, dense: 2 },
    rebuilt: { ZeroPadding2D: 3, Dense: 2 },
  });
  assert.deepEqual(
    checked.ops.map((op) => op.name),
    graph.ops.map((op) => op.name),
    'the same graph from the file and from the loaded model',
  );
  // The base is the Sequential's first layer, so tfjs inlines it; the head's layers are named through it.
  assert.deepEqual(
    graph.ops.filter((op) => op.type === 'dense').map((op) => [op.name, op.activation]),
    [
      ['sequential_3/dense_Dense1', 'relu'],
      ['sequential_3/dense_Dense2', 'softmax'],
    ],
  );
  assert.ok(
    graph.ops.every((op) => op.type !== 'activation'),
    'BN folded and ReLU6 fused everywhere',
  );
  model.dispose();
});

/**
 * image → conv → [nested Sequential: conv → [nested functional: conv, add] → pool] → dense; all nested mid-graph. The
 * three convs are all named 'conv' (allowed across models; tfjs cannot save such a model, whose weight names clash)
 * unless `suffixes`.
 */
function deeplyNested(seed: number, suffixes = false): tfl.LayersModel {
  const conv = (k: string) => (suffixes ? `conv_${k}` : 'conv');
  const innerInput = tfl.input({ shape: [6, 6, 4], name: 'inner_in' });
  const innerConv = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: conv('inner') })
    .apply(innerInput) as Sym;
  const innerSum = tfl.layers.add({ name: 'sum' }).apply([innerConv, innerInput]) as Sym;
  const inner = tfl.model({ inputs: innerInput, outputs: innerSum, name: 'residual_block' });
  const middle = tfl.sequential({
    name: 'stage',
    layers: [
      tfl.layers.conv2d({
        inputShape: [6, 6, 3],
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        name: conv('stage'),
      }),
      inner,
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
    ],
  });
  const input = tfl.input({ shape: [6, 6, 2], name: 'image' });
  const stem = tfl.layers.conv2d({ filters: 3, kernelSize: 1, name: conv('stem') }).apply(input) as Sym;
  const staged = middle.apply(stem) as Sym;
  const flat = tfl.layers.flatten({ name: 'flat' }).apply(staged) as Sym;
  const out = tfl.layers.dense({ units: 5, name: 'head' }).apply(flat) as Sym;
  const model = tfl.model({ inputs: input, outputs: out, name: 'outer' });
  return randomizeWeights(model, seed);
}

test('models nested two deep in the middle of a functional graph flatten with their names prefixed and run like tfjs', async () => {
  const model = deeplyNested(32);
  const graph = await checkEndToEnd({
    name: 'nested',
    model,
    inputShape: [6, 6, 2],
    ops: { conv2d: 3, add: 1, maxPool2d: 1, dense: 1 },
  });
  // Three layers named 'conv', told apart by the models they are reached through.
  assert.deepEqual(
    graph.ops.filter((op) => op.kernel).map((op) => op.name),
    ['conv', 'stage/conv', 'stage/residual_block/conv', 'head'],
  );
  model.dispose();
  // Saved and read back through model.json (with weight names tfjs can save), the same graph.
  const named = deeplyNested(32, true);
  const file = await saveLayersModel(named, path.join(dir, 'deep'));
  assert.deepEqual(
    (await importModel(file)).ops.filter((op) => op.kernel).map((op) => op.name),
    ['conv_stem', 'stage/conv_stage', 'stage/residual_block/conv_inner', 'head'],
  );
  named.dispose();
});

test('a nested model applied twice is refused naming it (a shared layer)', () => {
  const block = tfl.sequential({
    name: 'block',
    layers: [tfl.layers.dense({ inputShape: [4], units: 4, name: 'fc' })],
  });
  const input = tfl.input({ shape: [4] });
  const twice = block.apply(block.apply(input) as Sym) as Sym;
  const model = tfl.model({ inputs: input, outputs: twice });
  assert.throws(
    () => importLayersModel(model),
    (e: unknown) =>
      e instanceof UnsupportedModelError && /layer 'block' \(Sequential\) is applied more than once/.test(e.message),
  );
  model.dispose();
});
