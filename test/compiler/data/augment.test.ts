// Shifted training images against tfjs: each shifted sample must equal tf.pad (with the sample's corner value)
// followed by tf.slice at the drawn offset, on real mnist digits and on 3-channel images whose corner is not 0.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { maxShiftOf, shiftBatch } from '../../../compiler/data/augment.js';
import { loadDataset, subset, type Split } from '../../../compiler/data/index.js';
import { createRng } from '../../../compiler/util/rng.js';

await tf.setBackend('cpu');

/** The sample shifted by (dy, dx) the tfjs way: pad every side by `max` with its corner values, then slice. */
function reference(sample: Float32Array, shape: [number, number, number], max: number, dy: number, dx: number) {
  const [h, w, c] = shape;
  return tf.tidy(() => {
    const x = tf.tensor3d(sample, shape);
    const channels = tf.split(x, c, 2).map((ch, k) =>
      tf.pad(
        ch,
        [
          [max, max],
          [max, max],
          [0, 0],
        ],
        sample[k]!,
      ),
    );
    const padded = tf.concat(channels, 2);
    return tf.slice(padded, [max - dy, max - dx, 0], [h, w, c]).dataSync() as Float32Array;
  });
}

function checkAgainstTfjs(batch: Split, shape: [number, number, number], max: number, seed: number): void {
  const shifted = shiftBatch(batch, shape, max, createRng(seed));
  const twin = createRng(seed); // draws the same (dy, dx) pairs, in the same order
  const size = shape[0] * shape[1] * shape[2];
  const seen = new Set<string>();
  for (let s = 0; s < batch.count; s++) {
    const dy = twin.int(2 * max + 1) - max;
    const dx = twin.int(2 * max + 1) - max;
    seen.add(`${dy},${dx}`);
    const expected = reference(batch.images.subarray(s * size, (s + 1) * size), shape, max, dy, dx);
    assert.deepEqual(shifted.images.subarray(s * size, (s + 1) * size), expected, `sample ${s}, shift (${dy}, ${dx})`);
  }
  assert.ok(seen.size > 1, 'the shifts vary between samples');
  assert.deepEqual(shifted.labels, batch.labels);
  assert.equal(shifted.count, batch.count);
}

describe('shiftBatch', () => {
  it('shifts mnist digits as tf.pad + tf.slice do', async () => {
    const digits = subset((await loadDataset('mnist')).test, 40);
    checkAgainstTfjs(digits, [28, 28, 1], 1, 3);
    checkAgainstTfjs(digits, [28, 28, 1], 3, 4);
  });

  it('fills uncovered pixels with each channel of the corner, on odd-sized RGB images', () => {
    const shape: [number, number, number] = [7, 9, 3];
    const rng = createRng(11);
    const count = 30;
    const images = Float32Array.from({ length: count * 7 * 9 * 3 }, () => rng.float());
    checkAgainstTfjs({ images, labels: new Uint8Array(count), count }, shape, 2, 5);
  });

  it('leaves the batch alone at shift 0 and draws nothing', () => {
    const batch = { images: new Float32Array(2 * 4 * 4), labels: new Uint8Array(2), count: 2 };
    const rng = createRng(1);
    const before = rng.getState();
    assert.equal(shiftBatch(batch, [4, 4, 2], 0, rng), batch);
    assert.deepEqual(rng.getState(), before);
  });

  it('refuses shapes that are not images, or too small for the shift', () => {
    assert.equal(maxShiftOf([784]), 0);
    assert.equal(maxShiftOf([28, 28]), 0);
    assert.equal(maxShiftOf([2, 28, 1]), 0);
    assert.equal(maxShiftOf([3, 3, 1]), 1);
    assert.equal(maxShiftOf([28, 32, 3]), 13);
    const batch = { images: new Float32Array(10), labels: new Uint8Array(1), count: 1 };
    assert.throws(() => shiftBatch(batch, [10], 1, createRng(1)), /cannot shift samples of shape \[10\]/);
    assert.throws(
      () => shiftBatch(batch, [2, 5, 1], 1, createRng(1)),
      /cannot shift samples of shape \[2, 5, 1\] by 1/,
    );
  });
});
