// The near-chance flag: the chance level is the majority class's share, and a result keeping under a tenth of the
// original model's margin over chance is flagged (the CLI case is in compress_e2e.test.ts). Its regression analogue:
// the MSE of the training mean as a constant output (the end-to-end case is in tasks.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import {
  chanceAccuracy,
  chanceLoss,
  collapsedLoss,
  constantOutputMse,
  constantOutputWarning,
  nearChanceWarning,
} from '../../../compiler/compress/chance.js';
import { distillationLoss } from '../../../compiler/compress/sgd.js';
import { rng } from '../../fixtures/random.js';

test('chance accuracy is the most frequent class share', () => {
  assert.equal(chanceAccuracy(Uint8Array.from([0, 1, 2, 3])), 0.25);
  assert.equal(chanceAccuracy(Uint8Array.from([4, 4, 4, 1])), 0.75);
  assert.equal(chanceAccuracy(new Uint8Array(0)), 0);
});

test('near chance: under a tenth of the margin over chance is flagged, with the figures and what to do', () => {
  // 10 balanced classes, a 90% model: the line is at 10% + 0.1·80% = 18%.
  const warning = nearChanceWarning(0.9, 0.17, 0.1);
  assert.match(warning ?? '', /near chance: test accuracy 17\.00% \(chance 10\.00%, before 90\.00%\)/);
  assert.match(warning ?? '', /--target-size/);
  assert.equal(nearChanceWarning(0.9, 0.19, 0.1), undefined);
  assert.equal(nearChanceWarning(0.9, 0.85, 0.1), undefined);
  // A model that was never above chance is not the compressor's doing.
  assert.equal(nearChanceWarning(0.1, 0.1, 0.1), undefined);
});

test('constant output: the training mean of each element, scored on the test rows', () => {
  // Two outputs per sample; training means 2 and 10. Test rows (3, 10) and (1, 14): errors 1, 0, 1, 16.
  const train = Float32Array.from([1, 8, 3, 12]);
  const test = Float32Array.from([3, 10, 1, 14]);
  assert.equal(constantOutputMse(train, test, 2), (1 + 0 + 1 + 16) / 4);
  assert.ok(Number.isNaN(constantOutputMse(train, new Float32Array(0), 2)));
});

test('constant output: under a tenth of the margin under the constant MSE is flagged, with the figures and what to do', () => {
  // Constant 0.09, model 0.03: the line is at 0.09 − 0.1·0.06 = 0.084.
  const warning = constantOutputWarning(0.03, 0.085, 0.09);
  assert.match(
    warning ?? '',
    /no better than a constant output: test MSE 0\.08500 \(the training mean as the output gives 0\.09000, before 0\.03000\)/,
  );
  assert.match(warning ?? '', /--target-size/);
  assert.equal(constantOutputWarning(0.03, 0.083, 0.09), undefined);
  assert.equal(constantOutputWarning(0.03, 0.031, 0.09), undefined);
  // A model that never beat the constant is not the compressor's doing.
  assert.equal(constantOutputWarning(0.1, 0.2, 0.09), undefined);
});

test('chance loss is the entropy of the label frequencies, in nats', () => {
  assert.ok(Math.abs(chanceLoss(Uint8Array.from([0, 1, 2, 3])) - Math.log(4)) < 1e-12);
  const skewed = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
  assert.ok(Math.abs(chanceLoss(Uint8Array.from([4, 4, 4, 1])) - skewed) < 1e-12);
  assert.equal(chanceLoss(Uint8Array.from([2, 2])), 0);
  assert.equal(chanceLoss(new Uint8Array(0)), 0);
});

test('collapsed loss with a teacher: what the training loss gives an input-blind network, and a bound below any', async () => {
  await tf.setBackend('cpu');
  const rand = rng(5);
  const count = 40;
  const classes = 4;
  const labels = Uint8Array.from({ length: count }, () => Math.floor(rand() * classes));
  const soft = new Float32Array(count * classes);
  for (let i = 0; i < count; i++) {
    const e = Array.from({ length: classes }, () => Math.exp(3 * rand()));
    const z = e.reduce((a, b) => a + b, 0);
    e.forEach((x, c) => (soft[i * classes + c] = x / z));
  }
  const train = { labels, count, soft };
  const mean = Array.from({ length: classes }, (_, c) => {
    let m = 0;
    for (let i = 0; i < count; i++) m += soft[i * classes + c]! / count;
    return m;
  });
  // The same logits for every sample: an input-blind network, scored by the training loss itself.
  const blind = (logits: number[], cfg: { distill: number; temperature: number }) =>
    tf.tidy(
      () =>
        distillationLoss(
          tf.tile(tf.tensor2d([logits]), [count, 1]),
          tf.oneHot(tf.tensor1d(labels, 'int32'), classes),
          tf.tensor2d(soft, [count, classes]),
          cfg,
        ).dataSync()[0]!,
    );
  const teacherOnly = { distill: 1, temperature: 3 };
  // α = 1: answering p̄ at temperature T (logits T·ln p̄) reaches the bound.
  const atMean = blind(
    mean.map((m) => teacherOnly.temperature * Math.log(m)),
    teacherOnly,
  );
  assert.ok(
    Math.abs(atMean - collapsedLoss(train, teacherOnly)) < 1e-4,
    `${atMean} vs ${collapsedLoss(train, teacherOnly)}`,
  );
  // α = 0: the label entropy; a mix: no constant answer goes below the bound.
  assert.equal(collapsedLoss(train, { distill: 0, temperature: 3 }), chanceLoss(labels));
  const mix = { distill: 0.6, temperature: 2 };
  for (let k = 0; k < 50; k++) {
    const logits = Array.from({ length: classes }, () => 4 * (rand() - 0.5));
    assert.ok(blind(logits, mix) >= collapsedLoss(train, mix) - 1e-5);
  }
});
