// Distillation for the small models: the loss against a hand computation, and the teacher read once per training
// sample however many epochs the student trains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../compiler/engine/backend.js';
import { distillationLoss, modelTeacher, type Teacher } from '../../bench/baselines/distill.js';
import { trainSmallModel } from '../../bench/baselines/train.js';

test('distillation loss = (1 − α)·CE + α·T²·KL(teacher ‖ student at T), by hand on two samples', async () => {
  await selectBackend('auto');
  const logits = tf.tensor2d([[1, 0, -1], [0, 2, 0]]);
  const oneHot = tf.tensor2d([[1, 0, 0], [0, 1, 0]]);
  const soft = tf.tensor2d([[0.7, 0.2, 0.1], [0, 0.5, 0.5]]); // a 0 target: 0·log 0 counts as 0
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
    const loss = distillationLoss(logits, oneHot, soft, { alpha, temperature: 2 });
    assert.ok(Math.abs(loss.dataSync()[0]! - expected) < 2e-5, `α ${alpha}: ${loss.dataSync()[0]} vs ${expected}`);
    loss.dispose();
  }
  // A student that already matches the teacher at T has no teacher loss and no teacher gradient.
  const matching = tf.softmax(tf.div(logits, 3));
  const v = tf.variable(logits);
  const { value, grads } = tf.variableGrads(() => distillationLoss(v, oneHot, matching, { alpha: 1, temperature: 3 }), [v]);
  assert.ok(Math.abs(value.dataSync()[0]!) < 1e-6);
  assert.ok(Math.max(...Array.from(tf.abs(grads[v.name]!).dataSync())) < 1e-6);
  tf.dispose([logits, oneHot, soft, matching, value, v, ...Object.values(grads)]);
});

test('the small-model trainer reads the teacher once per training sample, not once per epoch', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sqz-distill-'));
  const inner = await modelTeacher('examples/models/mnist-mlp/model.json');
  let calls = 0;
  let samples = 0;
  const teacher: Teacher = {
    logits: (x) => { calls++; samples += x.shape[0]!; return inner.logits(x); },
    dispose: () => inner.dispose(),
  };
  try {
    const record = await trainSmallModel({
      arch: 'lenet300', widths: [4, 3], data: 'mnist', epochs: 3, seed: 2, lr: 0.003, batch: 64, validationSplit: 0.1, trainSamples: 400,
      teacher: { model: 'examples/models/mnist-mlp/model.json', alpha: 0.9, temperature: 4 },
    }, dir, 'auto', teacher);
    assert.equal(record.losses.length, 3);
    assert.equal(record.trainSamples, 360); // 400 minus the 10% validation split
    assert.equal(samples, record.trainSamples, 'every training sample scored exactly once');
    assert.equal(calls, 1, 'one batch of up to 500 samples');
    assert.equal(record.teacherSamples, record.trainSamples);
  } finally {
    inner.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
