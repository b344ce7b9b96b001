// CB_Q8 codebooks (formats/codebook_q8.ts): exact round trips through the encoder and the TS decoder at the grid's
// extremes, the encoder's choice between f16 and the grid, and what no grid can hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CB_F16, CB_F32, CB_Q8, ENC_CODEBOOK, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE } from '../../formats/constants.js';
import { decodeQ8Codebook, encodeQ8Codebook } from '../../formats/codebook_q8.js';
import { decodeTensor, encodedTensorBytes, encodeTensor, encodeTensorAs } from '../../formats/tensor_codec.js';
import { u32 } from './reference.js';
import { rng } from '../fixtures/random.js';

/** `count` values drawn from the grid points (offset + u) · 2^exponent, u in 0..span, with zeros between. */
export function gridValues(
  random: () => number,
  count: number,
  exponent: number,
  offset: number,
  span = 255,
): Float32Array {
  return Float32Array.from({ length: count }, (_, i) =>
    i % 4 === 3 ? 0 : (offset + Math.floor(random() * (span + 1))) * 2 ** exponent,
  );
}

test('grid values round-trip exactly in every codebook form, at the exponent and offset limits', () => {
  const random = rng(81);
  const grids: [number, number, number][] = [
    [-7, -100, 255],
    [-3, 32767, 255], // largest offset
    [-3, -32768, 255], // smallest offset
    [-126, 1, 254], // smallest exponent
    [0, -128, 255],
  ];
  for (const [exponent, offset, span] of grids) {
    const values = gridValues(random, 999, exponent, offset, span);
    // Keep at least one odd step so that 2^exponent is the coarsest grid holding them.
    values[0] = (offset % 2 === 0 ? offset + 1 : offset) * 2 ** exponent;
    for (const encoding of [ENC_CODEBOOK, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE]) {
      if (encoding === ENC_CODEBOOK && (offset > 0 || offset + span < 0)) continue; // 0 would leave the grid
      const t = encodeTensorAs(values, [999], encoding, { codebookType: CB_Q8, bits: 8 });
      assert.equal(t.codebookType, CB_Q8);
      assert.equal(new DataView(t.codebook.buffer, t.codebook.byteOffset).getInt8(0), exponent);
      assert.deepEqual(u32(decodeTensor(t)), u32(values), `exponent ${exponent} offset ${offset} enc ${encoding}`);
    }
  }
  const huge = Float32Array.of(2 ** 127, -(2 ** 127), 0);
  const t = encodeTensorAs(huge, [3], ENC_SPARSE_RICE, { codebookType: CB_Q8 });
  assert.deepEqual(Array.from(decodeTensor(t)), [2 ** 127, -(2 ** 127), 0]);
});

test('the encoder picks the grid only where it is smaller, and decodeQ8Codebook inverts encodeQ8Codebook', () => {
  const random = rng(82);
  // 40 distinct grid values: 3 + 40 bytes and a 2-byte codebook_type field against 80 bytes of f16.
  const values = Float32Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? 0 : ((i % 80) - 40.5) * 2 ** -6));
  const t = encodeTensor(values, [500]);
  assert.equal(t.codebookType, CB_Q8);
  assert.equal(t.codebook.length, 3 + 40);
  const f16 = encodeTensorAs(values, [500], t.encoding, { codebookType: CB_F16 });
  assert.equal(encodedTensorBytes(f16) - encodedTensorBytes(t), 80 - 43 - 2);
  assert.deepEqual(u32(decodeTensor(t)), u32(values));
  // 5 entries: 3 + 5 + 2 = 10 bytes against 10 for f16: the tie goes to f16, which needs no codebook_type field.
  const five = Float32Array.of(0.5, -1, 2, 4, 8, 0.5);
  assert.equal(encodeTensorAs(five, [6], ENC_SPARSE_RICE).codebookType, CB_F16);
  // Entries that are not f16 but lie on a grid are stored on it rather than as f32.
  const offF16 = Float32Array.of(4097 * 2 ** -20, 4099 * 2 ** -20, 0); // 13 significant bits; f16 has 11
  assert.equal(encodeTensorAs(offF16, [3], ENC_SPARSE_RICE).codebookType, CB_Q8);
  for (let trial = 0; trial < 200; trial++) {
    const exponent = Math.floor(random() * 60) - 30;
    const offset = Math.floor(random() * 65536) - 32768;
    const grid = gridValues(random, 1 + Math.floor(random() * 40), exponent, offset).filter((v) => v !== 0);
    const entries = Float32Array.from(new Set(grid.length > 0 ? grid : [offset * 2 ** exponent || 2 ** exponent]));
    const bytes = encodeQ8Codebook(entries);
    assert.ok(bytes !== undefined, `exponent ${exponent} offset ${offset}`);
    assert.deepEqual(u32(decodeQ8Codebook(bytes)), u32(entries));
  }
});

test('what no 256-step power-of-two grid holds is refused, and the encoder falls back', () => {
  assert.equal(encodeQ8Codebook(Float32Array.of(0, 257)), undefined); // 257 steps of 1
  assert.equal(encodeQ8Codebook(Float32Array.of(1, 1 + 2 ** -20)), undefined);
  assert.equal(encodeQ8Codebook(Float32Array.of(1, Infinity)), undefined);
  assert.equal(encodeQ8Codebook(Float32Array.of(32768 + 1, 32768 + 3)), undefined); // offset beyond int16
  assert.equal(encodeQ8Codebook(Float32Array.of(2 ** -127)), undefined); // exponent below -126
  assert.ok(encodeQ8Codebook(Float32Array.of(0, 255)) !== undefined);
  assert.ok(encodeQ8Codebook(Float32Array.of(0, 256)) !== undefined); // one step of 2^8
  assert.throws(() => encodeTensorAs(Float32Array.of(1, 301), [2], ENC_CODEBOOK, { codebookType: CB_Q8 }), /grid/);
  const spread = Float32Array.from({ length: 40 }, (_, i) => 1.5 ** i);
  assert.equal(encodeTensor(spread, [40]).codebookType === CB_Q8, false);
  assert.ok([CB_F16, CB_F32].includes(encodeTensorAs(spread, [40], ENC_CODEBOOK).codebookType));
});
