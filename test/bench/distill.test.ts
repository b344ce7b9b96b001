// Distillation for the small models: the teacher read once per training sample however many epochs the student
// trains (the loss itself is the compiler's, tested in test/compiler/compress/distill.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { graphTeacher, type Teacher } from '../../compiler/compress/distill.js';
import { importModel } from '../../compiler/import/index.js';
import { trainSmallModel } from '../../bench/baselines/train.js';

test('the small-model trainer reads the teacher once per training sample, not once per epoch', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sqz-distill-'));
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
    const record = await trainSmallModel(
      {
        arch: 'lenet300',
        widths: [4, 3],
        data: 'mnist',
        epochs: 3,
        seed: 2,
        lr: 0.003,
        batch: 64,
        validationSplit: 0.1,
        trainSamples: 400,
        teacher: { model: 'examples/models/mnist-mlp/model.json', alpha: 0.9, temperature: 4 },
      },
      dir,
      'auto',
      teacher,
    );
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
