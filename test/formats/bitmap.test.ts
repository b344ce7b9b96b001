import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERR_MALFORMED } from '../../formats/constants.js';
import { SqzFormatError } from '../../formats/errors.js';
import { bitmapDecode, bitmapEncode } from '../../formats/bitmap.js';
import { bitsOf, randomPositions } from './reference.js';
import { rng } from '../fixtures/random.js';

const malformed = (pattern: RegExp) => (e: unknown) =>
  e instanceof SqzFormatError && e.code === ERR_MALFORMED && pattern.test(e.message);

test('bitmap sets exactly bit p for each position and decodes back', () => {
  const random = rng(20);
  for (const n of [0, 1, 7, 8, 9, 63, 64, 65, 1000, 4099]) {
    for (const density of [0, 0.01, 0.3, 1]) {
      const positions = randomPositions(n, density, random);
      const bytes = bitmapEncode(positions, n);
      assert.equal(bytes.length, Math.ceil(n / 8));
      const bits = bitsOf(bytes);
      const set = new Set(positions);
      bits.forEach((b, p) => assert.equal(b, set.has(p) ? 1 : 0, `n=${n} p=${p}`));
      assert.deepEqual(bitmapDecode(bytes, positions.length, n), positions);
    }
  }
});

test('bitmapDecode validates length, popcount and tail bits', () => {
  const bytes = bitmapEncode(Uint32Array.of(0, 5, 9), 10);
  assert.throws(() => bitmapDecode(bytes, 2, 10), malformed(/3 bits set, nnz says 2/));
  assert.throws(() => bitmapDecode(bytes.subarray(0, 1), 3, 10), malformed(/needs 2 bytes, got 1/));
  const tail = bytes.slice();
  tail[1] |= 0x80; // position 15 ≥ n = 10
  assert.throws(() => bitmapDecode(tail, 4, 10), malformed(/positions ≥ n = 10/));
  assert.throws(() => bitmapEncode(Uint32Array.of(10), 10), RangeError);
});
