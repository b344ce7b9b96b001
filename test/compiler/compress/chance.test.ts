// The near-chance flag: the chance level is the majority class's share, and a result keeping under a tenth of the
// original model's margin over chance is flagged (the CLI case is in compress_e2e.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chanceAccuracy, chanceLoss, nearChanceWarning } from '../../../compiler/compress/chance.js';

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

test('chance loss is the entropy of the label frequencies, in nats', () => {
  assert.ok(Math.abs(chanceLoss(Uint8Array.from([0, 1, 2, 3])) - Math.log(4)) < 1e-12);
  const skewed = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
  assert.ok(Math.abs(chanceLoss(Uint8Array.from([4, 4, 4, 1])) - skewed) < 1e-12);
  assert.equal(chanceLoss(Uint8Array.from([2, 2])), 0);
  assert.equal(chanceLoss(new Uint8Array(0)), 0);
});
