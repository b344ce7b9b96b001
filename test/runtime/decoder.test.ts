// The wasm decoder (decodeTensor test hook) agrees bit for bit with formats' TypeScript decodeTensor on every
// encoding, including an all-zero tensor, a single nonzero in the last position, b = 1 and b = 8, f16 edge values
// and a tensor of more than 2^20 elements, in both wasm builds.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CB_F32,
  CB_Q8,
  ENC_CODEBOOK,
  ENC_F16,
  ENC_F32,
  ENC_SPARSE_BITMAP,
  ENC_SPARSE_RICE,
  ERR_STATE,
  OP_ACTIVATION,
  type TensorMessage,
  decodeTensor,
  encodeTensor,
  encodeTensorAs,
  f16ToF32,
  newOp,
  writeSqz,
} from '../../formats/index.js';
import { SqzModel } from '../../runtime/index.js';
import { ENCODING_CASES, encodeAs, weightsFor } from './helpers.js';
import { rng } from '../fixtures/random.js';
import { gridValues } from '../formats/codebook_q8.test.js';

/** A valid model carrying `tensors` beside a one-op graph (tensors need not be used by an op to be loaded). */
function modelWith(tensors: TensorMessage[]): Uint8Array {
  return writeSqz({
    values: [{ shape: [2] }, { shape: [2] }],
    tensors,
    ops: [newOp({ type: OP_ACTIVATION, inputs: [0], outputs: [1] })],
    inputs: [0],
    outputs: [1],
  });
}

async function checkAgreement(tensors: { name: string; tensor: TensorMessage }[]): Promise<void> {
  const bytes = modelWith(tensors.map((t) => t.tensor));
  for (const simd of [true, false]) {
    const sqz = await SqzModel.load(bytes, { simd, exec: 'compressed' });
    tensors.forEach(({ name, tensor }, i) => {
      const expected = decodeTensor(tensor);
      const actual = sqz.decodeTensor(i);
      assert.equal(actual.length, expected.length, `${name}: length`);
      const a = new Uint32Array(actual.buffer),
        e = new Uint32Array(expected.buffer);
      for (let j = 0; j < e.length; j++) {
        if (a[j] !== e[j])
          assert.fail(
            `${name} (${simd ? 'simd' : 'scalar'}): element ${j} is 0x${a[j].toString(16)}, TS decoder 0x${e[j].toString(16)}`,
          );
      }
    });
    sqz.dispose();
  }
}

test('every encoding, random values', async () => {
  const random = rng(11);
  await checkAgreement(
    ENCODING_CASES.map((c) => ({ name: c.name, tensor: encodeAs(weightsFor(random, 3 * 37, c), [3, 37], c) })),
  );
});

test('b = 1 and b = 8 in every codebook form, f32 and f16 codebooks', async () => {
  const random = rng(12);
  const cases = [];
  for (const encoding of [ENC_CODEBOOK, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE]) {
    for (const bits of [1, 8]) {
      const c = { name: `enc ${encoding} b=${bits}`, encoding, bits };
      const values = weightsFor(random, 999, c);
      cases.push({ name: c.name, tensor: encodeTensorAs(values, [999], encoding, { bits }) });
      cases.push({
        name: `${c.name} cb f32`,
        tensor: encodeTensorAs(values, [999], encoding, { bits, codebookType: CB_F32 }),
      });
    }
  }
  await checkAgreement(cases);
});

test('CB_Q8 codebooks in every codebook form, at the exponent and offset limits', async () => {
  const random = rng(13);
  const cases = [];
  for (const [exponent, offset] of [
    [-7, -100],
    [-3, 32767],
    [-3, -32768],
    [-126, 1],
  ] as const) {
    const values = gridValues(random, 999, exponent, offset);
    values[0] = (offset % 2 === 0 ? offset + 1 : offset) * 2 ** exponent;
    for (const encoding of [ENC_CODEBOOK, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE]) {
      if (encoding === ENC_CODEBOOK && (offset > 0 || offset + 255 < 0)) continue; // 0 would leave the grid
      const tensor = encodeTensorAs(values, [999], encoding, { bits: 8, codebookType: CB_Q8 });
      cases.push({ name: `enc ${encoding} exponent ${exponent} offset ${offset}`, tensor });
    }
  }
  cases.push({
    name: 'exponent 127',
    tensor: encodeTensorAs(Float32Array.of(2 ** 127, 0, -(2 ** 127)), [3], ENC_SPARSE_RICE, { codebookType: CB_Q8 }),
  });
  await checkAgreement(cases);
});

test('all-zero tensor, single nonzero in the last position, a single element', async () => {
  const last = new Float32Array(1000);
  last[999] = -1.5;
  const cases = [
    { name: 'all zero', tensor: encodeTensor(new Float32Array(77), [7, 11]) },
    { name: 'one element', tensor: encodeTensor(new Float32Array([2.5]), [1]) },
  ];
  for (const encoding of [ENC_F32, ENC_F16, ENC_CODEBOOK, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE]) {
    cases.push({ name: `last nonzero, enc ${encoding}`, tensor: encodeTensorAs(last, [10, 100], encoding) });
  }
  for (const k of [0, 5, 24]) {
    cases.push({
      name: `last nonzero rice k=${k}`,
      tensor: encodeTensorAs(last, [1000], ENC_SPARSE_RICE, { riceK: k }),
    });
  }
  await checkAgreement(cases);
});

test('f16 edge values: subnormals, largest, -0, infinities', async () => {
  const halves = [0x0001, 0x03ff, 0x0400, 0x7bff, 0x8000, 0x7c00, 0xfc00, 0x3c00, 0xbc00, 0x8001];
  const values = Float32Array.from(halves, (h) => f16ToF32(h));
  await checkAgreement([
    { name: 'f16 edges', tensor: encodeTensorAs(values, [values.length], ENC_F16) },
    { name: 'f32 edges', tensor: encodeTensorAs(values, [values.length], ENC_F32) },
    { name: 'codebook of f16 edges', tensor: encodeTensorAs(values, [values.length], ENC_CODEBOOK) },
  ]);
});

test('more than 2^20 elements: 1% sparse (bitmap, Rice) and dense codebook', async () => {
  const n = 1_100_000;
  const random = rng(13);
  const sparse = new Float32Array(n);
  const levels = [-0.75, -0.125, 0.25, 1.5];
  for (let i = 0; i < n; i++) if (random() < 0.01) sparse[i] = levels[Math.floor(random() * 4)];
  sparse[n - 1] = 0.25;
  const dense = Float32Array.from({ length: n }, () => levels[Math.floor(random() * 4)]);
  await checkAgreement([
    { name: 'bitmap 1.1M', tensor: encodeTensorAs(sparse, [1100, 1000], ENC_SPARSE_BITMAP) },
    { name: 'rice 1.1M', tensor: encodeTensorAs(sparse, [1100, 1000], ENC_SPARSE_RICE) },
    { name: 'codebook 1.1M', tensor: encodeTensorAs(dense, [n], ENC_CODEBOOK) },
  ]);
});

test('decodeTensor of an index past the tensors says so (not "no model loaded"); before a load it is a state error', async () => {
  const sqz = await SqzModel.load(modelWith([encodeTensorAs(new Float32Array([1, 2]), [2], ENC_F32)]));
  assert.throws(() => sqz.decodeTensor(1), /sqz bad-input: tensor index out of range: got 1, expected 1/);
  const exports = sqz.wasmExports;
  exports.alloc(16); // drops the model
  assert.equal(exports.decodeTensor!(0), 0);
  assert.equal(exports.errorCode(), ERR_STATE);
  sqz.dispose();
});
