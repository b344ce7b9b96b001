// Issue 17: the worker pool against this thread's own tfjs. Real worker threads, each with its own wasm backend,
// compute a batch's gradients in shards; their worker-ordered sum must equal tf.variableGrads on the whole batch
// in this thread (within float tolerance: another summation order), with and without distillation targets, for
// even and uneven shards; the validation classes they return must be this thread's; and the projection's layout
// search with its candidates evaluated on the workers must choose exactly the layout the search in this thread does.
// Regression and reconstruction: the workers' loss is the task's MSE (targets from the split, or the input itself),
// and the validation score from the workers' outputs is the in-thread score (−MSE through scoreOf); and a whole
// compress() of a regression with workers: 2 trains on the task and scores −MSE close to workers: 1.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../../compiler/engine/backend.js';
import { shardSizes, WorkerPool } from '../../../compiler/engine/worker_pool.js';
import { gather, loadDataset, subset, type Split } from '../../../compiler/data/index.js';
import { importModel } from '../../../compiler/import/index.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  arrayParams,
  batchTensors,
  disposeBatch,
  evaluateTask,
  lossOf,
  predictClasses,
  type LossConfig,
} from '../../../compiler/compress/sgd.js';
import { classesOf, scoreOf, taskMetrics, type TaskSpec } from '../../../compiler/compress/task.js';
import type { Graph } from '../../../compiler/ir/graph.js';
import { saveLayersModel } from '../../fixtures/tfjs_models.js';
import { compress } from '../../../compiler/compress/compress.js';
import {
  evaluateLayout,
  initialCosts,
  openableUnits,
  projectJoint,
  type JointProjection,
} from '../../../compiler/compress/joint_projection.js';
import { compressibleLayers } from '../../../compiler/compress/layers.js';
import { probeScorer } from '../../../compiler/compress/probe_score.js';
import { TrainState } from '../../../compiler/compress/train_state.js';
import { rng } from '../../fixtures/random.js';

await selectBackend('wasm');
const graph = await importModel('examples/models/mnist-mlp/model.json');
const digits = subset((await loadDataset('mnist')).train, 200);
const inputShape = [28, 28, 1];
const numClasses = 10;
const classification: TaskSpec = { name: 'classification', numClasses, outputShape: [numClasses] };

/** Teacher-like targets: a random distribution per sample. */
function withSoft(split: Split, seed: number): Split {
  const random = rng(seed);
  const soft = new Float32Array(split.count * numClasses);
  for (let i = 0; i < split.count; i++) {
    let sum = 0;
    for (let c = 0; c < numClasses; c++) sum += soft[i * numClasses + c] = random() + 0.01;
    for (let c = 0; c < numClasses; c++) soft[i * numClasses + c]! /= sum;
  }
  return { ...split, soft };
}

/** This thread's loss and gradients of the whole batch, as plain arrays by variable name. */
function reference(state: TrainState, batch: Split, loss: LossConfig, task = classification) {
  const tensors = batchTensors(batch, inputShape, task);
  const { value, grads } = tf.variableGrads(() => lossOf(state.graph, state.params, tensors, loss), state.list);
  const out = { loss: value.dataSync()[0]!, grads: new Map<string, Float32Array>() };
  for (const v of state.list) out.grads.set(v.name, grads[v.name]!.dataSync().slice() as Float32Array);
  tf.dispose([value, ...Object.values(grads)]);
  disposeBatch(tensors);
  return out;
}

/** The pool's summed shard loss and gradients equal this thread's whole-batch ones (float tolerance). */
async function assertSameGradients(
  pool: WorkerPool,
  state: TrainState,
  batch: Split,
  loss: LossConfig,
  task: TaskSpec,
  what: string,
): Promise<void> {
  const want = reference(state, batch, loss, task);
  const got = await pool.gradients(state, batch, loss);
  assert.ok(
    Math.abs(got.loss - want.loss) <= 1e-5 * Math.max(1, want.loss),
    `${what}: loss ${got.loss} vs ${want.loss}`,
  );
  let scale = 0;
  let worst = 0;
  let diff2 = 0;
  let norm2 = 0;
  for (const v of state.list) {
    const g = got.grads[v.name]!.dataSync() as Float32Array;
    const r = want.grads.get(v.name)!;
    assert.equal(g.length, r.length);
    for (let j = 0; j < r.length; j++) {
      scale = Math.max(scale, Math.abs(r[j]!));
      worst = Math.max(worst, Math.abs(g[j]! - r[j]!));
      diff2 += (g[j]! - r[j]!) ** 2;
      norm2 += r[j]! ** 2;
    }
  }
  tf.dispose(Object.values(got.grads));
  assert.ok(scale > 1e-6, `${what}: the gradients are not all zero`);
  assert.ok(worst <= 1e-5 * scale, `${what}: worst gradient difference ${worst} against a largest ${scale}`);
  assert.ok(Math.sqrt(diff2) <= 1e-5 * Math.sqrt(norm2), `${what}: relative difference of the gradient vectors`);
}

/** In-thread validation score of `graph` on `split` for `task` (validation.ts without a pool). */
function inThreadScore(g: Graph, split: Split, task: TaskSpec): number {
  const p = arrayParams(g, new Map(), new Map());
  try {
    return scoreOf(task.name, evaluateTask(g, p.params, split, inputShape, task.name));
  } finally {
    p.dispose();
  }
}

test('shardSizes: contiguous sizes differing by at most one, the first ones larger', () => {
  assert.deepEqual(shardSizes(64, 2), [32, 32]);
  assert.deepEqual(shardSizes(40, 3), [14, 13, 13]);
  assert.deepEqual(shardSizes(1, 3), [1, 0, 0]);
});

for (const workers of [2, 3]) {
  test(`${workers} workers: summed shard gradients equal this thread's whole-batch gradients`, async () => {
    const validation = subset(digits, 90);
    const pool = await WorkerPool.start({
      count: workers,
      backend: 'wasm',
      inputShape,
      task: classification,
      validation,
      probe: subset(digits, 64),
    });
    const state = new TrainState(graph);
    try {
      const cases: { batch: Split; loss: LossConfig }[] = [
        {
          batch: gather(
            digits,
            Array.from({ length: 64 }, (_, i) => i),
          ),
          loss: { distill: 0, temperature: 1 },
        },
        // 41 samples: uneven shards; with distillation targets (the teacher term is a batch mean too).
        {
          batch: withSoft(
            gather(
              digits,
              Array.from({ length: 41 }, (_, i) => 100 + i),
            ),
            workers,
          ),
          loss: { distill: 0.7, temperature: 2 },
        },
      ];
      for (const [k, { batch, loss }] of cases.entries()) {
        // Move the weights off the file's so the workers must read them from the shared buffer each step.
        if (k === 1) for (const v of state.list) v.assign(tf.mul(v, 0.9));
        await assertSameGradients(pool, state, batch, loss, classification, `case ${k}`);
      }
      const classes = classesOf(await pool.validationOutputs(graph, true), validation.count, numClasses);
      const constants = tf.tidy(() => predictClasses(graph, () => undefined, validation, inputShape));
      assert.deepEqual([...classes], [...constants]);
      assert.ok(pool.times.steps === 2 && pool.times.waitMs > 0);
    } finally {
      state.dispose();
      await pool.dispose();
    }
  });
}

test('2 workers: the bit search with candidates evaluated on the workers picks exactly the layout of this thread', async () => {
  const probe = subset(digits, 64);
  const loss: LossConfig = { distill: 0, temperature: 1 };
  const pool = await WorkerPool.start({
    count: 2,
    backend: 'wasm',
    inputShape,
    task: classification,
    validation: subset(digits, 10),
    probe,
  });
  const state = new TrainState(graph);
  const layers = compressibleLayers(graph);
  const scorer = probeScorer(state, layers, probe, inputShape, classification, loss);
  try {
    // Biases off the file's, so a worker that scored with its own stale copy would disagree.
    for (const v of state.list) if (v.rank === 1) v.assign(tf.add(v, 0.05));
    const random = rng(5);
    const w = layers.map((l) => state.kernel(l.opIndex).dataSync().slice() as Float32Array);
    const z = w.map((wi) => Float32Array.from(wi, (x) => x + 0.01 * (random() - 0.5)));
    const setup = { graph, layers, score: scorer.score };
    const biases = state.readBiases();
    for (const budgetBytes of [4000, 12000]) {
      const costs = initialCosts(setup, biases, budgetBytes);
      const importance = layers.map((_, i) => 1 + i);
      const options = { select: w, rounds: 1, searchBits: true, measure: true, importance };
      const here: JointProjection = projectJoint(setup, z, biases, costs, budgetBytes, options);
      const input = { z, select: w, costs, importance, budgetBytes };
      // Each candidate's probe loss on a worker is this thread's, to the bit.
      pool.startSearch(state, input, loss);
      const openable = openableUnits(setup);
      const candidates = [
        { bits: costs.bits, regimes: costs.regimes, floors: openable.map(() => 0) },
        {
          bits: costs.bits.map((b) => b + 1),
          regimes: costs.regimes.map(() => 'bitmap' as const),
          floors: openable.map((u) => u >> 1),
        },
      ];
      const remote = await pool.evaluateLayouts(candidates);
      candidates.forEach((c, k) => assert.equal(remote[k]!.error, evaluateLayout(setup, input, c, scorer.score).error));
      const layout = await pool.searchLayout(state, input, loss, openable);
      const there = projectJoint(setup, z, biases, costs, budgetBytes, { ...options, layout });
      assert.deepEqual(
        there.codes.map((c) => [c.bits, c.nnz, [...c.centroids]]),
        here.codes.map((c) => [c.bits, c.nnz, [...c.centroids]]),
      );
      here.codes.forEach((c, i) => assert.ok(Buffer.from(c.mask).equals(Buffer.from(there.codes[i]!.mask))));
      here.values.forEach((v, i) => assert.ok(Buffer.from(v.buffer).equals(Buffer.from(there.values[i]!.buffer))));
      assert.equal(there.bytes, here.bytes);
      assert.deepEqual(there.costs.regimes, here.costs.regimes);
      assert.deepEqual(there.costs.floors, here.costs.floors);
    }
  } finally {
    scorer.dispose();
    state.dispose();
    await pool.dispose();
  }
});

test('2 workers, regression and reconstruction: the MSE gradients and the validation score (−MSE) match the in-thread ones', async () => {
  // Regression: a dense regressor with a linear head, 3 float targets per sample (Split.targets).
  // Reconstruction: a small dense autoencoder whose 784 outputs are compared with the input itself.
  const random = rng(11);
  const withTargets = (split: Split): Split => ({
    ...split,
    targets: Float32Array.from({ length: split.count * 3 }, () => random()),
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'sqz-workers-tasks-'));
  const dense = (units: number, activation: 'relu' | 'linear' | 'sigmoid', seed: number) =>
    tfl.layers.dense({ units, activation, kernelInitializer: tfl.initializers.glorotUniform({ seed }) });
  const save = async (name: string, head: tfl.layers.Layer[]): Promise<Graph> => {
    const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape }), dense(16, 'relu', 1), ...head] });
    const g = await importModel(await saveLayersModel(model, path.join(dir, name)));
    model.dispose();
    return g;
  };
  let regressor: Graph;
  let autoencoder: Graph;
  try {
    regressor = await save('regressor', [dense(3, 'linear', 2)]);
    autoencoder = await save('autoencoder', [dense(784, 'sigmoid', 3)]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const cases: { g: Graph; task: TaskSpec; data: Split }[] = [
    { g: regressor, task: { name: 'regression', numClasses: 0, outputShape: [3] }, data: withTargets(digits) },
    { g: autoencoder, task: { name: 'reconstruction', numClasses: 0, outputShape: [784] }, data: digits },
  ];
  const loss: LossConfig = { distill: 0, temperature: 1 };
  for (const { g, task, data } of cases) {
    const validation = gather(
      data,
      Array.from({ length: 45 }, (_, i) => 150 + i),
    );
    const pool = await WorkerPool.start({
      count: 2,
      backend: 'wasm',
      inputShape,
      task,
      validation,
      probe: subset(data, 32),
    });
    const state = new TrainState(g);
    try {
      // 41 samples: uneven shards (21 + 20); then weights off the file's, read from the shared buffer.
      const batch = gather(
        data,
        Array.from({ length: 41 }, (_, i) => 60 + i),
      );
      await assertSameGradients(pool, state, batch, loss, task, `${task.name}, the file's weights`);
      for (const v of state.list) v.assign(tf.mul(v, 0.9));
      await assertSameGradients(pool, state, batch, loss, task, `${task.name}, moved weights`);
      // The validation score from the workers' outputs, as validation.ts computes it with a pool.
      const outputs = await pool.validationOutputs(g, false);
      const pooled = scoreOf(task.name, taskMetrics(task.name, outputs, validation));
      const here = inThreadScore(g, validation, task);
      assert.ok(here < 0 && Number.isFinite(here), `${task.name}: score ${here} is −MSE`);
      assert.ok(Math.abs(pooled - here) <= 1e-6 * Math.abs(here), `${task.name}: ${pooled} vs ${here}`);
    } finally {
      state.dispose();
      await pool.dispose();
    }
  }
});

test('compress({ workers: 2 }) on a regression: the task reaches the workers, the run scores −MSE like workers: 1', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sqz-workers-regression-'));
  try {
    const model = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape }),
        tfl.layers.dense({
          units: 16,
          activation: 'relu',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }),
        }),
        tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }) }),
      ],
    });
    const modelJson = await saveLayersModel(model, path.join(dir, 'regressor'));
    model.dispose();
    // Targets a function of the image (mean ink, and the digit / 9), so that training has something to learn.
    const split = (from: number, count: number) => {
      const part = gather(
        digits,
        Array.from({ length: count }, (_, i) => from + i),
      );
      const size = part.images.length / count;
      const y = new Float32Array(count * 2);
      for (let i = 0; i < count; i++) {
        let ink = 0;
        for (let j = 0; j < size; j++) ink += part.images[i * size + j]!;
        y[2 * i] = ink / size;
        y[2 * i + 1] = part.labels[i]! / 9;
      }
      return { x: part.images, shape: [count, ...inputShape], y };
    };
    const data = { train: split(0, 160), test: split(160, 40) };
    const run = async (workers: number) =>
      (
        await compress({
          model: modelJson,
          data,
          output: path.join(dir, `w${workers}.sqz`),
          ratio: 4,
          backend: 'wasm',
          quiet: true,
          workers,
          hyper: { epochs: 2, finetuneEpochs: 1, batchSize: 32, seed: 4 },
        })
      ).report;
    const one = await run(1);
    const two = await run(2);
    assert.equal(two.task, 'regression');
    assert.equal(two.workers, 2);
    for (const r of [one, two]) {
      assert.ok(
        Number.isFinite(r.metrics.validationScore) && r.metrics.validationScore < 0,
        `${r.metrics.validationScore}`,
      );
    }
    // Another N sums the gradients in another float order: close, not identical.
    const close = (a: number, b: number) => Math.abs(a - b) <= 0.1 * Math.max(Math.abs(a), Math.abs(b));
    assert.ok(
      close(two.metrics.validationScore, one.metrics.validationScore),
      `${two.metrics.validationScore} vs ${one.metrics.validationScore}`,
    );
    assert.ok(
      close(two.metrics.after.mse!, one.metrics.after.mse!),
      `${two.metrics.after.mse} vs ${one.metrics.after.mse}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
