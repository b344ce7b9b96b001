// The layout search's unit floors (joint_projection.ts): a floor on a removable layer's open units is a move of the
// coordinate search, kept only when the candidate scores better, and the projections after it respect it. The
// scorer here is a stand-in for the probe loss with a known preference (more or fewer open hidden units), so the
// test can say which way the search must go; the knapsack, the cost model and the export are the real ones.
// The bundled digit MLP (784-64-10): its hidden layer's 64 units are removable, the output layer's are not. The
// output layer starts in the dense regime, where an open hidden unit's row of output weights is kept with it (a
// unit nothing reads is dead and the alignment rounds remove it, so a floor pays only where its consumer keeps the
// slice).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  initialCosts,
  openableUnits,
  projectJoint,
  type ProjectionSetup,
  type Regime,
} from '../../../compiler/compress/joint_projection.js';
import { compressibleLayers } from '../../../compiler/compress/layers.js';
import { importModel } from '../../../compiler/import/index.js';
import { MLP_MODEL } from '../../cli/helpers.js';

const graph = await importModel(MLP_MODEL);
const layers = compressibleLayers(graph);
const biases = new Map(graph.ops.flatMap((op, i): [number, Float32Array][] => (op.bias ? [[i, op.bias.values]] : [])));
const kernels = layers.map((l) => graph.ops[l.opIndex]!.kernel!.values);
const BUDGET = 600;

/** Hidden units with a kept weight in `values` (layer 0's kernel: unit j % 64). */
function openHidden(values: readonly Float32Array[]): number {
  const open = new Set<number>();
  values[0]!.forEach((v, j) => v !== 0 && open.add(j % 64));
  return open.size;
}

/** The projection a run starts from (three rounds, bits kept), then one search with `score`. */
function searched(score: (values: readonly Float32Array[]) => number, widthMoves?: boolean) {
  const setup: ProjectionSetup = { graph, layers };
  const start = projectJoint(setup, kernels, biases, initialCosts(setup, biases, BUDGET), BUDGET, { rounds: 3 });
  const costs = { ...start.costs, regimes: ['rice', 'dense'] as Regime[] };
  const found = projectJoint({ ...setup, score }, kernels, biases, costs, BUDGET, {
    rounds: 1,
    searchBits: true,
    widthMoves,
  });
  return { start, found, setup };
}

test('only removable layers have floors to move', () => {
  assert.deepEqual(openableUnits({ graph, layers }), [64, 0]);
});

test('a scorer that wants more open units gets them through a floor, and the next projections keep it', () => {
  const { start, found, setup } = searched((values) => -openHidden(values));
  const before = openHidden(start.values);
  assert.ok(before < 60, `the budget leaves ${before} hidden units open; the test needs a starved layer`);
  assert.deepEqual(found.costs.floors, [Math.min(64, 2 * before), 0], 'the floor doubles the open units');
  const after = openHidden(found.values);
  assert.ok(after > before, `${after} hidden units open with the floor, ${before} without`);
  assert.ok(found.bytes <= BUDGET * 1.1, `${found.bytes} bytes for a ${BUDGET}-byte budget`);
  // A projection without a search (the frequent ones in ADMM) keeps the floor the search set.
  const next = projectJoint(setup, kernels, biases, found.costs, BUDGET, { rounds: 1 });
  assert.deepEqual(next.costs.floors, found.costs.floors);
  assert.ok(openHidden(next.values) > before);
});

test('a scorer that wants fewer open units leaves the floors at 0 and the units where the knapsack put them', () => {
  const { start, found } = searched((values) => openHidden(values));
  assert.deepEqual(found.costs.floors, [0, 0]);
  assert.ok(openHidden(found.values) <= openHidden(start.values));
});

test("without width moves (ADMM's first search, of the pretrained weights) the same scorer sets no floor", () => {
  const wants = (values: readonly Float32Array[]) => -openHidden(values);
  const without = searched(wants, false).found;
  const withFloors = searched(wants, true).found;
  assert.deepEqual(without.costs.floors, [0, 0]);
  assert.ok(withFloors.costs.floors![0]! > 0);
  assert.ok(openHidden(without.values) < openHidden(withFloors.values));
});
