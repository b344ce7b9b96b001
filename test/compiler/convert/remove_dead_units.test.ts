// removeDeadUnits: forward before and after agree (tfjs cpu), and kernels shrink by exactly the dead units.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { importLayersModel } from '../../../compiler/import/index.js';
import { forward } from '../../../compiler/ir/forward.js';
import type { Graph, IROp } from '../../../compiler/ir/graph.js';
import { countParameters } from '../../../compiler/ir/graph_utils.js';
import { removeDeadUnits } from '../../../compiler/ir/passes/remove_dead_units.js';
import { assertClose } from '../../fixtures/compare.js';
import { buildTestModels, randomArray, randomizeWeights } from '../../fixtures/tfjs_models.js';
import { rng } from '../../fixtures/random.js';

before(async () => {
  tf.env().set('IS_TEST', true);
  assert.equal(await tf.setBackend('cpu'), true);
});

function op(graph: Graph, name: string): IROp {
  const found = graph.ops.find((o) => o.name === name);
  assert.ok(found, `op ${name}`);
  return found;
}

/** Zeros all kernel entries of `opName` whose output unit (last axis) is in `units`: the unit's incoming weights. */
function zeroIncoming(graph: Graph, opName: string, units: number[]): void {
  const k = op(graph, opName).kernel!;
  const m = k.shape[k.shape.length - 1]!;
  k.values.forEach((_, i) => {
    if (units.includes(i % m)) k.values[i] = 0;
  });
}

/** Zeros the rows of consumer `opName` fed by units `units` of a producer with `m` units (outgoing weights). */
function zeroOutgoing(graph: Graph, opName: string, units: number[], m: number): void {
  const o = op(graph, opName);
  const k = o.kernel!;
  const outs = k.shape[k.shape.length - 1]!;
  const rows = o.type === 'dense' ? k.shape[0]! : k.shape[2]!;
  k.values.forEach((_, i) => {
    if (units.includes((Math.floor(i / outs) % rows) % m)) k.values[i] = 0;
  });
}

/** Zeros a random ~30% of every kernel (rarely a whole unit: sizes here make that improbable). */
function sparsify(graph: Graph, seed: number): void {
  const rand = rng(seed);
  for (const o of graph.ops)
    o.kernel?.values.forEach((_, i, a) => {
      if (rand() < 0.3) a[i] = 0;
    });
}

function units(graph: Graph, name: string): number {
  const k = op(graph, name).kernel!;
  return k.shape[k.shape.length - 1]!;
}

function checkSameOutputs(before: Graph, after: Graph, inputShape: number[], what: string): void {
  const x = tf.tensor(randomArray(4 * inputShape.reduce((a, b) => a * b, 1), rng(77), -2, 2), [4, ...inputShape]);
  tf.tidy(() => assertClose(forward(after, x).dataSync(), forward(before, x).dataSync(), 1e-5, what));
  x.dispose();
}

test('dense chain: zero columns fold into the next bias, zero rows drop the unit', () => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [20], units: 16, activation: 'relu', name: 'fc1' }),
      tfl.layers.dense({ units: 12, activation: 'sigmoid', name: 'fc2' }),
      tfl.layers.dense({ units: 8, activation: 'tanh', name: 'fc3' }),
      tfl.layers.dense({ units: 5, name: 'fc4' }),
    ],
  });
  randomizeWeights(model, 21);
  const graph = importLayersModel(model);
  sparsify(graph, 1);
  zeroIncoming(graph, 'fc1', [2, 5]);
  op(graph, 'fc1').bias!.values[2] = 0.7; // relu(0.7) = 0.7 reaches fc2 as a constant
  zeroOutgoing(graph, 'fc2', [7], 16);
  zeroIncoming(graph, 'fc2', [3]); // sigmoid(b) ≠ 0: folds into fc3's bias
  zeroOutgoing(graph, 'fc3', [0, 4], 12);
  const pruned = removeDeadUnits(graph);
  assert.equal(units(pruned, 'fc1'), 13);
  assert.equal(units(pruned, 'fc2'), 9);
  assert.equal(units(pruned, 'fc3'), 8);
  assert.deepEqual(op(pruned, 'fc2').kernel!.shape, [13, 9]);
  assert.deepEqual(op(pruned, 'fc3').kernel!.shape, [9, 8]);
  assert.equal(units(graph, 'fc1'), 16, 'input graph untouched');
  checkSameOutputs(graph, pruned, [20], 'dense chain');
  model.dispose();
});

test('conv chain through max pool, avg pool (same), a standalone activation and flatten into dense', () => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [10, 10, 3],
        filters: 6,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        name: 'c1',
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'p1' }),
      tfl.layers.conv2d({ filters: 5, kernelSize: 2, padding: 'valid', activation: 'relu6', name: 'c2' }),
      tfl.layers.averagePooling2d({ poolSize: 2, padding: 'same', name: 'p2' }),
      tfl.layers.activation({ activation: 'sigmoid', name: 's' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ units: 4, name: 'out' }),
    ],
  });
  randomizeWeights(model, 22);
  const graph = importLayersModel(model);
  sparsify(graph, 2);
  zeroIncoming(graph, 'c1', [1]);
  op(graph, 'c1').bias!.values[1] = 0.4; // constant 0.4 into a valid conv: folds
  zeroOutgoing(graph, 'c2', [4], 6);
  zeroIncoming(graph, 'c2', [0]); // relu6(b) → avg pool → sigmoid → flatten → dense: folds
  zeroOutgoing(graph, 'out', [3], 5);
  const pruned = removeDeadUnits(graph);
  assert.equal(units(pruned, 'c1'), 4);
  assert.equal(units(pruned, 'c2'), 3);
  assert.deepEqual(op(pruned, 'c2').kernel!.shape, [2, 2, 4, 3]);
  assert.deepEqual(op(pruned, 'out').kernel!.shape, [2 * 2 * 3, 4]);
  assert.deepEqual(pruned.values[op(pruned, 'flat').output]!.shape, [12]);
  assert.ok(countParameters(pruned) < countParameters(graph));
  checkSameOutputs(graph, pruned, [10, 10, 3], 'conv chain');
  model.dispose();
});

test('same-padded conv consumer: a nonzero constant unit stays, a zero one goes; global pool into dense', () => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [6, 6, 2],
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        activation: 'tanh',
        name: 'c1',
      }),
      tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', name: 'c2' }),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
      tfl.layers.dense({ units: 2, name: 'out' }),
    ],
  });
  randomizeWeights(model, 23);
  const graph = importLayersModel(model);
  zeroIncoming(graph, 'c1', [1, 2]);
  op(graph, 'c1').bias!.values[1] = 0.5; // tanh(0.5) ≠ 0 at the border of a same conv: must stay
  op(graph, 'c1').bias!.values[2] = 0; // tanh(0) = 0: contributes nothing anywhere
  zeroIncoming(graph, 'c2', [0]);
  const pruned = removeDeadUnits(graph);
  assert.equal(units(pruned, 'c1'), 3);
  assert.equal(units(pruned, 'c2'), 2);
  checkSameOutputs(graph, pruned, [6, 6, 2], 'same conv chain');
  model.dispose();
});

test('units feeding an Add, a depthwise conv or a graph output are left alone; the last unit stays', () => {
  const [, , residual] = buildTestModels(5);
  const graph = importLayersModel(residual!.model);
  zeroIncoming(graph, 'pw', [0, 1]); // feeds the Add
  zeroIncoming(graph, 'stem', [2]); // feeds the depthwise conv and the skip conv
  zeroIncoming(graph, 'head', [1]); // writes the graph output
  const pruned = removeDeadUnits(graph);
  for (const o of graph.ops) assert.deepEqual(op(pruned, o.name).kernel?.shape, o.kernel?.shape, o.name);
  residual!.model.dispose();

  const tiny = tfl.sequential({
    layers: [tfl.layers.dense({ inputShape: [3], units: 2, name: 'a' }), tfl.layers.dense({ units: 2, name: 'b' })],
  });
  const g = importLayersModel(tiny);
  zeroOutgoing(g, 'b', [0, 1], 2);
  const p = removeDeadUnits(g);
  assert.equal(units(p, 'a'), 1);
  checkSameOutputs(g, p, [3], 'all-dead layer keeps one unit');
  tiny.dispose();
});
