import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { crc32 } from '../../formats/crc32.js';
import { rng } from '../fixtures/random.js';

test('CRC-32 of the check string "123456789" is 0xCBF43926', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test('CRC-32 agrees with zlib on random data', (t) => {
  const zlibCrc = (zlib as unknown as { crc32?: (data: Uint8Array) => number }).crc32;
  if (typeof zlibCrc !== 'function') {
    t.skip('zlib.crc32 needs Node ≥ 20.15');
    return;
  }
  const random = rng(40);
  for (const len of [1, 3, 4, 255, 256, 1000, 65537]) {
    const data = new Uint8Array(len).map(() => Math.floor(random() * 256));
    assert.equal(crc32(data), zlibCrc(data), `length ${len}`);
    assert.equal(crc32(data.subarray(1)), zlibCrc(data.subarray(1)), `unaligned view of length ${len - 1}`);
  }
});
