// Regression and reconstruction through the real CLI: a regression MLP on scikit-learn's diabetes data from a CSV,
// and an autoencoder on an npz without y. Each model is trained here with tfjs-layers; `sqz compress` must infer
// the task and say so, write a file within the real-byte target, report the task's metric (MSE, MAE) before and
// after, and the wasm runtime's figure must match the compiler's. The "before" MSE is checked against tfjs-layers'
// own predict of the model, an independent forward pass.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadDataset } from '../../../compiler/data/index.js';
import { compress } from '../../../compiler/index.js';
import { constantOutputMse } from '../../../compiler/compress/chance.js';
import type { CompressReport } from '../../../compiler/compress/report.js';
import { runCli, tempDir } from '../../cli/helpers.js';
import { saveLayersModel } from '../../fixtures/tfjs_models.js';

const PYTHON = '/usr/bin/python3';
let dir: string;
before(async () => {
  await tf.setBackend('cpu');
  dir = await tempDir('tasks');
});
after(() => rm(dir, { recursive: true, force: true }));

/** A seeded Glorot initializer, so the models trained here repeat. */
const seeded = (seed: number) => tfl.initializers.glorotUniform({ seed });

/** Mean squared error of tfjs-layers' predict against `expected`, over all values. */
function layersMse(model: tfl.LayersModel, x: Float32Array, inputShape: number[], expected: Float32Array): number {
  return tf.tidy(() => {
    const n = x.length / inputShape.reduce((a, b) => a * b, 1);
    const out = model.predict(tf.tensor(x, [n, ...inputShape])) as tf.Tensor;
    return tf.mean(tf.square(tf.sub(tf.reshape(out, [-1]), tf.tensor1d(expected)))).dataSync()[0]!;
  });
}

async function compressAndCheck(modelJson: string, spec: string, ratio: number, task: string): Promise<CompressReport> {
  const out = path.join(dir, `${task}.sqz`);
  const reportFile = path.join(dir, `${task}.json`);
  const r = await runCli([
    'compress',
    modelJson,
    '--data',
    spec,
    '--ratio',
    String(ratio),
    '-o',
    out,
    '--report',
    reportFile,
    '--epochs',
    '3',
    '--finetune-epochs',
    '1',
    '--batch-size',
    '32',
    '--lr',
    '0.01',
    '--backend',
    'cpu',
    '--seed',
    '3',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr + r.stdout, new RegExp(`task ${task} \\(inferred`));
  assert.match(r.stderr + r.stdout, /validation MSE \d/);
  const report = JSON.parse(await readFile(reportFile, 'utf8')) as CompressReport;
  const bytes = await readFile(out);
  assert.equal(report.task, task);
  assert.equal(report.accuracy, undefined, 'no accuracy block for a task without classes');
  assert.ok(bytes.length <= report.targetBytes, `file ${bytes.length} bytes > target ${report.targetBytes}`);
  const m = report.metrics;
  assert.ok(m.runtime !== undefined);
  assert.ok(
    Math.abs(m.runtime.mse! - m.after.mse!) <= 1e-3 * m.after.mse!,
    `runtime ${m.runtime.mse} vs ${m.after.mse}`,
  );
  return report;
}

describe('tasks beyond classification', () => {
  it(
    'regression: an MLP on diabetes.csv (sklearn) compresses to its target, MSE reported before and after',
    { timeout: 240_000 },
    async () => {
      const csv = path.join(dir, 'diabetes.csv');
      execFileSync(PYTHON, [
        '-c',
        `
import numpy as np
from sklearn.datasets import load_diabetes
d = load_diabetes()
np.savetxt('${csv}', np.column_stack([d.data * 10, d.target / 100]), delimiter=',', header=','.join(d.feature_names + ['progression']), comments='')
`,
      ]);
      const data = await loadDataset(`csv:${csv}`);
      const model = tfl.sequential({
        layers: [
          tfl.layers.dense({ inputShape: [10], units: 48, activation: 'relu', kernelInitializer: seeded(1) }),
          tfl.layers.dense({ units: 1, kernelInitializer: seeded(2) }),
        ],
      });
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
      const x = tf.tensor2d(data.train.images, [data.train.count, 10]);
      const y = tf.tensor2d(data.train.targets!, [data.train.count, 1]);
      await model.fit(x, y, { epochs: 100, batchSize: 32, verbose: 0, shuffle: false });
      tf.dispose([x, y]);
      const modelJson = await saveLayersModel(model, path.join(dir, 'regressor'));
      const report = await compressAndCheck(`${modelJson}`, `csv:${csv}`, 4, 'regression');
      const reference = layersMse(model, data.test.images, [10], data.test.targets!);
      assert.ok(
        Math.abs(report.metrics.before.mse! - reference) <= 1e-4 * reference,
        `${report.metrics.before.mse} vs tfjs-layers ${reference}`,
      );
      const variance = (() => {
        const t = data.test.targets!;
        const mean = t.reduce((a, b) => a + b, 0) / t.length;
        return t.reduce((a, b) => a + (b - mean) ** 2, 0) / t.length;
      })();
      assert.ok(
        reference < 0.85 * variance,
        `the trained model explains the data (MSE ${reference}, variance ${variance})`,
      );
      assert.ok(
        report.metrics.runtime!.mse! < variance,
        `compressed MSE ${report.metrics.runtime!.mse} beats predicting the mean (${variance})`,
      );

      // The same through the JS API, with the spec string.
      const api = await compress({
        model: modelJson,
        data: `csv:${csv}`,
        output: path.join(dir, 'api-regression.sqz'),
        ratio: 4,
        backend: 'cpu',
        quiet: true,
        hyper: { epochs: 3, finetuneEpochs: 1, batchSize: 32, lr: 0.01, seed: 3 },
      });
      assert.equal(api.report.task, 'regression');
      assert.ok(api.bytes.length <= api.report.targetBytes, `${api.bytes.length} > ${api.report.targetBytes}`);
      assert.ok(
        api.report.metrics.runtime!.mse! < variance,
        `API compressed MSE ${api.report.metrics.runtime!.mse} beats predicting the mean (${variance})`,
      );
    },
  );

  it(
    'reconstruction: an autoencoder on an npz without y compresses to its target, MSE reported before and after',
    { timeout: 240_000 },
    async () => {
      const npz = path.join(dir, 'signals.npz');
      execFileSync(PYTHON, [
        '-c',
        `
import numpy as np
rng = np.random.default_rng(5)
mix = rng.standard_normal((3, 24))
def make(n):
    z = rng.standard_normal((n, 3))
    return (1 / (1 + np.exp(-z @ mix))).astype(np.float32)
np.savez_compressed('${npz}', x_train=make(1200), x_test=make(200))
`,
      ]);
      const data = await loadDataset(`npz:${npz}`);
      const model = tfl.sequential({
        layers: [
          tfl.layers.dense({ inputShape: [24], units: 32, activation: 'relu', kernelInitializer: seeded(10) }),
          tfl.layers.dense({ units: 6, activation: 'relu', kernelInitializer: seeded(11) }),
          tfl.layers.dense({ units: 32, activation: 'relu', kernelInitializer: seeded(12) }),
          tfl.layers.dense({ units: 24, activation: 'sigmoid', kernelInitializer: seeded(13) }),
        ],
      });
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
      const x = tf.tensor2d(data.train.images, [data.train.count, 24]);
      await model.fit(x, x, { epochs: 40, batchSize: 64, verbose: 0, shuffle: false });
      x.dispose();
      const modelJson = await saveLayersModel(model, path.join(dir, 'autoencoder'));
      const report = await compressAndCheck(modelJson, `npz:${npz}`, 4, 'reconstruction');
      const reference = layersMse(model, data.test.images, [24], data.test.images);
      assert.ok(
        Math.abs(report.metrics.before.mse! - reference) <= 1e-4 * reference,
        `${report.metrics.before.mse} vs tfjs-layers ${reference}`,
      );
      assert.ok(report.metrics.runtime!.mse! < 0.05, `compressed reconstruction MSE ${report.metrics.runtime!.mse}`);

      // The same through the JS API, with the arrays in memory and no y: the task is inferred the same way.
      const api = await compress({
        model: modelJson,
        data: {
          train: { x: data.train.images, shape: [data.train.count, 24] },
          test: { x: data.test.images, shape: [data.test.count, 24] },
        },
        output: path.join(dir, 'api-reconstruction.sqz'),
        ratio: 4,
        backend: 'cpu',
        quiet: true,
        hyper: { epochs: 3, finetuneEpochs: 1, batchSize: 32, lr: 0.01, seed: 3 },
      });
      assert.equal(api.report.task, 'reconstruction');
      assert.ok(api.bytes.length <= api.report.targetBytes, `${api.bytes.length} > ${api.report.targetBytes}`);
      assert.ok(
        Math.abs(api.report.metrics.before.mse! - reference) <= 1e-4 * reference,
        `API before ${api.report.metrics.before.mse} vs tfjs-layers ${reference}`,
      );
      assert.ok(api.report.metrics.runtime!.mse! < 0.05, `API reconstruction MSE ${api.report.metrics.runtime!.mse}`);
      assert.deepEqual(api.report.warnings, [], 'a useful result carries no warning');

      // At the smallest file the graph allows (every weight pruned, the biases kept) the output no longer depends on
      // the input: no better than the training mean as a constant, which the run flags (and still writes).
      const smallest = await compress({ ...tinyArgs(modelJson, npz), targetBytes: 1 }).then(
        () => assert.fail('a 1-byte target is refused'),
        (err: Error) => Number(/--target-size (\d+) or more/.exec(err.message)?.[1]),
      );
      assert.ok(smallest > 0);
      const useless = await compress({ ...tinyArgs(modelJson, npz), targetBytes: smallest });
      const constant = constantOutputMse(data.train.images, data.test.images, 24);
      const mse = useless.report.metrics.runtime!.mse!;
      assert.ok(mse > constant - 0.1 * (constant - reference), `MSE ${mse} at ${smallest} B, constant ${constant}`);
      assert.equal(useless.report.warnings.length, 1);
      assert.match(useless.report.warnings[0]!, /no better than a constant output: test MSE .* --target-size/);
    },
  );
});

/** A short reconstruction run of `modelJson` on `npz` through the JS API (cpu backend). */
function tinyArgs(modelJson: string, npz: string) {
  return {
    model: modelJson,
    data: `npz:${npz}`,
    output: path.join(dir, 'tiny-reconstruction.sqz'),
    backend: 'cpu' as const,
    quiet: true,
    hyper: { epochs: 2, finetuneEpochs: 1, batchSize: 32, lr: 0.01, seed: 3 },
  };
}
