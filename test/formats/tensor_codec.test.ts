import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CB_F16,
  CB_F32,
  ENC_CODEBOOK,
  ENC_F16,
  ENC_F32,
  ENC_SPARSE_BITMAP,
  ENC_SPARSE_RICE,
} from '../../formats/constants.js';
import { f16ToF32 } from '../../formats/f16.js';
import {
  decodeTensor,
  encodedTensorBytes,
  encodeTensor,
  encodeTensorAs,
  tensorStats,
} from '../../formats/tensor_codec.js';
import type { TensorMessage } from '../../formats/schema.js';
import { canonicalZeros, naiveRiceDecode, naiveUnpack, u32 } from './reference.js';
import { rng } from '../fixtures/random.js';

const ENCODINGS = [ENC_F32, ENC_F16, ENC_CODEBOOK, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE];

/** Asserts decode(t) is bit-identical to `values` with −0 read as +0. */
function assertExact(t: TensorMessage, values: Float32Array, what: string): void {
  const back = decodeTensor(t);
  assert.equal(back.length, values.length, what);
  assert.deepEqual(u32(back), u32(canonicalZeros(values)), what);
}

/** Every encoding that accepts `values`, each checked to round-trip exactly; returns them. */
function allForced(values: Float32Array, shape: number[], what: string): TensorMessage[] {
  const out: TensorMessage[] = [];
  for (const enc of ENCODINGS) {
    let t: TensorMessage;
    try {
      t = encodeTensorAs(values, shape, enc);
    } catch (e) {
      assert.ok(e instanceof RangeError, `${what} enc ${enc}: ${e}`);
      continue;
    }
    assert.equal(t.encoding, enc);
    assertExact(t, values, `${what} forced enc ${enc}`);
    out.push(t);
  }
  return out;
}

/** n values, a fraction `density` nonzero, drawn from `levels`. */
function fromLevels(n: number, density: number, levels: number[], random: () => number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) if (random() < density) v[i] = levels[Math.floor(random() * levels.length)];
  return v;
}

function levelsOf(count: number, f16Exact: boolean, random: () => number): number[] {
  const set = new Set<number>();
  while (set.size < count) {
    const x = f16Exact
      ? f16ToF32(Math.floor(random() * 0x7c00) | (random() < 0.5 ? 0x8000 : 0))
      : Math.fround((random() - 0.5) * 3);
    if (x !== 0) set.add(x);
  }
  return [...set];
}

test('codebook forms round-trip with b = 1, 4, 8 and exactly 2^b or fewer entries, f16 and f32 codebooks', () => {
  const random = rng(50);
  for (const b of [1, 2, 3, 4, 5, 6, 7, 8]) {
    for (const entries of [2 ** b, 2 ** b - 1, 2 ** (b - 1) + 1]) {
      if (entries < 1 || (b > 1 && entries <= 2 ** (b - 1))) continue;
      for (const f16Exact of [true, false]) {
        const levels = levelsOf(entries, f16Exact, random);
        // Dense codebook: every level used, no zero, so the codebook has exactly `entries` entries.
        const dense = Float32Array.from({ length: 600 }, (_, i) => levels[i % entries]);
        const tc = encodeTensorAs(dense, [20, 30], ENC_CODEBOOK);
        assert.equal(tc.bits, b, `dense ${entries} entries`);
        assert.equal(tc.codebookType, f16Exact ? CB_F16 : CB_F32);
        assert.equal(tc.codebook.length, entries * (f16Exact ? 2 : 4));
        assertExact(tc, dense, `dense b=${b} entries=${entries}`);
        // Sparse: the codebook holds the nonzero levels only.
        const sparse = dense.map((x, i) => (i % 3 === 1 ? 0 : x));
        for (const enc of [ENC_SPARSE_BITMAP, ENC_SPARSE_RICE]) {
          const ts = encodeTensorAs(sparse, [600], enc);
          const used = new Set(sparse.filter((x) => x !== 0)).size;
          assert.equal(ts.codebook.length, used * (f16Exact ? 2 : 4));
          assert.equal(ts.nnz, sparse.filter((x) => x !== 0).length);
          assertExact(ts, sparse, `sparse enc ${enc} b=${b}`);
        }
        allForced(sparse, [600], `b=${b}`);
        const auto = encodeTensor(sparse, [600]);
        assertExact(auto, sparse, `auto b=${b}`);
      }
    }
  }
});

test('forced options: wider bits, fixed Rice k, f32 codebook for f16-exact values; impossible ones throw', () => {
  const random = rng(51);
  const v = fromLevels(2000, 0.1, [1, -2, 0.5], random);
  for (let bits = 2; bits <= 8; bits++) {
    for (const enc of [ENC_CODEBOOK, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE]) {
      const t = encodeTensorAs(v, [2000], enc, { bits });
      assert.equal(t.bits, bits);
      assertExact(t, v, `bits ${bits} enc ${enc}`);
    }
  }
  for (let k = 0; k <= 24; k++) {
    const t = encodeTensorAs(v, [2000], ENC_SPARSE_RICE, { riceK: k });
    assert.equal(t.riceK, k);
    assertExact(t, v, `k ${k}`);
  }
  assertExact(encodeTensorAs(v, [2000], ENC_CODEBOOK, { codebookType: CB_F32 }), v, 'f32 codebook');
  assert.throws(() => encodeTensorAs(v, [2000], ENC_SPARSE_RICE, { bits: 1 }), /3 codebook entries need 2\.\.8 bits/);
  assert.throws(() => encodeTensorAs(v, [2000], ENC_CODEBOOK, { bits: 9 }), RangeError);
  assert.throws(
    () => encodeTensorAs(Float32Array.of(0.1), [1], ENC_CODEBOOK, { codebookType: CB_F16 }),
    /not all exact f16/,
  );
  assert.throws(() => encodeTensorAs(Float32Array.of(0.1), [1], ENC_F16), /not all exact f16/);
  const many = Float32Array.from({ length: 300 }, (_, i) => i + 1);
  assert.throws(() => encodeTensorAs(many, [300], ENC_CODEBOOK), /more than 256 distinct/);
  assert.throws(() => encodeTensorAs(many, [300], ENC_SPARSE_RICE), /more than 256 distinct nonzero/);
  // 256 nonzero levels plus zero: 257 distinct, too many for ENC_CODEBOOK but fine for the sparse forms.
  const withZero = Float32Array.from({ length: 257 }, (_, i) => i);
  assert.throws(() => encodeTensorAs(withZero, [257], ENC_CODEBOOK), RangeError);
  assertExact(encodeTensorAs(withZero, [257], ENC_SPARSE_BITMAP), withZero, '256 nonzero + zero');
  assert.equal(encodeTensorAs(withZero, [257], ENC_SPARSE_BITMAP).bits, 8);
  assert.throws(() => encodeTensorAs(v, [2001], ENC_F32), /has 2001 elements but 2000 values/);
  assert.throws(() => encodeTensorAs(v, [2000], 7), /unknown encoding 7/);
});

test('NaN is refused with the index; ±inf encodes exactly', () => {
  assert.throws(() => encodeTensor(Float32Array.of(1, 2, NaN), [3]), /value 2 is NaN/);
  assert.throws(() => encodeTensorAs(Float32Array.of(NaN), [1], ENC_F32), /value 0 is NaN/);
  const inf = Float32Array.of(Infinity, 0, -Infinity, 0, 0, 0, 1.5, 0);
  allForced(inf, [8], 'inf');
  assertExact(encodeTensor(inf, [8]), inf, 'auto inf');
});

test('all-zero tensors are ENC_SPARSE_RICE with nnz 0 and empty data, codebook and positions', () => {
  for (const shape of [[1], [5, 7], [0], [3, 0, 2], []]) {
    const n = shape.reduce((a, b) => a * b, 1);
    for (const zero of [0, -0]) {
      const v = new Float32Array(n).fill(zero);
      const t = encodeTensor(v, shape);
      assert.equal(t.encoding, ENC_SPARSE_RICE);
      assert.equal(t.nnz, 0);
      assert.equal(t.data.length + t.codebook.length + t.positions.length, 0);
      assertExact(t, v, `zeros ${shape}`);
      allForced(v, shape, `zeros ${shape}`);
    }
  }
});

test('-0 reads back as +0 in every encoding; dense and single-nonzero tensors', () => {
  const v = Float32Array.of(-0, 1, -0, 0, -2, 0.5, -0);
  for (const t of allForced(v, [7], '-0')) assert.equal(u32(decodeTensor(t))[0], 0);
  assert.equal(u32(v)[0], 0x80000000, "the caller's array is not changed");
  const dense = Float32Array.from({ length: 1000 }, (_, i) => [1, -1, 0.25, 3][i % 4]);
  const denseAuto = encodeTensor(dense, [10, 100]);
  assert.equal(denseAuto.encoding, ENC_CODEBOOK, 'a dense 4-level tensor is a dense codebook');
  assertExact(denseAuto, dense, 'dense');
  allForced(dense, [10, 100], 'dense');
  for (const n of [1, 8, 9, 1000]) {
    const last = new Float32Array(n);
    last[n - 1] = -7.5;
    const t = encodeTensor(last, [n]);
    assertExact(t, last, `last of ${n}`);
    allForced(last, [n], `last of ${n}`);
  }
});

test('f16 edge values round-trip in f16 and codebook forms', () => {
  const edge = Float32Array.of(2 ** -24, 1023 * 2 ** -24, 2 ** -14, 65504, -65504, -0, 0, Infinity, -Infinity, 0.5);
  const forced = allForced(edge, [2, 5], 'f16 edges');
  assert.deepEqual(
    forced.map((t) => t.encoding),
    ENCODINGS,
    'every encoding accepts f16-exact values',
  );
  assert.equal(encodeTensorAs(edge, [2, 5], ENC_CODEBOOK).codebookType, CB_F16);
});

test('tensors over 2^20 elements: 1.1M at ~1% density and dense', () => {
  const random = rng(52);
  const n = 1_100_000;
  const sparse = fromLevels(n, 0.01, levelsOf(15, true, random), random);
  const auto = encodeTensor(sparse, [1100, 1000]);
  assert.equal(auto.encoding, ENC_SPARSE_RICE, 'a 1% sparse tensor is Rice coded');
  assert.equal(auto.bits, 4);
  assertExact(auto, sparse, 'sparse auto');
  for (const t of allForced(sparse, [1100, 1000], 'sparse 1.1M'))
    assert.ok(encodedTensorBytes(auto) <= encodedTensorBytes(t));
  const dense = Float32Array.from({ length: n }, () => Math.fround(random() * 2 - 1));
  const autoDense = encodeTensor(dense, [n]);
  assert.equal(autoDense.encoding, ENC_F32);
  assertExact(autoDense, dense, 'dense 1.1M');
  const denseCb = fromLevels(n, 1, levelsOf(200, false, random), random);
  const cb = encodeTensor(denseCb, [n]);
  assert.equal(cb.encoding, ENC_CODEBOOK);
  assert.equal(cb.bits, 8);
  assertExact(cb, denseCb, 'dense codebook 1.1M');
});

test('the automatic choice is the smallest exact encoding, ties to the simpler form', () => {
  const random = rng(53);
  for (let trial = 0; trial < 150; trial++) {
    const n = 1 + Math.floor(random() ** 2 * 3000);
    const density = [0, 0.001, 0.01, 0.05, 0.2, 0.5, 0.9, 1][trial % 8];
    const distinct = 1 + Math.floor(random() ** 2 * 300);
    const levels = levelsOf(distinct, random() < 0.5, random);
    const v = fromLevels(n, density, levels, random);
    const shape = [n];
    const auto = encodeTensor(v, shape);
    assertExact(auto, v, `trial ${trial} auto`);
    const autoBytes = encodedTensorBytes(auto);
    if (!v.some((x) => x !== 0)) {
      assert.equal(auto.encoding, ENC_SPARSE_RICE);
      continue;
    }
    for (const t of allForced(v, shape, `trial ${trial}`)) {
      // Also every legal bit width, Rice k and codebook type of that encoding.
      const variants: TensorMessage[] = [t];
      if (t.encoding >= ENC_CODEBOOK) {
        for (let bits = t.bits; bits <= 8; bits++) variants.push(encodeTensorAs(v, shape, t.encoding, { bits }));
        variants.push(encodeTensorAs(v, shape, t.encoding, { codebookType: CB_F32 }));
      }
      if (t.encoding === ENC_SPARSE_RICE)
        for (let k = 0; k <= 24; k++) variants.push(encodeTensorAs(v, shape, t.encoding, { riceK: k }));
      for (const x of variants) {
        const bytes = encodedTensorBytes(x);
        assert.ok(
          autoBytes <= bytes,
          `trial ${trial}: auto enc ${auto.encoding} ${autoBytes} B > enc ${x.encoding} ${bytes} B`,
        );
        if (bytes === autoBytes)
          assert.ok(auto.encoding <= x.encoding, `trial ${trial}: tie should go to enc ${x.encoding}`);
      }
    }
  }
});

test('encoder output follows the README layout (naive reference decoder)', () => {
  const random = rng(54);
  const levels = levelsOf(5, true, random);
  const v = fromLevels(5000, 0.03, levels, random);
  const t = encodeTensorAs(v, [5000], ENC_SPARSE_RICE);
  const positions = naiveRiceDecode(t.positions, t.nnz, t.riceK);
  const codes = naiveUnpack(t.data, t.nnz, t.bits);
  const cb = Array.from({ length: t.codebook.length / 2 }, (_, i) =>
    f16ToF32(t.codebook[2 * i] | (t.codebook[2 * i + 1] << 8)),
  );
  const ref = new Float32Array(5000);
  positions.forEach((p, j) => {
    ref[p] = cb[codes[j]];
  });
  assert.deepEqual(u32(ref), u32(v));
  const f32 = encodeTensorAs(v, [5000], ENC_F32);
  assert.deepEqual(u32(new Float32Array(f32.data.slice().buffer)), u32(v), 'ENC_F32 data is the LE f32 values');
});

test('tensorStats reports n, nnz, bits, encoding and encoded bytes', () => {
  const v = Float32Array.of(0, 0.1, 0, 0, 2, 0, 0, 0);
  const f32 = tensorStats(encodeTensorAs(v, [8], ENC_F32));
  assert.deepEqual({ ...f32, bytes: 0 }, { n: 8, nnz: 2, bits: 32, encoding: ENC_F32, bytes: 0 });
  assert.equal(f32.bytes, 1 + 1 + (3 + 34)); // tag + length + (shape [8]: 3 B, data 32 B: 34 B); encoding 0 is not written
  const rice = encodeTensorAs(v, [8], ENC_SPARSE_RICE);
  const s = tensorStats(rice);
  assert.equal(s.nnz, 2);
  assert.equal(s.bits, 1);
  assert.equal(s.bytes, encodedTensorBytes(rice));
  assert.equal(tensorStats(encodeTensorAs(Float32Array.of(0.5, 0, 1), [3], ENC_F16)).bits, 16);
});
