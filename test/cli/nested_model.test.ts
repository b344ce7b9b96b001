// A Teachable-Machine-shaped model (a Sequential nesting a functional MobileNet and a Sequential head) through the
// real CLI: `sqz convert`, `sqz compress` on mnist digits (the wasm training engine), `sqz run` on a digit, and the
// compressed file loaded into tfjs with sqz/tfjs, predicting what the wasm runtime predicts. None of the commands
// prints anything of tfjs's own (its "running TensorFlow.js in Node.js" notice).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadDataset } from '../../compiler/data/index.js';
import { SqzModel } from '../../runtime/index.js';
import { sqzHandler } from '../../tfjs/index.js';
import { assertClose } from '../fixtures/compare.js';
import { teachableMachineModel } from '../fixtures/nested_models.js';
import { saveLayersModel } from '../fixtures/tfjs_models.js';
import { type CliResult, runCli, tempDir } from './helpers.js';

let dir = '';
let modelJson = '';
let digit: Float32Array;

before(async () => {
  tf.env().set('IS_TEST', true);
  assert.equal(await tf.setBackend('cpu'), true);
  dir = await tempDir('nested');
  modelJson = await saveLayersModel(teachableMachineModel([28, 28, 1], 10, 41), path.join(dir, 'tm'));
  digit = (await loadDataset('mnist')).test.images.slice(0, 784);
  await writeFile(path.join(dir, 'digit.json'), JSON.stringify(Array.from(digit)));
});
after(async () => rm(dir, { recursive: true, force: true }));

/** Nothing tfjs prints on its own: its banner, its backend notices. */
function assertNoTfjsOutput(r: CliResult, what: string): void {
  for (const text of [r.stdout, r.stderr]) {
    assert.doesNotMatch(
      text,
      /TensorFlow\.js|tfjs-node|={10}|Platform .* has already been set|Initialization of backend/,
      `${what} printed tfjs's own output:\n${text}`,
    );
  }
}

test(
  'a nested Teachable-Machine-shaped model goes through convert, compress, run and sqz/tfjs',
  { timeout: 300_000 },
  async () => {
    const converted = path.join(dir, 'tm.sqz');
    const convert = await runCli(['convert', modelJson, '-o', converted]);
    assert.equal(convert.code, 0, convert.stderr);
    assertNoTfjsOutput(convert, 'convert');
    assert.match(convert.stdout, /ops: \d+ {3}parameters: [\d,]+/);

    const compressed = path.join(dir, 'tm-10x.sqz');
    const report = path.join(dir, 'tm-10x.json');
    const compress = await runCli([
      'compress',
      modelJson,
      '--data',
      'mnist',
      '--ratio',
      '10',
      '--train-samples',
      '600',
      '--test-samples',
      '200',
      '--epochs',
      '1',
      '--finetune-epochs',
      '1',
      '--seed',
      '3',
      '--backend',
      'wasm',
      '--quiet',
      '-o',
      compressed,
      '--report',
      report,
    ]);
    assert.equal(compress.code, 0, compress.stderr);
    assertNoTfjsOutput(compress, 'compress');
    const rep = JSON.parse(await readFile(report, 'utf8')) as {
      fileBytes: number;
      targetBytes: number;
      accuracy: { agreement: number };
      layers: { name: string }[];
    };
    const bytes = await readFile(compressed);
    assert.equal(rep.fileBytes, bytes.length);
    assert.ok(bytes.length <= rep.targetBytes, `file ${bytes.length} bytes > target ${rep.targetBytes}`);
    assert.ok(rep.accuracy.agreement >= 0.99, `the wasm runtime agrees with the compiler on ${rep.accuracy.agreement}`);
    assert.ok(
      rep.layers.some((l) => l.name === 'sequential_3/dense_Dense2'),
      "the head's layers are compressed, named through the nested model",
    );

    const run = await runCli(['run', compressed, '--input', path.join(dir, 'digit.json')]);
    assert.equal(run.code, 0, run.stderr);
    assertNoTfjsOutput(run, 'run');
    const output = JSON.parse(run.stdout) as { outputShape: number[]; outputs: number[][] };
    assert.deepEqual(output.outputShape, [10]);
    assert.ok(Math.abs(output.outputs[0]!.reduce((a, b) => a + b, 0) - 1) < 1e-4, 'softmax scores sum to 1');

    const sqz = await SqzModel.load(new Uint8Array(bytes));
    const expected = sqz.predict(digit);
    assertClose(Float32Array.from(output.outputs[0]!), expected, 1e-6, 'sqz run vs SqzModel.predict');
    const rebuilt = await tfl.loadLayersModel(sqzHandler(new Uint8Array(bytes)));
    tf.tidy(() =>
      assertClose(
        (rebuilt.predict(tf.tensor(digit, [1, 28, 28, 1])) as tf.Tensor).dataSync(),
        expected,
        1e-4,
        'sqz/tfjs vs wasm',
      ),
    );
    rebuilt.dispose();
    sqz.dispose();
  },
);
