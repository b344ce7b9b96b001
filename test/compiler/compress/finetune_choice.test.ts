// Which fine-tune epoch gets exported: the latest one within one validation standard error of the phase's best so
// far, tracked as a running peak so that a slow slide of small steps down cannot chain past the margin.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { finetuneChoice, selectionMargin } from '../../../compiler/compress/finetune_loop.js';

/** Runs the rule over a sequence of validation scores from a fine-tune start; returns the exported index (-1 = start). */
function exported(start: number, scores: number[], margin: number): number {
  let best = { phase: 'finetune' as const, accuracy: start, peak: start };
  let index = -1;
  scores.forEach((score, i) => {
    const { take, peak } = finetuneChoice(best, score, () => margin);
    best = take ? { phase: 'finetune', accuracy: score, peak } : { ...best, peak };
    if (take) index = i;
  });
  return index;
}

describe('fine-tune result selection', () => {
  it('the margin is one standard error of a validation accuracy, and 0 where no such error is defined', () => {
    assert.ok(Math.abs(selectionMargin('classification', 6000, 0.9) - Math.sqrt(0.09 / 6000)) < 1e-15);
    assert.equal(selectionMargin('classification', 6000, 1), 0);
    assert.equal(selectionMargin('classification', 0, 0.9), 0);
    assert.equal(selectionMargin('regression', 6000, -0.02), 0);
    assert.equal(selectionMargin('reconstruction', 6000, -0.02), 0);
  });

  it('takes the first fine-tune epoch after an ADMM result whatever its score', () => {
    const choice = finetuneChoice({ phase: 'admm', accuracy: 0.95 }, 0.5, () => 0.01);
    assert.deepEqual(choice, { take: true, peak: 0.5 });
  });

  it('exports the last epoch when it is within the margin of an earlier peak (the Fashion-MNIST 300× run)', () => {
    // Validation of the measured run: start 88.45%, peak 90.23% at epoch 8, last 90.13%; SE on 6,000 ≈ 0.0039.
    const scores = [0.8828, 0.8903, 0.8868, 0.8962, 0.8873, 0.892, 0.8993, 0.9023, 0.9018, 0.9013];
    assert.equal(exported(0.8845, scores, selectionMargin('classification', 6000, 0.9023)), 9);
    // With no margin: the best score (the latest of equals), epoch 8, which the old rule exported too.
    assert.equal(exported(0.8845, scores, 0), 7);
  });

  it('keeps the earlier result when the later epochs fall beyond the margin', () => {
    assert.equal(exported(0.8, [0.9, 0.85, 0.84], 0.01), 0);
    // A slide of steps each within the margin of the previous one stops where it leaves the margin of the peak.
    assert.equal(exported(0.8, [0.9, 0.895, 0.89, 0.885, 0.88], 0.011), 2);
  });

  it('keeps the start when every epoch is worse than it by more than the margin', () => {
    assert.equal(exported(0.9, [0.85, 0.86, 0.87], 0.005), -1);
  });
});
