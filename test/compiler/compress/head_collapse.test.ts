// Removing the classifier's hidden dense layer (ir/passes/collapse_dense.ts, compress/collapse_fit.ts,
// compress/head_collapse.ts). The references are independent: tfjs's forward pass of the model as given, a direct
// product for the linear solve, and the wasm runtime for the written file.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { compress } from '../../../compiler/index.js';
import { initialCosts, projectJoint, type ProjectionSetup } from '../../../compiler/compress/joint_projection.js';
import { compressibleLayers } from '../../../compiler/compress/layers.js';
import { fitCollapsedPair, solveSpd } from '../../../compiler/compress/collapse_fit.js';
import { loadDataset, subset } from '../../../compiler/data/index.js';
import { selectBackend } from '../../../compiler/engine/backend.js';
import { cloneGraph } from '../../../compiler/ir/graph_utils.js';
import { forward } from '../../../compiler/ir/forward.js';
import { collapseDensePair, lastDensePair } from '../../../compiler/ir/passes/collapse_dense.js';
import { importModel } from '../../../compiler/import/index.js';
import { MLP_MODEL } from '../../cli/helpers.js';
import { rng } from '../../fixtures/random.js';
import { randomizeWeights, saveLayersModel } from '../../fixtures/tfjs_models.js';
import * as tfl from '@tensorflow/tfjs-layers';

await selectBackend('wasm');
const mnist = await loadDataset('mnist');
const digits = subset(mnist.train, 2000);

test('solveSpd: Cholesky solve against a product computed directly', () => {
  const rand = rng(3);
  const d = 7;
  const m = 3;
  // G = AᵀA + I is symmetric positive definite; R = G·X for a known X.
  const a = Array.from({ length: d * d }, () => rand() * 2 - 1);
  const gram = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < d; k++) s += a[k * d + i]! * a[k * d + j]!;
      gram[i * d + j] = s;
    }
  const x = Float64Array.from({ length: d * m }, () => rand() * 4 - 2);
  const rhs = new Float64Array(d * m);
  for (let i = 0; i < d; i++)
    for (let c = 0; c < m; c++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += gram[i * d + k]! * x[k * m + c]!;
      rhs[i * m + c] = s;
    }
  const solved = solveSpd(gram.slice(), rhs, d, m);
  solved.forEach((v, i) => assert.ok(Math.abs(v - x[i]!) < 1e-9, `entry ${i}: ${v} against ${x[i]}`));
  assert.throws(
    () => solveSpd(new Float64Array([1, 2, 2, 1]), new Float64Array([1, 1]), 2, 1),
    /not positive definite/,
  );
});

test('a linear hidden layer collapses to a dense layer with the same outputs as tfjs gives the pair', async () => {
  const given = await importModel(MLP_MODEL);
  const pair = lastDensePair(given);
  assert.ok(pair, 'the digit MLP has a dense → dense pair');
  assert.deepEqual([given.ops[pair.hidden]!.name, given.ops[pair.next]!.name], ['fc1', 'fc2'], 'the pair is fc1 → fc2');
  // With a linear hidden activation the pair is one linear map, which the least-squares fit must recover.
  const linear = cloneGraph(given);
  linear.ops[pair.hidden]!.activation = 'linear';
  const fit = fitCollapsedPair(linear, pair, digits, mnist.shape);
  const collapsed = collapseDensePair(linear, pair, fit.kernel, fit.bias);
  assert.equal(collapsed.ops.length, given.ops.length - 1);
  assert.equal(lastDensePair(collapsed), undefined, 'one dense layer is left');
  assert.deepEqual(collapsed.ops.find((op) => op.type === 'dense')!.kernel!.shape, [784, 10]);

  const test = subset(digits, 300);
  const [want, got] = tf.tidy(() => {
    const x = tf.tensor(test.images, [test.count, ...mnist.shape]);
    return [forward(linear, x, { logits: true }).dataSync(), forward(collapsed, x, { logits: true }).dataSync()];
  });
  const scale = Math.max(...Array.from(want!, Math.abs));
  let worst = 0;
  want!.forEach((w, i) => (worst = Math.max(worst, Math.abs(w - got![i]!))));
  // On the samples it was fitted to; the ridge (1e-3 of the mean feature energy) keeps it a little short of exact.
  assert.ok(worst < 0.01 * scale, `largest logit difference ${worst} against logits up to ${scale}`);
});

test('a pair whose hidden output is also read elsewhere, or is a graph output, is not collapsible', async () => {
  const given = await importModel(MLP_MODEL);
  const pair = lastDensePair(given)!;
  const exposed = cloneGraph(given);
  exposed.outputs = [...exposed.outputs, exposed.ops[pair.hidden]!.output];
  assert.equal(lastDensePair(exposed), undefined);
  assert.throws(
    () => collapseDensePair(given, pair, { shape: [784, 9], values: new Float32Array(784 * 9) }, fit10Bias()),
    /do not fit 784 → 10/,
  );
});

function fit10Bias() {
  return { shape: [10], values: new Float32Array(10) };
}

/**
 * The digit MLP with all but 3 hidden units silenced (their input weights zeroed): every projection keeps at most
 * those 3 units, fewer than half the 10 classes.
 */
async function narrowMlp(dir: string): Promise<string> {
  const source = path.dirname(MLP_MODEL);
  const json = JSON.parse(await readFile(MLP_MODEL, 'utf8')) as { weightsManifest: { paths: string[] }[] };
  const bin = await readFile(path.join(source, json.weightsManifest[0]!.paths[0]!));
  const weights = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  // fc1/kernel [784, 64] comes first in the manifest.
  for (let j = 0; j < 784 * 64; j++) if (j % 64 >= 3) weights[j] = 0;
  await copyFile(MLP_MODEL, path.join(dir, 'model.json'));
  await writeFile(path.join(dir, json.weightsManifest[0]!.paths[0]!), new Uint8Array(weights.buffer));
  return path.join(dir, 'model.json');
}

/** A small CNN (conv 5×5×4 stride 2 → flatten → dense 64 → dense 10), seeded weights, hidden units 3..63 silenced. */
async function narrowCnn(dir: string): Promise<string> {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 4,
        kernelSize: 5,
        strides: 2,
        activation: 'relu',
        name: 'conv1',
      }),
      tfl.layers.flatten({ name: 'flatten' }),
      tfl.layers.dense({ units: 64, activation: 'relu', name: 'fc1' }),
      tfl.layers.dense({ units: 10, activation: 'softmax', name: 'fc2' }),
    ],
  });
  randomizeWeights(model, 5);
  const fc1 = model.getLayer('fc1');
  const [kernel, bias] = fc1.getWeights();
  const values = kernel!.dataSync().slice() as Float32Array;
  for (let j = 0; j < values.length; j++) if (j % 64 >= 3) values[j] = 0;
  const silenced = tf.tensor(values, kernel!.shape);
  fc1.setWeights([silenced, bias!]);
  silenced.dispose();
  const file = await saveLayersModel(model, path.join(dir, 'cnn'));
  model.dispose();
  return file;
}

const COMMON = {
  data: 'mnist',
  targetBytes: 3000,
  trainSamples: 2000,
  testSamples: 300,
  hyper: { epochs: 2, finetuneEpochs: 1, seed: 3 },
  backend: 'wasm' as const,
  quiet: true,
};

test('sqz compress removes a CNN hidden layer narrower than half the classes; the file runs in wasm and fits', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sqz-collapse-'));
  try {
    const model = await narrowCnn(dir);
    const collapsed = await compress({ ...COMMON, model, output: path.join(dir, 'collapsed.sqz') });
    const r = collapsed.report;
    assert.deepEqual(r.collapsedHead, {
      hidden: 'fc1',
      into: 'fc2',
      keptUnits: r.collapsedHead?.keptUnits,
      outputs: 10,
    });
    assert.ok(r.collapsedHead!.keptUnits <= 3, `${r.collapsedHead!.keptUnits} hidden units kept`);
    assert.deepEqual(
      collapsed.stored.ops.filter((op) => op.type === 'dense').map((op) => op.name),
      ['fc2'],
      'the file holds one dense layer',
    );
    assert.ok(r.fileBytes <= 3000, `${r.fileBytes} bytes for a 3000-byte target`);
    assert.equal(r.accuracy!.agreement, 1, 'the wasm runtime agrees with the compiler on every test digit');
    // The paper's measure still counts the given model's kernels, fc1's included.
    const storedBits = r.layers.reduce((s, l) => s + l.nonzeros * l.bits, 0);
    const given = 5 * 5 * 4 + 576 * 64 + 64 * 10;
    assert.ok(Math.abs(r.paperRatio - (32 * given) / storedBits) < 1e-6 * r.paperRatio);
    // After the removal conv1 keeps at least 4 of its 4 channels.
    assert.equal(r.layers[0]!.units.kept, 4, 'the first layer keeps its floor of 4 units');

    const kept = await compress({ ...COMMON, model, output: path.join(dir, 'kept.sqz'), collapseHead: false });
    assert.equal(kept.report.collapsedHead, undefined);
    assert.ok(
      kept.stored.ops.some((op) => op.name === 'fc1'),
      '--no-collapse-head keeps fc1',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a run's minimum on open units holds in every projection, measured or not, and rides in the cost model", async () => {
  const graph = await importModel(MLP_MODEL);
  const layers = compressibleLayers(graph);
  const biases = new Map(
    graph.ops.flatMap((op, i): [number, Float32Array][] => (op.bias ? [[i, op.bias.values]] : [])),
  );
  const kernels = layers.map((l) => graph.ops[l.opIndex]!.kernel!.values);
  const openHidden = (values: readonly Float32Array[]) => {
    const open = new Set<number>();
    values[0]!.forEach((v, j) => v !== 0 && open.add(j % 64));
    return open.size;
  };
  // The output layer in the dense regime keeps every open hidden unit's row, so an opened unit stays alive (as in
  // layout_floors.test.ts).
  const budget = 600;
  const start = (setup: ProjectionSetup) => {
    const costs = projectJoint(setup, kernels, biases, initialCosts(setup, biases, budget), budget, {
      rounds: 3,
    }).costs;
    return projectJoint(setup, kernels, biases, { ...costs, regimes: ['rice', 'dense'] }, budget, { rounds: 1 });
  };
  const before = openHidden(start({ graph, layers }).values);
  assert.ok(before < 40, `the budget leaves ${before} hidden units open; the test needs a starved layer`);
  const want = before + 8;
  const floored: ProjectionSetup = { graph, layers, minOpen: [want, 0] };
  const first = start(floored);
  assert.ok(
    openHidden(first.values) >= want,
    `${openHidden(first.values)} open with a minimum of ${want}, ${before} without`,
  );
  assert.deepEqual(first.costs.minOpen, [want, 0]);
  const next = projectJoint(floored, kernels, biases, first.costs, budget, { rounds: 1, measure: false });
  assert.ok(openHidden(next.values) >= want, 'an unmeasured projection keeps the minimum');
});

test('an MLP keeps its hidden layers, however narrow: there they are the features', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sqz-collapse-'));
  try {
    const model = await narrowMlp(dir);
    const { report, stored } = await compress({ ...COMMON, model, output: path.join(dir, 'mlp.sqz') });
    assert.equal(report.collapsedHead, undefined);
    assert.ok(stored.ops.some((op) => op.name === 'fc1'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
