// `sqz eval` on the digit MLP: the .sqz's accuracy must equal one computed here sample by sample with SqzModel,
// and the model.json it came from (exact f32 weights) must score the same through tfjs.
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { test } from 'node:test';
import { loadDataset, subset } from '../../compiler/data/index.js';
import { SqzModel } from '../../runtime/index.js';
import { convertMlp, MLP_MODEL, runCli, tempDir } from './helpers.js';

const LIMIT = 300;
const dir = await tempDir('eval');
test.after(() => rm(dir, { recursive: true, force: true }));
const sqz = await convertMlp(dir);

/** Accuracy of the .sqz on the stratified LIMIT-sample subset of mnist's test split, one predict per sample. */
async function referenceAccuracy(): Promise<{ correct: number; count: number }> {
  const test = subset((await loadDataset('mnist')).test, LIMIT);
  const model = await SqzModel.load(await readFile(sqz));
  let correct = 0;
  for (let i = 0; i < test.count; i++) {
    const scores = model.predict(test.images.slice(i * 784, (i + 1) * 784));
    const predicted = scores.indexOf(Math.max(...scores));
    if (predicted === test.labels[i]) correct++;
  }
  model.dispose();
  return { correct, count: test.count };
}

test('eval .sqz --limit --json equals the runtime accuracy computed independently', { timeout: 120_000 }, async () => {
  const r = await runCli(['eval', sqz, '--data', 'mnist', '--limit', String(LIMIT), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  const reference = await referenceAccuracy();
  assert.equal(result.samples, reference.count);
  assert.equal(result.correct, reference.correct);
  assert.equal(result.accuracy, reference.correct / reference.count);
  assert.match(result.engine, /^wasm runtime/);
  assert.ok(result.accuracy > 0.85, `accuracy ${result.accuracy}`); // the model scores 94% on the full split

  const json = await runCli([
    'eval',
    MLP_MODEL,
    '--data',
    'mnist',
    '--limit',
    String(LIMIT),
    '--json',
    '--backend',
    'wasm',
  ]);
  assert.equal(json.code, 0, json.stderr);
  const tfjs = JSON.parse(json.stdout);
  assert.match(tfjs.engine, /^tfjs/);
  assert.equal(tfjs.samples, reference.count);
  // Same f32 weights, two engines: float summation order may flip a near-tie, nothing more.
  assert.ok(Math.abs(tfjs.correct - reference.correct) <= 1, `tfjs ${tfjs.correct} vs runtime ${reference.correct}`);
});

test('eval prints one summary line', { timeout: 60_000 }, async () => {
  const r = await runCli(['eval', sqz, '--data', 'mnist', '--limit', '50']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^.*mlp\.sqz: test accuracy \d+\.\d\d% \(\d+ of 50 mnist test samples\) in wasm runtime/);
});
