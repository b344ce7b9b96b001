// size_model against formats' real encoder: encodeTensor picks the smallest exact encoding and encodedTensorBytes
// is its exact size inside Model (checked by test/formats against protobufjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  estimateF16TensorBytes,
  estimateSparseTensorBytes,
  indexBitsPerNonzero,
  riceKForRandomPositions,
  sparseTensorByteCandidates,
  sparseTensorBytesForMask,
} from '../../../compiler/optimize/size_model.js';
import {
  ENC_CODEBOOK,
  ENC_F16,
  ENC_F32,
  ENC_SPARSE_BITMAP,
  ENC_SPARSE_RICE,
  encodeTensor,
  encodeTensorAs,
  encodedTensorBytes,
  f16ToF32,
  f32ToF16,
  riceBitLength,
} from '../../../formats/index.js';
import { gaussian } from './exact.js';
import { rng } from '../../fixtures/random.js';

/** A tensor whose nonzeros (at a random mask of the given density) use every one of `entries` f16 values. */
function randomCodebookTensor(rand: () => number, n: number, density: number, entries: number) {
  const codebook = Array.from({ length: entries }, (_, i) =>
    f16ToF32(f32ToF16((i + 1) * 0.013 * (i % 2 === 0 ? 1 : -1))),
  );
  const keep = new Uint8Array(n);
  for (let j = 0; j < n; j++) keep[j] = rand() < density ? 1 : 0;
  const values = new Float32Array(n);
  let c = 0;
  for (let j = 0; j < n; j++) if (keep[j] === 1) values[j] = codebook[c < entries ? c++ : Math.floor(rand() * entries)];
  const nnz = keep.reduce((s, k) => s + k, 0);
  return { keep, values, nnz, used: Math.min(c, entries) };
}

test('sparseTensorBytesForMask equals the encoder byte for byte', () => {
  const rand = rng(41);
  for (let trial = 0; trial < 120; trial++) {
    const n = [7, 64, 1000, 5000, 30000][trial % 5];
    const shape = trial % 3 === 0 ? [n] : trial % 3 === 1 ? [1, n] : [n, 1, 1, 1];
    const density = [0.001, 0.01, 0.05, 0.2, 0.5, 0.9, 1][trial % 7];
    const bits = 1 + (trial % 8);
    const t = randomCodebookTensor(rand, n, density, 2 ** bits);
    const real = encodedTensorBytes(encodeTensor(t.values, shape));
    const predicted = sparseTensorBytesForMask(t.keep, t.used, { shape });
    assert.equal(
      predicted.best,
      real,
      `trial ${trial}: n ${n}, nnz ${t.nnz}, ${t.used} entries: predicted ${JSON.stringify(predicted)}, real ${real}`,
    );
  }
});

/** A random shape of `n` elements: rank 1 to 4, each dimension a factor of what is left. */
function randomShape(rand: () => number, n: number): number[] {
  const rank = 1 + Math.floor(rand() * 4);
  const shape: number[] = [];
  let left = n;
  for (let d = 1; d < rank; d++) {
    const divisors = Array.from({ length: Math.min(left, 64) }, (_, i) => i + 1).filter((k) => left % k === 0);
    const dim = divisors[Math.floor(rand() * divisors.length)]!;
    shape.push(dim);
    left /= dim;
  }
  return [...shape, left];
}

test("property: each encoding's predicted bytes equal the real encoder's, over random n, density, bits, entries and shapes", () => {
  const rand = rng(45);
  const encodings = [
    ['f32', ENC_F32],
    ['f16', ENC_F16],
    ['codebook', ENC_CODEBOOK],
    ['bitmap', ENC_SPARSE_BITMAP],
    ['rice', ENC_SPARSE_RICE],
  ] as const;
  for (let trial = 0; trial < 300; trial++) {
    const n = Math.max(1, Math.round(Math.exp(rand() * Math.log(60000)))); // log-uniform in 1..60000
    const shape = randomShape(rand, n);
    const density = Math.exp(Math.log(1e-4) * rand()); // log-uniform in 1e-4..1
    const bits = 1 + Math.floor(rand() * 8);
    const t = randomCodebookTensor(rand, n, density, 1 + Math.floor(rand() * 2 ** bits));
    const what = `trial ${trial}: n ${n}, shape [${shape}], nnz ${t.nnz}, ${t.used} entries`;
    const predicted = sparseTensorBytesForMask(t.keep, t.used, { shape });
    assert.equal(predicted.best, encodedTensorBytes(encodeTensor(t.values, shape)), `${what}: best`);
    for (const [name, encoding] of encodings) {
      if (t.nnz === 0 && encoding !== ENC_F32 && encoding !== ENC_F16) continue; // an empty tensor has one sparse form
      if (encoding === ENC_CODEBOOK && t.used + (t.nnz < n ? 1 : 0) > 256) continue; // no dense codebook holds them
      assert.equal(predicted[name], encodedTensorBytes(encodeTensorAs(t.values, shape, encoding)), `${what}: ${name}`);
    }
  }
});

test('estimateSparseTensorBytes is within 3% of the encoder for n ≥ 10k on random masks', (t) => {
  const rand = rng(42);
  const errors: number[] = [];
  for (const n of [10000, 30000, 120000]) {
    for (const density of [0.003, 0.01, 0.03, 0.08, 0.2, 0.5, 0.8]) {
      for (const bits of [1, 3, 5, 8]) {
        const tensor = randomCodebookTensor(rand, n, density, 2 ** bits);
        const real = encodedTensorBytes(encodeTensor(tensor.values, [n]));
        const est = estimateSparseTensorBytes(n, tensor.nnz, bits, tensor.used);
        errors.push((est - real) / real);
      }
    }
  }
  const abs = errors.map(Math.abs);
  const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
  t.diagnostic(
    `estimate − real over ${errors.length} tensors: mean ${(100 * mean).toFixed(3)}%, max |error| ${(100 * Math.max(...abs)).toFixed(3)}%`,
  );
  assert.ok(Math.max(...abs) < 0.03, `max error ${Math.max(...abs)}`);
});

test('riceKForRandomPositions expectation matches the real Rice stream of random masks', () => {
  const rand = rng(43);
  const n = 200000;
  for (const density of [0.002, 0.01, 0.05, 0.2, 0.6]) {
    const positions: number[] = [];
    for (let j = 0; j < n; j++) if (rand() < density) positions.push(j);
    const pos = Uint32Array.from(positions);
    const { k, bitsPerNonzero } = riceKForRandomPositions(n, pos.length);
    const realAtK = riceBitLength(pos, k) / pos.length;
    assert.ok(
      Math.abs(realAtK - bitsPerNonzero) / realAtK < 0.01,
      `density ${density}: expected ${bitsPerNonzero} bits at k = ${k}, real ${realAtK}`,
    );
    let realBest = Infinity;
    for (let kk = 0; kk <= 24; kk++) realBest = Math.min(realBest, riceBitLength(pos, kk) / pos.length);
    assert.ok(realAtK <= realBest * 1.01, `density ${density}: k = ${k} is not (near) the best k`);
    assert.equal(indexBitsPerNonzero(n, pos.length), Math.min(n / pos.length, bitsPerNonzero));
  }
  // Dense masks: a bitmap (1 bit per nonzero at full density) beats Rice.
  assert.equal(indexBitsPerNonzero(1000, 1000), 1);
  assert.equal(indexBitsPerNonzero(1000, 0), indexBitsPerNonzero(1000, 1));
});

test('estimateF16TensorBytes equals an encoded f16 tensor; f32 and codebook candidates match too', () => {
  const rand = rng(44);
  for (const n of [300, 4096, 70000]) {
    // > 256 distinct f16 values: no codebook form applies, f16 wins over f32.
    const values = Float32Array.from({ length: n }, () => f16ToF32(f32ToF16(gaussian(rand))) || 1);
    const shape = [n / 4 === Math.floor(n / 4) ? n / 4 : n, n / 4 === Math.floor(n / 4) ? 4 : 1];
    const t = encodeTensor(values, shape);
    assert.equal(estimateF16TensorBytes(n, { shape }), encodedTensorBytes(t));
    // Dense codebook: a full tensor of 3 values (no zeros) at 2 bits.
    const three = Float32Array.from({ length: n }, (_, j) => [0.5, -0.25, 1][j % 3]);
    const c = sparseTensorByteCandidates(n, n, 2, 3, { shape });
    assert.equal(c.best, encodedTensorBytes(encodeTensor(three, shape)));
    assert.equal(c.best, c.codebook);
  }
  const empty = encodeTensor(new Float32Array(50), [5, 10]);
  assert.equal(estimateSparseTensorBytes(50, 0, 3, undefined, { shape: [5, 10] }), encodedTensorBytes(empty));
});

test('size model rejects bad input with a clear message', () => {
  assert.throws(() => estimateSparseTensorBytes(0, 0, 4), /n is 0/);
  assert.throws(() => estimateSparseTensorBytes(10, 11, 4), /nnz is 11/);
  assert.throws(() => estimateSparseTensorBytes(10, 5, 9), /bits is 9/);
  assert.throws(() => estimateSparseTensorBytes(100, 50, 2, 5), /entries is 5/);
});
