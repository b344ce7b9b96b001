// kmeans1d / kmeansByBits / quantizeToCentroids / roundCentroidsToF16 against independent references:
// an exact O(k·n²) DP with Welford group costs (exact.ts), brute-force nearest-centroid search, and formats' f16.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kmeans1d, kmeansByBits, quantizeToCentroids, roundCentroidsToF16 } from '../../../compiler/optimize/kmeans.js';
import { f16ToF32, f32ToF16, isF16Exact } from '../../../formats/f16.js';
import { gaussian, kmeansOptimalDistortion } from './exact.js';
import { rng } from '../../fixtures/random.js';

/** Random nonzero f32 values of one of several shapes: Gaussian, Laplacian, a few repeated levels, clumps. */
function randomValues(rand: () => number, n: number, kind: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let x: number;
    if (kind === 0) x = gaussian(rand);
    else if (kind === 1) x = (rand() < 0.5 ? -1 : 1) * -Math.log(Math.max(rand(), 1e-12)) * 0.1;
    else if (kind === 2)
      x = Math.round(rand() * 10) - 5.5; // many exact repeats, symmetric around 0
    else x = Math.floor(rand() * 4) * 3 + rand() * 0.2 - 4; // four clumps
    v[i] = Math.fround(x) === 0 ? 0.5 : x;
  }
  return v;
}

/** Σ w·(x − q(x))² computed from quantizeToCentroids' output: an independent check of the reported distortion. */
function distortionOf(values: Float32Array, centroids: Float32Array, weights?: Float32Array): number {
  const q = quantizeToCentroids(values, centroids);
  let d = 0;
  for (let i = 0; i < values.length; i++) d += (weights === undefined ? 1 : weights[i]) * (values[i] - q[i]) ** 2;
  return d;
}

function assertValidCodebook(c: Float32Array, k: number): void {
  assert.ok(c.length <= k, `${c.length} centroids for k = ${k}`);
  for (let j = 0; j < c.length; j++) {
    assert.notEqual(c[j], 0, 'a centroid is 0');
    if (j > 0) assert.ok(c[j] > c[j - 1], `centroids not strictly ascending at ${j}`);
  }
}

test('kmeans1d matches the exact optimum when the distinct values are few (DP start is exact)', (t) => {
  const rand = rng(11);
  let worst = 0;
  for (let trial = 0; trial < 300; trial++) {
    const n = 3 + Math.floor(rand() * 60);
    const k = 1 + Math.floor(rand() * 8);
    const values = randomValues(rand, n, trial % 4);
    const weights = trial % 3 === 0 ? Float32Array.from(values, () => 0.1 + rand() * 3) : undefined;
    const res = kmeans1d(values, k, { weights });
    assertValidCodebook(res.centroids, k);
    const opt = kmeansOptimalDistortion(values, k, weights);
    assert.ok(res.distortion <= opt * (1 + 1e-6) + 1e-9, `trial ${trial}: ${res.distortion} > optimum ${opt}`);
    assert.ok(Math.abs(res.distortion - distortionOf(values, res.centroids, weights)) <= 1e-9 * (1 + res.distortion));
    if (opt > 0) worst = Math.max(worst, res.distortion / opt - 1);
  }
  t.diagnostic(`worst gap to the optimum over 300 instances: ${worst.toExponential(2)}`);
});

test('kmeans1d with binned DP + Lloyd stays near the optimum', (t) => {
  // Above maxBins distinct values the DP runs on bins and Lloyd polishes. The default is 4,096 bins for k ≤ 256,
  // i.e. 16 bins per centroid; force the same ratio on 300–400 points so the exact reference stays cheap.
  const rand = rng(12);
  const gaps: number[] = [];
  for (let trial = 0; trial < 60; trial++) {
    const n = 300 + Math.floor(rand() * 100);
    const k = 2 + Math.floor(rand() * 7);
    const values = randomValues(rand, n, [0, 1, 3][trial % 3]);
    const res = kmeans1d(values, k, { maxBins: 16 * k });
    assertValidCodebook(res.centroids, k);
    const opt = kmeansOptimalDistortion(values, k);
    gaps.push(opt > 0 ? res.distortion / opt - 1 : 0);
  }
  gaps.sort((a, b) => a - b);
  const within1pct = gaps.filter((g) => g <= 0.01).length;
  t.diagnostic(
    `binned path: median gap ${gaps[30].toExponential(2)}, worst ${gaps[59].toExponential(2)}, ${within1pct}/60 within 1%`,
  );
  assert.ok(within1pct >= 57, `only ${within1pct}/60 instances within 1% of the optimum`);
  assert.ok(gaps[59] < 0.05, `worst gap ${gaps[59]}`);
});

test('kmeansByBits: distortion never increases with b; a large layer ends at a Lloyd fixed point', () => {
  const rand = rng(13);
  const n = 60000;
  const values = randomValues(rand, n, 1);
  const byBits = kmeansByBits(values, 8);
  assert.deepEqual(
    byBits.map((o) => o.bits),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
  for (let b = 0; b < 8; b++) {
    assertValidCodebook(byBits[b].centroids, 2 ** (b + 1));
    assert.equal(byBits[b].centroids.length, 2 ** (b + 1));
    const direct = distortionOf(values, byBits[b].centroids);
    assert.ok(
      Math.abs(byBits[b].distortion - direct) <= 1e-9 * direct,
      `b = ${b + 1}: reported ${byBits[b].distortion}, direct ${direct}`,
    );
    if (b > 0)
      assert.ok(byBits[b].distortion <= byBits[b - 1].distortion * (1 + 1e-12), `b = ${b + 1} is worse than b = ${b}`);
  }
  // Fixed point: every centroid is the mean of the values assigned to it (up to f32 rounding).
  const c = byBits[5].centroids;
  const q = quantizeToCentroids(values, c);
  const sum = new Float64Array(c.length);
  const cnt = new Float64Array(c.length);
  for (let i = 0; i < n; i++) {
    const j = c.indexOf(q[i]);
    sum[j] += values[i];
    cnt[j]++;
  }
  for (let j = 0; j < c.length; j++) {
    assert.ok(cnt[j] > 0, `centroid ${j} is unused`);
    const mean = sum[j] / cnt[j];
    assert.ok(
      Math.abs(mean - c[j]) <= 1e-6 * Math.abs(c[j]) + 1e-9,
      `centroid ${j} = ${c[j]} but its cell mean is ${mean}`,
    );
  }
});

test('kmeansByBits agrees with kmeans1d per b on small inputs and with the optimum', () => {
  const rand = rng(14);
  for (let trial = 0; trial < 20; trial++) {
    const values = randomValues(rand, 40 + trial, trial % 4);
    const all = kmeansByBits(values, 4);
    for (const o of all) {
      const opt = kmeansOptimalDistortion(values, 2 ** o.bits);
      assert.ok(o.distortion <= opt * (1 + 1e-6) + 1e-9, `trial ${trial} b = ${o.bits}: ${o.distortion} > ${opt}`);
    }
  }
});

test('distinct values ≤ k come back exactly, with distortion 0', () => {
  const values = new Float32Array([0.5, -1.25, 0.5, 3, -1.25, 3, 3, 7e-5]);
  const res = kmeans1d(values, 4);
  assert.deepEqual(Array.from(res.centroids), [-1.25, Math.fround(7e-5), 0.5, 3]);
  assert.equal(res.distortion, 0);
  const byBits = kmeansByBits(values, 3);
  assert.equal(byBits[0].centroids.length, 2);
  assert.ok(byBits[0].distortion > 0);
  for (const o of byBits.slice(1)) {
    assert.deepEqual(Array.from(o.centroids), [-1.25, Math.fround(7e-5), 0.5, 3]);
    assert.equal(o.distortion, 0);
  }
});

test('weights: scaling every weight scales the distortion; integer weights equal repeated values', () => {
  const rand = rng(15);
  const values = randomValues(rand, 50, 0);
  const weights = Float32Array.from(values, () => 1 + Math.floor(rand() * 3));
  const a = kmeans1d(values, 4, { weights });
  const b = kmeans1d(values, 4, { weights: weights.map((w) => 2 * w) });
  assert.deepEqual(Array.from(b.centroids), Array.from(a.centroids));
  assert.ok(Math.abs(b.distortion - 2 * a.distortion) <= 1e-9 * a.distortion);
  const repeated: number[] = [];
  values.forEach((v, i) => {
    for (let r = 0; r < weights[i]; r++) repeated.push(v);
  });
  const c = kmeans1d(Float32Array.from(repeated), 4);
  assert.deepEqual(Array.from(c.centroids), Array.from(a.centroids));
  assert.ok(Math.abs(c.distortion - a.distortion) <= 1e-9 * a.distortion);
  // A zero-weight value does not pull any centroid.
  const withOutlier = Float32Array.from([...values, 1000]);
  const d = kmeans1d(withOutlier, 4, { weights: Float32Array.from([...weights, 0]) });
  assert.deepEqual(Array.from(d.centroids), Array.from(a.centroids));
});

test('warm start and a centroid mean of exactly 0', () => {
  const rand = rng(16);
  const values = randomValues(rand, 500, 0);
  const cold = kmeans1d(values, 8);
  const warm = kmeans1d(values, 8, { init: cold.centroids });
  assert.ok(warm.distortion <= cold.distortion * (1 + 1e-12));
  // The optimum groups {−0.5, 0.5}, whose mean is 0: the centroid must stay nonzero (zero is implicit) and as
  // close to 0 as an f16 allows, so no nonzero value is mapped to 0.
  const sym = new Float32Array([-10, -0.5, 0.5, 10]);
  const res = kmeans1d(sym, 3);
  assertValidCodebook(res.centroids, 3);
  assert.deepEqual(Array.from(res.centroids), [-10, 2 ** -24, 10]);
  for (const x of quantizeToCentroids(sym, res.centroids)) assert.notEqual(x, 0);
  assert.ok(Math.abs(res.distortion - 0.5) < 1e-12);
});

test('quantizeToCentroids matches brute-force nearest search, ties to the lower centroid, zeros kept', () => {
  const rand = rng(17);
  for (let trial = 0; trial < 50; trial++) {
    const k = 1 + Math.floor(rand() * 10);
    const c = Float32Array.from(
      new Set(Array.from({ length: k }, () => Math.fround(Math.round(gaussian(rand) * 8) / 4 || 0.25))),
    ).sort();
    const values = new Float32Array(200);
    for (let i = 0; i < values.length; i++) {
      const r = rand();
      if (r < 0.2) values[i] = 0;
      else if (r < 0.4 && c.length > 1) {
        const j = Math.floor(rand() * (c.length - 1));
        values[i] = (c[j] + c[j + 1]) / 2; // exact midpoint (representable: quarter steps)
      } else values[i] = gaussian(rand) * 2;
    }
    values[0] = -0;
    const q = quantizeToCentroids(values, c);
    for (let i = 0; i < values.length; i++) {
      if (values[i] === 0) {
        assert.ok(Object.is(q[i], 0), `zero at ${i} became ${q[i]}`);
        continue;
      }
      let best = 0;
      for (let j = 1; j < c.length; j++) if (Math.abs(values[i] - c[j]) < Math.abs(values[i] - c[best])) best = j;
      assert.equal(q[i], c[best], `value ${values[i]} with codebook ${Array.from(c)}`);
    }
    const inPlace = values.slice();
    quantizeToCentroids(inPlace, c, inPlace);
    assert.deepEqual(inPlace, q);
  }
});

test('roundCentroidsToF16 gives sorted, distinct, nonzero, exact f16 values nearest the inputs', () => {
  const c = Float32Array.from([1e-9, -1e-9, 0.1, 0.10001, 0.3, -2.5, 1 / 3, 60000]).sort();
  const r = roundCentroidsToF16(c);
  for (let j = 0; j < r.length; j++) {
    assert.ok(isF16Exact(r[j]) && r[j] !== 0);
    if (j > 0) assert.ok(r[j] > r[j - 1]);
  }
  const expected = [...new Set(Array.from(c, (x) => f16ToF32(f32ToF16(x))).filter((x) => x !== 0))].sort(
    (a, b) => a - b,
  );
  assert.deepEqual(Array.from(r), expected);
  assert.ok(r.length < c.length); // 1e-9 underflows, 0.1 and 0.10001 merge
  assert.throws(() => roundCentroidsToF16(new Float32Array([70000])), /f16/);
});

test('bad input gets a clear RangeError', () => {
  assert.throws(() => kmeans1d(new Float32Array([1, 0, 2]), 2), /values\[1\] is 0; pass only the nonzero values/);
  assert.throws(() => kmeans1d(new Float32Array([1, NaN]), 2), /values\[1\] is NaN/);
  assert.throws(() => kmeans1d(new Float32Array([1, 2]), 0), /k is 0/);
  assert.throws(
    () => kmeans1d(new Float32Array([1, 2]), 2, { weights: new Float32Array([1]) }),
    /weights has 1 entries/,
  );
  assert.throws(
    () => kmeans1d(new Float32Array([1, 2]), 2, { weights: new Float32Array([1, -1]) }),
    /weights\[1\] is -1/,
  );
  assert.throws(() => kmeansByBits(new Float32Array([1, 2]), 17), /maxBits is 17/);
  assert.throws(() => quantizeToCentroids(new Float32Array([1]), new Float32Array([2, 1])), /strictly ascending/);
  assert.throws(() => quantizeToCentroids(new Float32Array([1]), new Float32Array([])), /codebook is empty/);
  assert.deepEqual(kmeans1d(new Float32Array(0), 4), { centroids: new Float32Array(0), distortion: 0 });
});
