// images:DIR on PNGs written by pngjs and JPEGs written by jpeg-js's encoder: class numbering by sorted folder
// names, the two split rules, channel conversion, the input range, and bilinear resizing checked against tfjs's
// resizeBilinear (halfPixelCenters, the sampling of tf.image.resize). Corrupt images and empty class folders are
// refused with the file named.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { loadDataset } from '../../../compiler/data/load.js';
import { DataError } from '../../../compiler/errors.js';
import { createRng } from '../../../compiler/util/rng.js';

const tmp = mkdtempSync(join(tmpdir(), 'sqz-images-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A w×h RGBA image of seeded random pixels (alpha 255). */
function randomRgba(w: number, h: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 255 : Math.floor(rng.float() * 256);
  return data;
}

function writePng(file: string, w: number, h: number, rgba: Uint8Array): void {
  const png = new PNG({ width: w, height: h });
  png.data = Buffer.from(rgba);
  writeFileSync(file, PNG.sync.write(png));
}

describe('images: folders', () => {
  const rgba: Record<string, Uint8Array> = {};
  before(async () => {
    await tf.setBackend('cpu');
    // flat/: classes 'b_cat' and 'a_dog' (sorted: a_dog = 0), 7 and 6 images of 10×8
    for (const [cls, n] of [
      ['b_cat', 7],
      ['a_dog', 6],
    ] as const) {
      mkdirSync(join(tmp, 'flat', cls), { recursive: true });
      for (let i = 0; i < n; i++) {
        const key = `${cls}/${String(i).padStart(2, '0')}.png`;
        rgba[key] = randomRgba(10, 8, 100 * n + i);
        writePng(join(tmp, 'flat', key), 10, 8, rgba[key]!);
      }
    }
    writeFileSync(join(tmp, 'flat', 'a_dog', 'notes.txt'), 'skipped');
    // split/: train/ and test/ folders with JPEGs
    for (const part of ['train', 'test']) {
      for (const cls of ['x', 'y']) {
        mkdirSync(join(tmp, 'split', part, cls), { recursive: true });
        const data = randomRgba(6, 6, part.length * 10 + cls.charCodeAt(0));
        writeFileSync(join(tmp, 'split', part, cls, 'img.jpg'), jpeg.encode({ width: 6, height: 6, data }, 90).data);
      }
    }
  });

  it('numbers classes by sorted folder name and tests every 6th image of each class; RGB at the same size', async () => {
    const d = await loadDataset(`images:${join(tmp, 'flat')}`, { inputShape: [8, 10, 3] });
    assert.deepEqual(d.classNames, ['a_dog', 'b_cat']);
    assert.equal(d.numClasses, 2);
    assert.deepEqual(Array.from(d.test.labels), [0, 1]);
    assert.equal(d.train.count, 11);
    // test image of a_dog is its file 05.png, channels R, G, B scaled to [0, 1]
    const ref = rgba['a_dog/05.png']!;
    const expected: number[] = [];
    for (let p = 0; p < 80; p++) for (let c = 0; c < 3; c++) expected.push(Math.fround(ref[4 * p + c]! / 255));
    assert.deepEqual(Array.from(d.test.images.subarray(0, 240)), expected);
  });

  it('resizes bilinearly exactly like tfjs resizeBilinear (half-pixel centres), gray by Rec. 601 luma, into --input-range', async () => {
    const d = await loadDataset(`images:${join(tmp, 'flat')}`, { inputShape: [5, 13, 1], inputRange: [-1, 1] });
    const ref = rgba['b_cat/05.png']!;
    const gray = new Float32Array(80);
    for (let p = 0; p < 80; p++) gray[p] = 0.299 * ref[4 * p]! + 0.587 * ref[4 * p + 1]! + 0.114 * ref[4 * p + 2]!;
    const resized = tf.tidy(() =>
      tf
        .sub(tf.mul(tf.div(tf.image.resizeBilinear(tf.tensor4d(gray, [1, 8, 10, 1]), [5, 13], false, true), 255), 2), 1)
        .dataSync(),
    );
    const got = d.test.images.subarray(65, 130);
    for (let i = 0; i < 65; i++)
      assert.ok(Math.abs(got[i]! - resized[i]!) < 1e-6, `pixel ${i}: ${got[i]} vs ${resized[i]}`);
  });

  it('reads train/ and test/ JPEG folders as the splits', async () => {
    const d = await loadDataset(`images:${join(tmp, 'split')}`, { inputShape: [6, 6, 3] });
    assert.equal(d.train.count, 2);
    assert.equal(d.test.count, 2);
    const decoded = jpeg.decode(
      jpeg.encode({ width: 6, height: 6, data: randomRgba(6, 6, 4 * 10 + 'y'.charCodeAt(0)) }, 90).data,
      { useTArray: true },
    );
    assert.equal(d.test.images[3 * 36 + 0], Math.fround(decoded.data[0]! / 255));
  });

  it('refuses a corrupt image and an empty class folder, naming the file', async () => {
    mkdirSync(join(tmp, 'bad', 'one'), { recursive: true });
    writePng(join(tmp, 'bad', 'one', 'a.png'), 4, 4, randomRgba(4, 4, 1));
    writeFileSync(join(tmp, 'bad', 'one', 'b.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
    await assert.rejects(
      loadDataset(`images:${join(tmp, 'bad')}`, { inputShape: [4, 4, 1] }),
      (err: unknown) =>
        err instanceof DataError &&
        /bad\/one\/b\.png \(image 1 of class 'one'\): not a readable image/.test(err.message),
    );
    rmSync(join(tmp, 'bad', 'one', 'b.png'));
    mkdirSync(join(tmp, 'bad', 'two'));
    await assert.rejects(
      loadDataset(`images:${join(tmp, 'bad')}`, { inputShape: [4, 4, 1] }),
      (err: unknown) => err instanceof DataError && /class folder .*bad\/two holds no PNG or JPEG/.test(err.message),
    );
  });
});
