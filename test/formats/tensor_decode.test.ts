import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CB_F16,
  CB_F32,
  CB_Q8,
  ENC_CODEBOOK,
  ENC_F16,
  ENC_F32,
  ENC_SPARSE_BITMAP,
  ENC_SPARSE_RICE,
  ERR_MALFORMED,
  ERR_UNSUPPORTED,
} from '../../formats/constants.js';
import { SqzFormatError } from '../../formats/errors.js';
import { decodeTensor, encodeTensorAs, validateTensor } from '../../formats/tensor_codec.js';
import type { TensorMessage } from '../../formats/schema.js';
import { naivePack } from './reference.js';
import { rng } from '../fixtures/random.js';

function rejects(t: TensorMessage, code: number, pattern: RegExp, index?: number): void {
  const check = (e: unknown): boolean => {
    assert.ok(e instanceof SqzFormatError, `not a SqzFormatError: ${e}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return true;
  };
  assert.throws(() => decodeTensor(t, index), check);
  assert.throws(() => validateTensor(t, index), check);
}

const base = Float32Array.from({ length: 34 }, (_, i) => (i % 3 === 0 ? 0 : [0.5, -1, 2, 4, 8][i % 5]));

function variant(enc: number, change: Partial<TensorMessage>): TensorMessage {
  return { ...encodeTensorAs(base, [2, 17], enc), ...change };
}

test('lengths: data, codes, codebook, bitmap', () => {
  const cb = encodeTensorAs(base, [2, 17], ENC_CODEBOOK, { bits: 4 });
  assert.equal(cb.data.length, 17);
  rejects(
    { ...cb, data: cb.data.subarray(0, 12) },
    ERR_MALFORMED,
    /^tensor 3: codes need 17 bytes for 34 codes of 4 bits, got 12$/,
    3,
  );
  rejects(
    variant(ENC_F32, { data: new Uint8Array(135) }),
    ERR_MALFORMED,
    /ENC_F32 data needs 136 bytes for 34 values, got 135/,
  );
  rejects(variant(ENC_F16, { data: new Uint8Array(70) }), ERR_MALFORMED, /ENC_F16 data needs 68 bytes/);
  rejects(
    { ...encodeTensorAs(base, [2, 17], ENC_CODEBOOK, { codebookType: CB_F16 }), codebook: new Uint8Array(7) },
    ERR_MALFORMED,
    /not a whole number of 2-byte entries/,
  );
  // CB_Q8: 3 header bytes (exponent, offset), then a byte per entry.
  const q8 = encodeTensorAs(base, [2, 17], ENC_CODEBOOK, { codebookType: CB_Q8, bits: 3 });
  assert.equal(q8.codebook.length, 3 + 6);
  rejects({ ...q8, codebook: q8.codebook.subarray(0, 3) }, ERR_MALFORMED, /CB_Q8 codebook of 3 bytes has no entries/);
  rejects({ ...q8, codebook: Uint8Array.of(...q8.codebook, 0, 0, 0) }, ERR_MALFORMED, /9 entries, more than 2\^3/);
  const lowExponent = q8.codebook.slice();
  lowExponent[0] = 0x80; // -128
  rejects({ ...q8, codebook: lowExponent }, ERR_MALFORMED, /CB_Q8 exponent -128 is outside -126\.\.127/);
  rejects(
    variant(ENC_SPARSE_BITMAP, { positions: new Uint8Array(4) }),
    ERR_MALFORMED,
    /bitmap of 34 positions needs 5 bytes, got 4/,
  );
  rejects(variant(ENC_SPARSE_BITMAP, { nnz: 21 }), ERR_MALFORMED, /codes need|bits set/);
});

test('unsupported encoding, bit width and codebook type', () => {
  rejects(variant(ENC_CODEBOOK, { encoding: 5 }), ERR_UNSUPPORTED, /unknown encoding 5/);
  rejects(variant(ENC_CODEBOOK, { bits: 0 }), ERR_UNSUPPORTED, /bits is 0, must be 1\.\.8/);
  rejects(variant(ENC_SPARSE_RICE, { bits: 9 }), ERR_UNSUPPORTED, /bits is 9/);
  rejects(variant(ENC_SPARSE_RICE, { codebookType: 3 }), ERR_UNSUPPORTED, /unknown codebook type 3/);
});

test('codes ≥ codebook entries, too many entries, nonzero padding bits', () => {
  // 3 entries at 2 bits: code 3 is out of range.
  const t = encodeTensorAs(Float32Array.of(1, 2, 3, 1, 2), [5], ENC_CODEBOOK);
  assert.equal(t.bits, 2);
  rejects({ ...t, data: naivePack([0, 1, 2, 3, 0], 2) }, ERR_MALFORMED, /code 3 is not < the 3 codebook entries/);
  rejects({ ...t, codebook: new Uint8Array(10) }, ERR_MALFORMED, /codebook has 5 entries, more than 2\^2/);
  const padded = t.data.slice();
  padded[1] |= 0x80; // 5 codes × 2 bits = 10 bits; bit 15 is padding
  rejects({ ...t, data: padded }, ERR_MALFORMED, /nonzero padding bits/);
  const s = encodeTensorAs(Float32Array.of(0, 1, 0, 2, 0, 3), [6], ENC_SPARSE_RICE);
  rejects({ ...s, data: naivePack([0, 1, 3], 2) }, ERR_MALFORMED, /code 2 is not < the 3/);
});

test('sparse consistency: nnz > n, Rice position ≥ n, bad Rice k, fields the encoding does not use', () => {
  const r = variant(ENC_SPARSE_RICE, {});
  rejects({ ...r, nnz: 35 }, ERR_MALFORMED, /nnz 35 exceeds its 34 elements/);
  rejects({ ...r, shape: [2, 16] }, ERR_MALFORMED, /Rice position 21 of 22 is 32, not < n = 32/);
  rejects({ ...r, riceK: 30 }, ERR_MALFORMED, /Rice k is 30/);
  rejects(variant(ENC_SPARSE_BITMAP, { riceK: 2 }), ERR_MALFORMED, /ENC_SPARSE_BITMAP does not use field 'riceK'/);
  rejects(variant(ENC_CODEBOOK, { nnz: 3 }), ERR_MALFORMED, /ENC_CODEBOOK does not use field 'nnz'/);
  rejects(variant(ENC_F32, { bits: 3 }), ERR_MALFORMED, /ENC_F32 does not use field 'bits'/);
  rejects(variant(ENC_F16, { codebookType: CB_F32 }), ERR_MALFORMED, /does not use field 'codebookType'/);
  rejects(variant(ENC_F32, { shape: [65536, 65536] }), ERR_UNSUPPORTED, /more than 2\^32 - 1 elements/);
  rejects(
    variant(ENC_SPARSE_RICE, {
      nnz: 0,
      data: new Uint8Array(0),
      positions: new Uint8Array(0),
      shape: [65536, 65536, 2],
    }),
    ERR_UNSUPPORTED,
    /more than 2\^32 - 1/,
  );
});

test('random corruption of valid tensors only ever raises SqzFormatError, and validate agrees with decode', () => {
  const random = rng(60);
  const fields = ['data', 'codebook', 'positions'] as const;
  const numbers = ['bits', 'riceK', 'nnz', 'encoding', 'codebookType'] as const;
  let rejected = 0;
  for (let trial = 0; trial < 3000; trial++) {
    const enc = [ENC_F32, ENC_F16, ENC_CODEBOOK, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE][trial % 5];
    const t = { ...encodeTensorAs(base, [34], enc) };
    if (random() < 0.5) {
      const f = fields[Math.floor(random() * 3)];
      const bytes = t[f].slice();
      if (bytes.length > 0 && random() < 0.7)
        bytes[Math.floor(random() * bytes.length)] ^= 1 << Math.floor(random() * 8);
      t[f] = random() < 0.3 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
    } else {
      const f = numbers[Math.floor(random() * numbers.length)];
      t[f] = Math.floor(random() * 40);
    }
    let decodeError: unknown;
    let validateError: unknown;
    try {
      decodeTensor(t);
    } catch (e) {
      decodeError = e;
    }
    try {
      validateTensor(t);
    } catch (e) {
      validateError = e;
    }
    if (decodeError !== undefined) assert.ok(decodeError instanceof SqzFormatError, `trial ${trial}: ${decodeError}`);
    assert.equal(
      validateError === undefined,
      decodeError === undefined,
      `trial ${trial}: validate and decode disagree`,
    );
    if (decodeError) rejected++;
  }
  assert.ok(rejected > 1000, `only ${rejected} corruptions were caught`);
});
