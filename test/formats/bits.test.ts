import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BitReader, BitWriter, bitsForCount, packCodes, packedByteLength, unpackCodes } from '../../formats/bits.js';
import { bitsOf, naivePack } from './reference.js';
import { rng } from '../fixtures/random.js';

test('packCodes matches the naive LSB-first layout and unpackCodes inverts it, bits 1..16', () => {
  const random = rng(1);
  for (let b = 1; b <= 16; b++) {
    for (const count of [0, 1, 7, 8, 9, 33, 257]) {
      const codes = b <= 8 ? new Uint8Array(count) : new Uint16Array(count);
      for (let j = 0; j < count; j++) codes[j] = Math.floor(random() * 2 ** b);
      const packed = packCodes(codes, b);
      assert.equal(packed.length, packedByteLength(count, b));
      assert.deepEqual(packed, naivePack(codes, b), `b=${b} count=${count}`);
      assert.deepEqual(Array.from(unpackCodes(packed, count, b)), Array.from(codes), `b=${b} count=${count}`);
    }
  }
});

test('packCodes rejects a code that does not fit and a bad width', () => {
  assert.throws(() => packCodes(Uint8Array.of(1, 4), 2), /code 1 is 4/);
  assert.throws(() => packCodes(Uint8Array.of(1), 0), RangeError);
  assert.throws(() => unpackCodes(new Uint8Array(1), 3, 4), /need 2 bytes/);
});

test('BitWriter and BitReader agree with the naive bit order', () => {
  const random = rng(2);
  const fields: Array<[number, number]> = [];
  const w = new BitWriter(1);
  const expected: number[] = [];
  for (let i = 0; i < 500; i++) {
    const width = Math.floor(random() * 25);
    const value = Math.floor(random() * 2 ** width);
    fields.push([value, width]);
    w.write(value, width);
    for (let j = 0; j < width; j++) expected.push(Math.floor(value / 2 ** j) % 2);
    if (random() < 0.2) {
      const z = Math.floor(random() * 20);
      w.writeZeros(z);
      for (let j = 0; j < z; j++) expected.push(0);
      fields.push([-1, z]);
    }
    if (random() < 0.2) {
      w.writeOne();
      expected.push(1);
      fields.push([-2, 1]);
    }
  }
  const bytes = w.finish();
  assert.equal(w.length, expected.length);
  assert.equal(bytes.length, Math.ceil(expected.length / 8));
  assert.deepEqual(bitsOf(bytes).slice(0, expected.length), expected);
  assert.ok(
    bitsOf(bytes)
      .slice(expected.length)
      .every((b) => b === 0),
    'padding bits are 0',
  );
  const r = new BitReader(bytes);
  for (const [value, width] of fields) {
    if (value === -1) for (let j = 0; j < width; j++) assert.equal(r.readBit(), 0);
    else if (value === -2) assert.equal(r.readBit(), 1);
    else assert.equal(r.read(width), value);
  }
  assert.ok(r.restIsZero());
});

test('readUnary counts zeros across byte boundaries and reports a missing one bit', () => {
  const bits = [0, 0, 0, 1, ...new Array(21).fill(0), 1, 0, 0];
  const bytes = new Uint8Array(4);
  bits.forEach((b, i) => {
    if (b) bytes[i >> 3] |= 1 << (i & 7);
  });
  const r = new BitReader(bytes);
  assert.equal(r.readUnary(), 3);
  assert.equal(r.readUnary(), 21);
  assert.equal(r.readUnary(), -1);
});

test('bitsForCount is the smallest b with 2^b ≥ count, at least 1', () => {
  for (let count = 0; count <= 300; count++) {
    const b = bitsForCount(count);
    assert.ok(b >= 1 && 2 ** b >= count && (b === 1 || 2 ** (b - 1) < count), `count ${count} → ${b}`);
  }
});
