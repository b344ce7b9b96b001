// snapCodebook's CB_Q8 grid (compiler/optimize/quantize.ts, roundCentroidsToQ8Grid): what it returns is what the
// encoder stores as CB_Q8, each centroid moves by at most half a grid step (or to ±step from near zero), and
// snapping twice changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CB_Q8 } from '../../../formats/constants.js';
import { decodeQ8Codebook, encodeQ8Codebook } from '../../../formats/codebook_q8.js';
import { encodeTensorAs } from '../../../formats/tensor_codec.js';
import { ENC_SPARSE_RICE } from '../../../formats/constants.js';
import { snapCodebook } from '../../../compiler/compress/joint_projection.js';
import { kmeans1d } from '../../../compiler/optimize/kmeans.js';
import { Q8_GRID_ENTRIES, roundCentroidsToQ8Grid } from '../../../compiler/optimize/quantize.js';
import { gaussian } from './exact.js';
import { rng } from '../../fixtures/random.js';

test('k-means codebooks of 6..16 entries land on a grid the encoder stores as CB_Q8, within half a step', () => {
  const rand = rng(91);
  for (let trial = 0; trial < 150; trial++) {
    const scale = 10 ** (rand() * 6 - 4);
    const shift = rand() < 0.2 ? scale * 3 : 0; // some codebooks all of one sign
    const weights = Float32Array.from({ length: 400 }, () => gaussian(rand) * scale + shift);
    const k = Q8_GRID_ENTRIES.min + Math.floor(rand() * (Q8_GRID_ENTRIES.max - Q8_GRID_ENTRIES.min + 1));
    const centroids = kmeans1d(weights, k).centroids;
    const snapped = snapCodebook(centroids);
    const what = `trial ${trial}: ${k} centroids at scale ${scale}`;
    const stored = encodeQ8Codebook(snapped);
    assert.ok(stored !== undefined, what);
    assert.deepEqual(Array.from(decodeQ8Codebook(stored)), Array.from(snapped), what);
    assert.equal(
      encodeTensorAs(Float32Array.of(0, ...snapped), [snapped.length + 1], ENC_SPARSE_RICE).codebookType,
      CB_Q8,
    );
    for (let i = 1; i < snapped.length; i++) assert.ok(snapped[i]! > snapped[i - 1]!, `${what}: ascending`);
    assert.ok(!snapped.includes(0), `${what}: no zero entry`);
    assert.ok(snapped.length <= centroids.length, what);
    const step = 2 ** new DataView(stored.buffer).getInt8(0);
    assert.ok((snapped.at(-1)! - snapped[0]!) / step <= 255, what);
    for (const c of centroids) {
      if (c === 0) continue;
      const nearest = snapped.reduce((best, s) => (Math.abs(s - c) < Math.abs(best - c) ? s : best), snapped[0]!);
      const bound = Math.abs(c) < step / 2 ? step : step / 2;
      assert.ok(Math.abs(nearest - c) <= bound * (1 + 1e-6), `${what}: ${c} moved to ${nearest}, step ${step}`);
    }
    assert.deepEqual(Array.from(snapCodebook(snapped)), Array.from(snapped), `${what}: idempotent`);
  }
});

test('fewer than 6 or more than 16 entries stay f16; what no grid holds is refused', () => {
  const five = Float32Array.of(-0.3, -0.1, 0.2, 0.4, 0.7);
  assert.deepEqual(
    Array.from(snapCodebook(five)),
    Array.from(five, (v) => Math.fround(v)).map((v) => snapCodebook(Float32Array.of(v))[0]),
  );
  const many = Float32Array.from({ length: 17 }, (_, i) => (i - 8.3) / 64);
  const stored = snapCodebook(many);
  assert.equal(stored.length, 17);
  assert.equal(encodeQ8Codebook(stored), undefined); // f16 values: their lowest bits need a grid far finer than 255 steps over the span
  assert.equal(roundCentroidsToQ8Grid(Float32Array.of(1, Infinity)), undefined);
  assert.equal(roundCentroidsToQ8Grid(Float32Array.of(1e6, 1e6 + 1)), undefined); // offset far beyond int16
  assert.equal(roundCentroidsToQ8Grid(Float32Array.of(0.5)), undefined);
  // A centroid closer to zero than half a step keeps its sign and stays nonzero.
  const nearZero = roundCentroidsToQ8Grid(Float32Array.of(-10, 1e-9, 10))!;
  assert.equal(nearZero.length, 3);
  assert.ok(nearZero[1]! > 0);
});
