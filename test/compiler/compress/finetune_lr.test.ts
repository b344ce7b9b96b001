// The fine-tune's learning rate follows its own steps: it starts at its peak and ends at its floor however many
// ADMM steps came before (a cosine over the run's global step once began every fine-tune at the floor).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunContext } from '../../../compiler/compress/context.js';
import { FINETUNE_LR_SCALE, FinetunePhase } from '../../../compiler/compress/finetune_phase.js';

/** A fine-tune over no layers: its schedule needs only the hyper-parameters and the training split's size. */
function phase(trainCount: number, batchSize: number, finetuneEpochs: number, lr: number): FinetunePhase {
  const ctx = { hyper: { batchSize, finetuneEpochs, lr }, data: { train: { count: trainCount } } };
  return new FinetunePhase(ctx as unknown as RunContext, { codes: [], kernels: [] });
}

describe('fine-tune learning rate', () => {
  it('starts at its peak, falls monotonically over its own steps and ends at 2% of the peak', () => {
    const ft = phase(1000, 64, 3, 0.05); // 16 steps per epoch, 48 in all
    const peak = 0.05 * FINETUNE_LR_SCALE;
    assert.equal(ft.stepsPerEpoch, 16);
    assert.equal(ft.learningRate(0, 0), peak);
    let previous = Infinity;
    for (let epoch = 0; epoch < 3; epoch++) {
      for (let s = 0; s < 16; s++) {
        const lr = ft.learningRate(epoch, s);
        assert.ok(lr <= previous, `epoch ${epoch} step ${s}: ${lr} > ${previous}`);
        previous = lr;
      }
    }
    assert.ok(Math.abs(ft.learningRate(2, 15) - 0.02 * peak) < 1e-12, `last step ${ft.learningRate(2, 15)}`);
    // Half way through (step 24 of 0..47) the cosine is near the middle of peak and floor.
    const mid = ft.learningRate(1, 8);
    assert.ok(mid > 0.45 * peak && mid < 0.6 * peak, `middle ${mid}`);
  });
});
