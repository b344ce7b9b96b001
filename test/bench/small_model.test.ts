// The small-model methods end to end on a tiny case (300 mnist digits, a 784-64-10 MLP as the original model,
// LeNet-300-100 narrowed to a few units, one epoch each): trained by train.js, quantized by the sqz CLI, kept by
// validation accuracy, recorded with the real file bytes — at or under the target — and one training reused by
// a second target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SMALL_DISTILLED, SMALL_FROM_SCRATCH } from '../../bench/compare/frontier_methods.js';
import {
  pickByValidation,
  runSmallModel,
  smallModelResult,
  type SmallModelPlan,
} from '../../bench/compare/small_model.js';

test('pickByValidation keeps the best validation accuracy, whatever the test accuracy; ties to the first', () => {
  const c = (validation: number, after: number) => ({ report: { accuracy: { validation, after } } });
  const list = [c(0.8, 0.99), c(0.9, 0.7), c(0.9, 0.95)];
  assert.equal(pickByValidation(list), list[1]);
  assert.equal(pickByValidation([]), undefined);
});

const root = process.cwd();
const baseline = path.resolve('examples/models/mnist-mlp/model.json');
const plan = (
  outDir: string,
  targetBytes: number,
  candidates: number[][],
  distill?: SmallModelPlan['distill'],
): SmallModelPlan => ({
  root,
  outDir,
  name: 'mnist-mlp',
  data: 'mnist',
  arch: 'lenet300',
  baselineModel: baseline,
  targetBytes,
  seed: 1,
  epochs: 1,
  candidates,
  distill,
  trainSamples: 300,
  testSamples: 100,
  compressArgs: ['--epochs', '1', '--finetune-epochs', '1'],
});

for (const [method, distill] of [
  [SMALL_FROM_SCRATCH, undefined],
  [SMALL_DISTILLED, { alpha: 0.9, temperature: 4 }],
] as const) {
  test(`${method}: records the best-by-validation width at or under the target; a second target reuses the training`, async () => {
    const outDir = await mkdtemp(path.join(tmpdir(), 'sqz-small-'));
    try {
      const first = plan(
        outDir,
        4000,
        [
          [5, 5],
          [9, 3],
        ],
        distill,
      );
      const o = await runSmallModel(first);
      assert.deepEqual(o.failed, []);
      assert.deepEqual(
        o.tried.map((c) => c.widths),
        [
          [5, 5],
          [9, 3],
        ],
      );
      assert.ok(o.best);
      for (const c of o.tried) {
        assert.ok(c.report.fileBytes <= 4000, `${c.widths}: ${c.report.fileBytes} B > 4000`);
        assert.equal(statSync(c.report.output).size, c.report.fileBytes, 'the report counts the bytes on disk');
        assert.ok(c.report.accuracy!.validation <= o.best.report.accuracy!.validation);
        assert.equal(c.training.settings.epochs, 1);
        // Trained on the split compress trains on, its validation split held out (same counts from the same seed).
        assert.deepEqual(
          [c.training.trainSamples, c.training.validationSamples],
          [c.report.samples.train, c.report.samples.validation],
        );
        assert.equal(c.training.teacherSamples, distill ? c.training.trainSamples : 0);
      }
      const r = smallModelResult({ ...o, best: o.best }, first, {
        method,
        grid: 'test',
        ratio: 50,
        command: 'test',
        fp32WeightBytes: 203_560,
        kernelWeights: 50_816,
      });
      assert.equal(r.method, method);
      assert.ok(r.bytes <= r.targetBytes! && !r.overTarget);
      assert.equal(r.bytes, o.best.report.fileBytes);
      assert.equal(r.testAccuracy, o.best.report.accuracy!.runtime, 'test accuracy from the wasm runtime');
      assert.equal(r.testSamples, 100);
      assert.match(r.note, new RegExp(`^widths ${o.best.widths.join('-')} `));
      const trained = statSync(
        path.join(outDir, 'small', `mnist-mlp-5-5-s1${distill ? '-distill' : ''}`, 'baseline.json'),
      ).mtimeMs;
      const second = await runSmallModel(plan(outDir, 3000, [[5, 5]], distill));
      assert.ok(second.best && second.best.report.fileBytes <= 3000);
      assert.equal(
        statSync(path.join(outDir, 'small', `mnist-mlp-5-5-s1${distill ? '-distill' : ''}`, 'baseline.json')).mtimeMs,
        trained,
        'the 5-5 model was trained once for both targets',
      );
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
}
