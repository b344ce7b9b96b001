// Issue 17: the worker pool against this thread's own tfjs. Real worker threads, each with its own wasm backend,
// compute a batch's gradients in shards; their worker-ordered sum must equal tf.variableGrads on the whole batch
// in this thread (within float tolerance: another summation order), with and without distillation targets, for
// even and uneven shards; the validation classes they return must be this thread's; and the projection's layout
// search with its candidates evaluated on the workers must choose exactly the layout the search in this thread does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../../compiler/engine/backend.js';
import { shardSizes, WorkerPool } from '../../../compiler/engine/worker_pool.js';
import { gather, loadDataset, subset, type Split } from '../../../compiler/data/index.js';
import { importModel } from '../../../compiler/import/index.js';
import { batchTensors, disposeBatch, lossOf, predictClasses, type LossConfig } from '../../../compiler/compress/sgd.js';
import {
  evaluateLayout,
  initialCosts,
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
function reference(state: TrainState, batch: Split, loss: LossConfig) {
  const tensors = batchTensors(batch, inputShape, numClasses);
  const { value, grads } = tf.variableGrads(() => lossOf(state.graph, state.params, tensors, loss), state.list);
  const out = { loss: value.dataSync()[0]!, grads: new Map<string, Float32Array>() };
  for (const v of state.list) out.grads.set(v.name, grads[v.name]!.dataSync().slice() as Float32Array);
  tf.dispose([value, ...Object.values(grads)]);
  disposeBatch(tensors);
  return out;
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
      numClasses,
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
        const want = reference(state, batch, loss);
        const got = await pool.gradients(state, batch, loss);
        assert.ok(Math.abs(got.loss - want.loss) <= 1e-5 * Math.max(1, want.loss), `loss ${got.loss} vs ${want.loss}`);
        let scale = 0;
        let worst = 0;
        for (const v of state.list) {
          const g = got.grads[v.name]!.dataSync() as Float32Array;
          const r = want.grads.get(v.name)!;
          assert.equal(g.length, r.length);
          for (let j = 0; j < r.length; j++) {
            scale = Math.max(scale, Math.abs(r[j]!));
            worst = Math.max(worst, Math.abs(g[j]! - r[j]!));
          }
        }
        tf.dispose(Object.values(got.grads));
        assert.ok(scale > 1e-4, 'the gradients are not all zero');
        assert.ok(worst <= 1e-5 * scale, `case ${k}: worst gradient difference ${worst} against a largest ${scale}`);
      }
      const classes = await pool.classifyValidation(graph);
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
    numClasses,
    validation: subset(digits, 10),
    probe,
  });
  const state = new TrainState(graph);
  const layers = compressibleLayers(graph);
  const scorer = probeScorer(state, layers, probe, inputShape, numClasses, loss);
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
      const candidates = [
        costs,
        { bits: costs.bits.map((b) => b + 1), regimes: costs.regimes.map(() => 'bitmap' as const) },
      ];
      const remote = await pool.evaluateLayouts(candidates);
      candidates.forEach((c, k) => assert.equal(remote[k]!.error, evaluateLayout(setup, input, c, scorer.score).error));
      const layout = await pool.searchLayout(state, input, loss);
      const there = projectJoint(setup, z, biases, costs, budgetBytes, { ...options, layout });
      assert.deepEqual(
        there.codes.map((c) => [c.bits, c.nnz, [...c.centroids]]),
        here.codes.map((c) => [c.bits, c.nnz, [...c.centroids]]),
      );
      here.codes.forEach((c, i) => assert.ok(Buffer.from(c.mask).equals(Buffer.from(there.codes[i]!.mask))));
      here.values.forEach((v, i) => assert.ok(Buffer.from(v.buffer).equals(Buffer.from(there.values[i]!.buffer))));
      assert.equal(there.bytes, here.bytes);
      assert.deepEqual(there.costs.regimes, here.costs.regimes);
    }
  } finally {
    scorer.dispose();
    state.dispose();
    await pool.dispose();
  }
});
