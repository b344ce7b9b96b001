import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERR_MALFORMED } from '../../formats/constants.js';
import { SqzFormatError } from '../../formats/errors.js';
import { riceKForShortestStream, riceBitLength, riceDecode, riceEncode, RICE_K_MAX } from '../../formats/rice.js';
import { bytesOf, naiveRiceDecode, naiveRiceEncode, randomPositions } from './reference.js';
import { rng } from '../fixtures/random.js';

function malformed(pattern: RegExp) {
  return (e: unknown) => e instanceof SqzFormatError && e.code === ERR_MALFORMED && pattern.test(e.message);
}

test('riceEncode writes the README layout for every k and riceDecode inverts it', () => {
  const random = rng(10);
  const cases = [
    Uint32Array.of(),
    Uint32Array.of(0),
    Uint32Array.of(99),
    Uint32Array.of(0, 1, 2, 3),
    randomPositions(5000, 0.01, random),
    randomPositions(3000, 0.5, random),
    randomPositions(2000, 0.99, random),
  ];
  for (const positions of cases) {
    const n = (positions.at(-1) ?? 0) + 1 + Math.floor(random() * 3);
    for (let k = 0; k <= RICE_K_MAX; k++) {
      const bytes = riceEncode(positions, k);
      assert.deepEqual(bytes, naiveRiceEncode(positions, k), `k=${k} nnz=${positions.length}`);
      assert.equal(bytes.length, Math.ceil(riceBitLength(positions, k) / 8));
      assert.deepEqual(riceDecode(bytes, positions.length, k, n), positions);
      assert.deepEqual(naiveRiceDecode(bytes, positions.length, k), Array.from(positions));
    }
  }
});

test('riceKForShortestStream is the exact minimum over all k (brute force on real stream lengths)', () => {
  const random = rng(11);
  for (let trial = 0; trial < 40; trial++) {
    const n = 1 + Math.floor(random() * 20000);
    const density = random() ** 3; // mostly sparse, sometimes dense
    const positions = randomPositions(n, density, random);
    const lengths: number[] = [];
    for (let k = 0; k <= RICE_K_MAX; k++) {
      // Count the naive stream's bits: position of the last one bit or last low bit, i.e. the exact bit length.
      let bits = 0;
      let prev = -1;
      for (const p of positions) {
        bits += Math.floor((p - prev - 1) / 2 ** k) + 1 + k;
        prev = p;
      }
      lengths.push(bits);
      assert.equal(riceBitLength(positions, k), bits);
    }
    const min = Math.min(...lengths);
    const k = riceKForShortestStream(positions);
    assert.equal(lengths[k], min, `trial ${trial}: k=${k} gives ${lengths[k]} bits, best is ${min}`);
    assert.equal(k, lengths.indexOf(min), 'ties go to the smallest k');
  }
});

test('riceEncode rejects unsorted or repeated positions and bad k', () => {
  assert.throws(() => riceEncode(Uint32Array.of(3, 3), 1), /strictly increasing/);
  assert.throws(() => riceEncode(Uint32Array.of(5, 2), 1), /strictly increasing/);
  assert.throws(() => riceEncode(Uint32Array.of(1), 25), RangeError);
});

test('riceDecode fails cleanly on a position ≥ n', () => {
  const bytes = riceEncode(Uint32Array.of(2, 7, 10), 2);
  assert.deepEqual(riceDecode(bytes, 3, 2, 11), Uint32Array.of(2, 7, 10));
  assert.throws(() => riceDecode(bytes, 3, 2, 10), malformed(/position 2 of 3 is 10, not < n = 10/));
  assert.throws(() => riceDecode(bytes, 3, 2, 3), malformed(/position 1 of 3 is 7/));
});

test('riceDecode fails cleanly on truncated, padded and inconsistent streams', () => {
  const positions = Uint32Array.of(100, 200, 300, 301);
  const bytes = riceEncode(positions, 0);
  // Truncated: every shorter prefix.
  for (let len = 0; len < bytes.length; len++) {
    assert.throws(() => riceDecode(bytes.subarray(0, len), 4, 0, 1000), malformed(/Rice stream/), `prefix ${len}`);
  }
  // One extra byte.
  const longer = new Uint8Array(bytes.length + 1);
  longer.set(bytes);
  assert.throws(() => riceDecode(longer, 4, 0, 1000), malformed(/takes \d+ bytes, field has/));
  // Nonzero padding bits: k=1 gaps 0,0,0 → "10 10 10" = 6 bits, set bit 7.
  const padded = bytesOf([1, 0, 1, 0, 1, 0, 0, 1]);
  assert.deepEqual(
    riceDecode(
      padded.map((b, i) => (i === 0 ? b & 0x7f : b)),
      3,
      1,
      3,
    ),
    Uint32Array.of(0, 1, 2),
  );
  assert.throws(() => riceDecode(padded, 3, 1, 3), malformed(/padding/));
  // Missing low bits at the end of the stream.
  assert.throws(() => riceDecode(bytesOf([0, 0, 0, 0, 0, 0, 0, 1]), 1, 4, 1000), malformed(/low bits missing/));
  // nnz larger than n, and a count the stream cannot hold (must not allocate first).
  assert.throws(() => riceDecode(bytes, 5, 0, 4), malformed(/nnz 5 exceeds/));
  assert.throws(() => riceDecode(new Uint8Array(2), 0xffffffff, 3, 0xffffffff), malformed(/cannot hold/));
  assert.throws(() => riceDecode(bytes, 4, 25, 1000), malformed(/k is 25/));
});
