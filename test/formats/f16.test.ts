import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allF16Exact,
  decodeF16,
  encodeF16,
  f16BitsToF32Bits,
  f16ToF32,
  f32BitsToF16Bits,
  f32ToF16,
  isF16Exact,
} from '../../formats/f16.js';
import { rng } from '../fixtures/random.js';

/** Value of an f16 bit pattern from its definition (sign, exponent, fraction), in doubles. */
function f16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  if (e === 0) return sign * m * 2 ** -24;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

test('every f16 bit pattern converts to the value its definition gives, and back to itself', () => {
  for (let h = 0; h < 0x10000; h++) {
    const x = f16ToF32(h);
    const want = f16Value(h);
    if (Number.isNaN(want)) {
      assert.ok(Number.isNaN(x), `0x${h.toString(16)}`);
      const back = f32ToF16(x);
      assert.ok((back & 0x7c00) === 0x7c00 && (back & 0x3ff) !== 0, 'NaN stays NaN');
      // On bit patterns NaN keeps its sign and payload, quiet bit set.
      assert.equal(f32BitsToF16Bits(f16BitsToF32Bits(h)), h | 0x200);
      continue;
    }
    assert.ok(Object.is(x, want), `0x${h.toString(16)}: ${x} vs ${want}`);
    assert.equal(f32ToF16(x), h, `0x${h.toString(16)} round trip`);
    assert.ok(isF16Exact(x));
  }
});

// Reference rounding: the nearest f16 by comparing 2x with the sum of the two neighbours (exact in doubles),
// ties to the even bit pattern; beyond the largest finite value, 65536 plays the next "value" (inf).
const positives: number[] = [];
for (let h = 0; h <= 0x7bff; h++) positives.push(f16Value(h));
positives.push(65536);
function referenceF16(x: number): number {
  if (Number.isNaN(x)) return -1;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65536) return sign | 0x7c00;
  let lo = 0,
    hi = positives.length - 1; // largest index with positives[i] ≤ a
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (positives[mid] <= a) lo = mid;
    else hi = mid - 1;
  }
  if (positives[lo] === a) return sign | lo;
  const twice = 2 * a,
    sum = positives[lo] + positives[lo + 1];
  const pick = twice < sum ? lo : twice > sum ? lo + 1 : lo % 2 === 0 ? lo : lo + 1;
  return sign | pick; // index 0x7c00 is the stand-in 65536, whose pattern is inf
}

test('f32 → f16 rounds to nearest even: all midpoints and neighbours of midpoints', () => {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let h = 0; h < 0x7c00; h++) {
    const mid = (positives[h] + positives[h + 1]) / 2; // exact in f32: one more mantissa bit
    f[0] = mid;
    assert.equal(f[0], mid);
    for (const d of [-1, 0, 1]) {
      const bits = u[0] + d;
      for (const s of [0, 0x80000000]) {
        const b = (bits | s) >>> 0;
        const want = referenceF16(new Float32Array(new Uint32Array([b]).buffer)[0]);
        assert.equal(f32BitsToF16Bits(b), want, `f32 0x${b.toString(16)} near midpoint of 0x${h.toString(16)}`);
      }
    }
  }
  // Known facts: 65520 is halfway between 65504 and 2^16, ties to even → inf; 2^-25 ties to 0; 3·2^-26 → 2^-24.
  assert.equal(f32ToF16(65519), 0x7bff);
  assert.equal(f32ToF16(65520), 0x7c00);
  assert.equal(f32ToF16(2 ** -25), 0);
  assert.equal(f32ToF16(3 * 2 ** -26), 1);
  assert.equal(f32ToF16(-(2 ** -26)), 0x8000);
  assert.equal(f32ToF16(1 + 2 ** -11), 0x3c00); // tie, even stays
  assert.equal(f32ToF16(1 + 3 * 2 ** -11), 0x3c02); // tie, odd rounds up
});

test('f32 → f16 matches the reference on random f32 bit patterns of every range', () => {
  const random = rng(30);
  const u = new Uint32Array(1);
  const f = new Float32Array(u.buffer);
  for (let i = 0; i < 200000; i++) {
    u[0] = Math.floor(random() * 2 ** 32);
    if (i % 2 === 0) u[0] = (u[0] & 0x807fffff) | ((100 + Math.floor(random() * 45)) << 23); // near the f16 range
    const want = referenceF16(f[0]);
    if (want < 0) continue;
    assert.equal(f32BitsToF16Bits(u[0]), want, `f32 0x${u[0].toString(16)} (${f[0]})`);
  }
});

test('edge values: subnormal, max, -0, inf; isF16Exact and array codecs', () => {
  const edge = Float32Array.of(
    2 ** -24,
    1023 * 2 ** -24,
    2 ** -14,
    65504,
    -65504,
    -0,
    0,
    Infinity,
    -Infinity,
    0.5,
    -3.75,
  );
  assert.ok(allF16Exact(edge));
  for (const x of edge) assert.ok(isF16Exact(x), `${x}`);
  const back = decodeF16(encodeF16(edge), edge.length);
  assert.deepEqual(new Uint32Array(back.buffer), new Uint32Array(edge.buffer));
  assert.equal(f32ToF16(-0), 0x8000);
  for (const x of [0.1, 65505, 2 ** -25, 1 + 2 ** -11, NaN, 1e-10]) assert.equal(isF16Exact(x), false, `${x}`);
  assert.equal(allF16Exact(Float32Array.of(1, 2, 0.1)), false);
  assert.equal(allF16Exact(Float32Array.of(1, NaN)), false);
});
