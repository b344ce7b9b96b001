// compress() from code with each form of `data`: a spec string (csv:), typed arrays, an async iterable of tfjs
// tensors, and a tf.data-style object with iterator(). The rows are scikit-learn's wine data (standardized by
// NumPy), in the same order in every form, so the forms must load the same samples and, with one seed on one
// backend, write byte-identical files within the target.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { compress, evaluate, type CompressOptions } from '../../../compiler/index.js';
import type { TensorElement } from '../../../compiler/data/source.js';
import { tempDir } from '../../cli/helpers.js';
import { saveLayersModel } from '../../fixtures/tfjs_models.js';

const PYTHON = '/usr/bin/python3';
const FEATURES = 13;

describe('compress({ model, data }) with every form of data', () => {
  let dir: string;
  let csv: string;
  let modelJson: string;
  let x: Float32Array;
  let y: Uint8Array;
  before(async () => {
    await tf.setBackend('cpu');
    dir = await tempDir('api-data');
    csv = path.join(dir, 'wine.csv');
    const rows = JSON.parse(
      execFileSync(PYTHON, [
        '-c',
        `
import json, numpy as np
from sklearn.datasets import load_wine
w = load_wine()
x = (w.data - w.data.mean(0)) / w.data.std(0)
order = np.random.default_rng(0).permutation(len(x))
x, t = x[order], w.target[order]
np.savetxt('${csv}', np.column_stack([x, t]), delimiter=',', fmt='%.9g', header=','.join(w.feature_names + ['cultivar']), comments='')
print(json.dumps({'x': np.loadtxt('${csv}', delimiter=',', skiprows=1)[:, :-1].ravel().tolist(), 'y': t.tolist()}))
`,
      ]).toString(),
    ) as { x: number[]; y: number[] };
    x = Float32Array.from(rows.x);
    y = Uint8Array.from(rows.y);
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({
          inputShape: [FEATURES],
          units: 24,
          activation: 'relu',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
        }),
        tfl.layers.dense({
          units: 3,
          activation: 'softmax',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
        }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
    const xs = tf.tensor2d(x, [y.length, FEATURES]);
    const ys = tf.tensor1d(y, 'float32');
    await model.fit(xs, ys, { epochs: 30, batchSize: 16, verbose: 0, shuffle: false });
    tf.dispose([xs, ys]);
    modelJson = await saveLayersModel(model, path.join(dir, 'wine-model'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** Rows of (x, y) whose index is (test) or is not (train) 5 mod 6: the split csv: and tensor datasets make. */
  function rowsWhere(test: boolean): { x: Float32Array; y: Uint8Array } {
    const keep = Array.from(y, (_, i) => i).filter((i) => (i % 6 === 5) === test);
    const xs = new Float32Array(keep.length * FEATURES);
    keep.forEach((i, k) => xs.set(x.subarray(i * FEATURES, (i + 1) * FEATURES), k * FEATURES));
    return { x: xs, y: Uint8Array.from(keep, (i) => y[i]!) };
  }

  /** Batches of 32 rows as tensors, xs float32 and ys int32. */
  function* tensorBatches(): Generator<TensorElement> {
    for (let at = 0; at < y.length; at += 32) {
      const n = Math.min(32, y.length - at);
      yield {
        xs: tf.tensor2d(x.subarray(at * FEATURES, (at + n) * FEATURES), [n, FEATURES]),
        ys: tf.tensor1d(y.subarray(at, at + n), 'int32'),
      };
    }
  }

  async function run(name: string, data: CompressOptions['data']): Promise<Uint8Array> {
    const output = path.join(dir, `${name}.sqz`);
    const { report, bytes } = await compress({
      model: modelJson,
      data,
      output,
      ratio: 3,
      backend: 'cpu',
      quiet: true,
      hyper: { epochs: 2, finetuneEpochs: 1, batchSize: 16, seed: 4 },
    });
    assert.equal(report.task, 'classification');
    assert.ok(bytes.length <= report.targetBytes, `${name}: ${bytes.length} > ${report.targetBytes}`);
    assert.equal(report.samples.test, 29, `${name}: rows 5, 11, ..., 173 of the 178 are test`);
    assert.ok(report.accuracy!.before > 0.9, `${name}: the trained model scores ${report.accuracy!.before}`);
    assert.deepEqual(await readFile(output), Buffer.from(bytes));
    return bytes;
  }

  it(
    'spec string, typed arrays, async iterable and tf.data-style iterator() give the same file',
    { timeout: 240_000 },
    async () => {
      const fromSpec = await run('spec', `csv:${csv}`);
      const train = rowsWhere(false);
      const test = rowsWhere(true);
      const fromArrays = await run('arrays', {
        train: { x: train.x, shape: [train.y.length, FEATURES], y: train.y },
        test: { x: test.x, shape: [test.y.length, FEATURES], y: test.y },
      });
      async function* asyncBatches() {
        yield* tensorBatches();
      }
      const fromIterable = await run('iterable', asyncBatches());
      const fromDataset = await run('dataset', {
        iterator: async () => {
          const it = tensorBatches();
          return { next: async () => it.next() };
        },
      });
      assert.deepEqual(fromArrays, fromSpec, 'arrays vs csv: spec');
      // evaluate() takes the same forms: the arrays' test split scores what the csv: spec's does
      const viaSpec = await evaluate({ model: modelJson, data: `csv:${csv}`, backend: 'cpu' });
      const viaArrays = await evaluate({
        model: modelJson,
        data: {
          train: { x: train.x, shape: [train.y.length, FEATURES], y: train.y },
          test: { x: test.x, shape: [test.y.length, FEATURES], y: test.y },
        },
        backend: 'cpu',
      });
      assert.equal(viaArrays.task, 'classification');
      assert.equal(viaArrays.samples, 29);
      assert.equal(viaArrays.accuracy, viaSpec.accuracy);
      assert.deepEqual(fromIterable, fromSpec, 'async iterable vs csv: spec');
      assert.deepEqual(fromDataset, fromSpec, 'tf.data-style dataset vs csv: spec');
    },
  );
});
