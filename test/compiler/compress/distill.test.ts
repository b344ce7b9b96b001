// Distillation: the loss against a hand computation; the teacher's targets computed once per training sample,
// equal to its softened outputs, and carried by every batch (so training never runs the teacher).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { batches, gather, loadDataset, subset } from '../../../compiler/data/index.js';
import { graphTeacher, teacherTargets, withTeacherTargets, type Teacher } from '../../../compiler/compress/distill.js';
import { distillationLoss } from '../../../compiler/compress/sgd.js';
import { selectBackend } from '../../../compiler/engine/backend.js';
import { importModel } from '../../../compiler/import/index.js';
import { createRng } from '../../../compiler/util/rng.js';

test('distillation loss = (1 − α)·CE + α·T²·KL(teacher ‖ student at T), by hand on two samples', async () => {
  await selectBackend('auto');
  const logits = tf.tensor2d([
    [1, 0, -1],
    [0, 2, 0],
  ]);
  const oneHot = tf.tensor2d([
    [1, 0, 0],
    [0, 1, 0],
  ]);
  const soft = tf.tensor2d([
    [0.7, 0.2, 0.1],
    [0, 0.5, 0.5],
  ]); // a 0 target: 0·log 0 counts as 0
  // CE: sample 1 ln(e + 1 + e⁻¹) − 1 = 0.407606; sample 2 ln(2 + e²) − 2 = 0.239545; mean 0.323575.
  // At T = 2 the student's log-softmax is [−0.680270, −1.180270, −1.680270] and [−1.551445, −0.551445, −1.551445].
  // KL 1 = 0.7(ln 0.7 + 0.680270) + 0.2(ln 0.2 + 1.180270) + 0.1(ln 0.1 + 1.680270) = 0.078451
  // KL 2 = 0.5(ln 0.5 + 0.551445) + 0.5(ln 0.5 + 1.551445) = 0.358298; mean 0.218374.
  const cases: [alpha: number, expected: number][] = [
    [0, 0.323575], // labels only
    [1, 4 * 0.218374], // teacher only, T² = 4
    [0.25, 0.75 * 0.323575 + 0.25 * 4 * 0.218374], // 0.461056
  ];
  for (const [alpha, expected] of cases) {
    const loss = distillationLoss(logits, oneHot, soft, { distill: alpha, temperature: 2 });
    assert.ok(Math.abs(loss.dataSync()[0]! - expected) < 2e-5, `α ${alpha}: ${loss.dataSync()[0]} vs ${expected}`);
    loss.dispose();
  }
  // A student that already matches the teacher at T has no teacher loss and no teacher gradient.
  const matching = tf.softmax(tf.div(logits, 3));
  const v = tf.variable(logits);
  const { value, grads } = tf.variableGrads(
    () => distillationLoss(v, oneHot, matching, { distill: 1, temperature: 3 }),
    [v],
  );
  assert.ok(Math.abs(value.dataSync()[0]!) < 1e-6);
  assert.ok(Math.max(...Array.from(tf.abs(grads[v.name]!).dataSync())) < 1e-6);
  tf.dispose([logits, oneHot, soft, matching, value, v, ...Object.values(grads)]);
});

test('teacher targets: each sample scored once, softmax(logits / T) per row, carried by batches unchanged', async () => {
  await selectBackend('auto');
  const mnist = await loadDataset('mnist');
  const train = subset(mnist.train, 1200);
  const inner = graphTeacher(await importModel('examples/models/mnist-mlp/model.json'));
  let calls = 0;
  let samples = 0;
  const teacher: Teacher = {
    logits: (x) => {
      calls++;
      samples += x.shape[0]!;
      return inner.logits(x);
    },
    dispose: () => inner.dispose(),
  };
  try {
    const soft = teacherTargets(teacher, train, mnist.shape, 10, 3);
    assert.equal(samples, train.count, 'every sample scored exactly once');
    assert.equal(calls, 3, 'in batches of up to 500');
    // Row 700 by a direct forward pass of that one sample.
    const direct = tf.tidy(() =>
      tf.softmax(tf.div(inner.logits(tf.tensor(gather(train, [700]).images, [1, ...mnist.shape])), 3)).dataSync(),
    );
    for (let c = 0; c < 10; c++) assert.ok(Math.abs(soft[700 * 10 + c]! - direct[c]!) < 1e-6, `class ${c}`);
    for (let i = 0; i < train.count; i++) {
      const row = soft.subarray(10 * i, 10 * i + 10);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, `row ${i} sums to 1`);
    }
    const labelled = withTeacherTargets(train, soft);
    const calledBefore = calls;
    let seen = 0;
    for (const batch of batches(labelled, 64, createRng(4))) {
      // Find each batch sample's row by its image: the batch must carry exactly that sample's targets.
      for (let k = 0; k < batch.count; k += 17) {
        const image = batch.images.subarray(784 * k, 784 * (k + 1));
        const i = findSample(train.images, image);
        assert.deepEqual([...batch.soft!.subarray(10 * k, 10 * k + 10)], [...soft.subarray(10 * i, 10 * i + 10)]);
      }
      seen += batch.count;
    }
    assert.equal(seen, train.count);
    assert.equal(calls, calledBefore, 'batching never runs the teacher');
  } finally {
    teacher.dispose();
  }
});

function findSample(images: Float32Array, image: Float32Array): number {
  for (let i = 0; i < images.length / 784; i++) {
    let same = true;
    for (let p = 0; p < 784 && same; p++) same = images[784 * i + p] === image[p];
    if (same) return i;
  }
  throw new Error('sample not found');
}
