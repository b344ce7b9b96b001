// Bad files and bad calls: every truncation, random byte flips, wrong magic / version, trailing bytes, valid-CRC
// payloads with out-of-range indices, codes and positions, bad wire types, over-long varints. Each must give
// SqzFormatError with the right code (never a RuntimeError from a trap), and the same instance must load and run a
// valid file afterwards. Wrong input length gives SqzInputError and the model stays usable.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ACT_COUNT,
  ACT_RELU,
  ENC_CODEBOOK,
  ENC_F16,
  ENC_F32,
  ENC_SPARSE_BITMAP,
  ENC_SPARSE_RICE,
  ERR_CHECKSUM,
  ERR_INPUT,
  ERR_MAGIC,
  ERR_MALFORMED,
  ERR_MEMORY,
  ERR_NONE,
  ERR_SHAPE,
  ERR_STATE,
  ERR_TRUNCATED,
  ERR_UNSUPPORTED,
  ERR_VERSION,
  HEADER_BYTES,
  OP_ADD,
  OP_CONV2D,
  OP_DENSE,
  OP_MAX_POOL2D,
  type ModelMessage,
  encodeTensorAs,
  newOp,
  readSqz,
  sqzProtoTypes,
  wrapPayload,
  writeSqz,
} from '../../formats/index.js';
import { SqzError, SqzFormatError, SqzInputError, SqzModel } from '../../runtime/index.js';
import { assertClose, randomFloats } from './helpers.js';
import { rng } from '../fixtures/random.js';
import { errorMessage, loadRaw, newInstance, predictRaw } from './raw_instance.js';
import { runModelReference } from './reference/run_model.js';

/** A small valid model using several encodings: conv (codebook) → max pool → dense (Rice, f16 bias). */
function smallModel(): ModelMessage {
  const random = rng(21);
  const conv = Float32Array.from({ length: 3 * 3 * 1 * 2 }, () => [-0.5, 0.25, 0.75][Math.floor(random() * 3)]);
  const dense = new Float32Array(8 * 3);
  for (let i = 0; i < dense.length; i += 3) dense[i] = random() < 0.5 ? 0.5 : -1;
  return {
    values: [{ shape: [6, 6, 1] }, { shape: [4, 4, 2] }, { shape: [2, 2, 2] }, { shape: [3] }],
    tensors: [
      encodeTensorAs(conv, [3, 3, 1, 2], ENC_CODEBOOK),
      encodeTensorAs(new Float32Array([0.125, -0.25]), [2], ENC_F32),
      encodeTensorAs(dense, [8, 3], ENC_SPARSE_RICE),
      encodeTensorAs(new Float32Array([0.5, 1, -2]), [3], ENC_F16),
      encodeTensorAs(dense, [8, 3], ENC_SPARSE_BITMAP),
    ],
    ops: [
      newOp({ type: OP_CONV2D, inputs: [0], outputs: [1], weight: 1, bias: 2, activation: ACT_RELU }),
      newOp({ type: OP_MAX_POOL2D, inputs: [1], outputs: [2], kernel: [2, 2], strides: [2, 2] }),
      newOp({ type: OP_DENSE, inputs: [2], outputs: [3], weight: 3, bias: 4 }),
    ],
    inputs: [0],
    outputs: [3],
  };
}

/** The payload as a plain Uint8Array copy (protobufjs gives a Buffer in Node, whose slice() is a view). */
function encodePayload(model: ModelMessage): Uint8Array {
  return new Uint8Array(sqzProtoTypes().Model.encode(model).finish());
}

function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function expectFormatError(bytes: Uint8Array, code: number, what: string, simd = true): Promise<SqzFormatError> {
  try {
    await SqzModel.load(bytes, { simd });
  } catch (error) {
    if (!(error instanceof SqzFormatError)) assert.fail(`${what}: expected SqzFormatError, got ${String(error)}`);
    assert.equal(error.code, code, `${what}: code ${error.code} (${error.message}), expected ${code}`);
    return error;
  }
  assert.fail(`${what}: loaded without error`);
}

const valid = writeSqz(smallModel());
const input = randomFloats(rng(1), 36);
const expected = runModelReference(smallModel(), [input], 1)[0];

test('every truncation of a valid file is ERR_TRUNCATED, in both builds; then the file loads', async () => {
  for (const simd of [true, false]) {
    for (let length = 0; length < valid.length; length++) {
      await expectFormatError(valid.subarray(0, length), ERR_TRUNCATED, `prefix ${length}`, simd);
    }
    const sqz = await SqzModel.load(valid, { simd });
    assertClose(sqz.predict(input), expected, 'after truncations');
  }
});

test('one instance survives every truncation and still loads and runs the valid file', () => {
  for (const simd of [true, false]) {
    const exports = newInstance(simd);
    for (let length = 0; length < valid.length; length++) {
      assert.equal(loadRaw(exports, valid.subarray(0, length)), ERR_TRUNCATED, `prefix ${length}`);
    }
    assert.equal(loadRaw(exports, valid), ERR_NONE, errorMessage(exports));
    assertClose(predictRaw(exports, input), expected, 'raw after truncations');
  }
});

test('random byte flips give the header error for their position', async () => {
  const random = rng(31);
  for (let trial = 0; trial < 300; trial++) {
    const bytes = valid.slice();
    const at = trial < 14 ? trial : Math.floor(random() * bytes.length);
    bytes[at] ^= 1 + Math.floor(random() * 255);
    let code = ERR_CHECKSUM;
    if (at < 4) code = ERR_MAGIC;
    else if (at < 6) code = ERR_VERSION;
    else if (at < 10 && new DataView(bytes.buffer).getUint32(6, true) > bytes.length - HEADER_BYTES)
      code = ERR_TRUNCATED;
    await expectFormatError(bytes, code, `flip at ${at}`, trial % 2 === 0);
  }
});

test('wrong magic, wrong version, trailing bytes', async () => {
  const magic = valid.slice();
  magic.set([0x50, 0x4b, 0x03, 0x04]);
  const error = await expectFormatError(magic, ERR_MAGIC, 'zip magic');
  assert.equal(error.offset, 0);
  const version = valid.slice();
  new DataView(version.buffer).setUint16(4, 2, true);
  assert.match((await expectFormatError(version, ERR_VERSION, 'version 2')).message, /version/);
  const trailing = concat(valid, [0]);
  assert.equal((await expectFormatError(trailing, ERR_MALFORMED, 'trailing byte')).offset, valid.length);
});

test('valid CRC, inconsistent contents: each is caught at load with the right code', async () => {
  const cases: [string, (m: ModelMessage) => void, number][] = [
    [
      'op input index out of range',
      (m) => {
        m.ops[0].inputs = [9];
      },
      ERR_MALFORMED,
    ],
    [
      'op output index out of range',
      (m) => {
        m.ops[2].outputs = [4];
      },
      ERR_MALFORMED,
    ],
    [
      'weight index out of range',
      (m) => {
        m.ops[2].weight = 6;
      },
      ERR_MALFORMED,
    ],
    [
      'model input out of range',
      (m) => {
        m.inputs = [7];
      },
      ERR_MALFORMED,
    ],
    [
      'model output never written',
      (m) => {
        m.values.push({ shape: [3] });
        m.outputs = [4];
      },
      ERR_MALFORMED,
    ],
    [
      'value read before written',
      (m) => {
        m.ops = [m.ops[1], m.ops[0], m.ops[2]];
      },
      ERR_MALFORMED,
    ],
    [
      'value written twice',
      (m) => {
        m.ops[1].outputs = [1];
      },
      ERR_MALFORMED,
    ],
    [
      'two outputs on one op',
      (m) => {
        m.ops[1].outputs = [2, 3];
      },
      ERR_MALFORMED,
    ],
    [
      'unknown op type',
      (m) => {
        m.ops[1].type = 42;
      },
      ERR_UNSUPPORTED,
    ],
    [
      'unknown activation',
      (m) => {
        m.ops[0].activation = ACT_COUNT;
      },
      ERR_UNSUPPORTED,
    ],
    [
      'unknown padding',
      (m) => {
        m.ops[0].padding = 2;
      },
      ERR_UNSUPPORTED,
    ],
    [
      'pool without kernel',
      (m) => {
        m.ops[1].kernel = [];
      },
      ERR_MALFORMED,
    ],
    [
      'pool stride 0',
      (m) => {
        m.ops[1].strides = [0, 2];
      },
      ERR_MALFORMED,
    ],
    [
      'seven params (more than any op reads)',
      (m) => {
        m.ops[1].params = [1, 1, 1, 1, 1, 1, 1];
      },
      ERR_MALFORMED,
    ],
    [
      'dense without weight',
      (m) => {
        m.ops[2].weight = 0;
      },
      ERR_MALFORMED,
    ],
    [
      'pool with a weight',
      (m) => {
        m.ops[1].weight = 1;
      },
      ERR_MALFORMED,
    ],
    [
      'dense weight rows ≠ input size',
      (m) => {
        m.values[2].shape = [2, 2, 3];
        m.values[1].shape = [4, 4, 3];
      },
      ERR_SHAPE,
    ],
    [
      'conv output shape wrong',
      (m) => {
        m.values[1].shape = [5, 4, 2];
      },
      ERR_SHAPE,
    ],
    [
      'bias length wrong',
      (m) => {
        m.ops[2].bias = 2;
      },
      ERR_SHAPE,
    ],
    [
      'value dimension 0',
      (m) => {
        m.values[3].shape = [0];
      },
      ERR_SHAPE,
    ],
    [
      'rank 7 value',
      (m) => {
        m.values[3].shape = [1, 1, 1, 1, 1, 1, 3];
      },
      ERR_UNSUPPORTED,
    ],
    [
      'unknown encoding',
      (m) => {
        m.tensors[1].encoding = 7;
      },
      ERR_UNSUPPORTED,
    ],
    [
      'bits 9',
      (m) => {
        m.tensors[0].bits = 9;
      },
      ERR_UNSUPPORTED,
    ],
    [
      'f32 data one byte short',
      (m) => {
        m.tensors[1].data = m.tensors[1].data.subarray(1);
      },
      ERR_MALFORMED,
    ],
    [
      'code ≥ codebook entries',
      (m) => {
        m.tensors[0].codebook = m.tensors[0].codebook.subarray(0, 4);
      },
      ERR_MALFORMED,
    ],
    [
      'codebook longer than 2^bits',
      (m) => {
        m.tensors[0].codebook = new Uint8Array(4 * 2 * 5);
        m.tensors[0].codebookType = 1;
      },
      ERR_MALFORMED,
    ],
    [
      'Rice position ≥ n',
      (m) => {
        m.tensors[2].shape = [8, 2];
        m.ops[2].weight = 3;
      },
      ERR_MALFORMED,
    ],
    [
      'Rice nnz larger than its gaps',
      (m) => {
        m.tensors[2].nnz += 1;
        m.tensors[2].data = concat(m.tensors[2].data, [0]);
      },
      ERR_MALFORMED,
    ],
    [
      'Rice k 25',
      (m) => {
        m.tensors[2].riceK = 25;
      },
      ERR_MALFORMED,
    ],
    [
      'nnz > n',
      (m) => {
        m.tensors[2].nnz = 100;
      },
      ERR_MALFORMED,
    ],
    [
      'bitmap popcount ≠ nnz',
      (m) => {
        m.tensors[4].nnz -= 1;
      },
      ERR_MALFORMED,
    ],
    [
      'bitmap bits past n',
      (m) => {
        m.tensors[4].positions = m.tensors[4].positions.slice();
        m.tensors[4].positions[2] |= 0x80;
        m.tensors[4].shape = [23];
      },
      ERR_MALFORMED,
    ],
  ];
  for (const [name, mutate, code] of cases) {
    const model = structuredClone(smallModel());
    mutate(model);
    const bytes = wrapPayload(encodePayload(model));
    const error = await expectFormatError(bytes, code, name);
    assert.ok(error.message.length > 20, `${name}: message "${error.message}"`);
  }
});

test('bad wire type, wrong wire type for a known field, over-long varint, zero field number', async () => {
  const payload = encodePayload(smallModel());
  const at = HEADER_BYTES + payload.length;
  for (const wireType of [3, 4, 6, 7]) {
    const error = await expectFormatError(
      wrapPayload(concat(payload, [(15 << 3) | wireType, 0])),
      ERR_MALFORMED,
      `wire type ${wireType}`,
    );
    assert.equal(error.offset, at, `wire type ${wireType}: offset`);
    assert.match(error.message, /wire type/);
  }
  await expectFormatError(wrapPayload(concat(payload, [(4 << 3) | 5, 0, 0, 0, 0])), ERR_MALFORMED, 'inputs as fixed32');
  await expectFormatError(wrapPayload(concat(payload, [(1 << 3) | 0, 1])), ERR_MALFORMED, 'values as varint');
  const longVarint = [(15 << 3) | 0, ...new Array(10).fill(0x80), 0x01];
  assert.match(
    (await expectFormatError(wrapPayload(concat(payload, longVarint)), ERR_MALFORMED, '11-byte varint')).message,
    /10 bytes/,
  );
  await expectFormatError(wrapPayload(concat(payload, [0, 0])), ERR_MALFORMED, 'field number 0');
  await expectFormatError(
    wrapPayload(concat(payload, [(15 << 3) | 2, 50, 1, 2])),
    ERR_MALFORMED,
    'length past the end',
  );
  // Unknown fields of every valid wire type are skipped (a 10-byte varint too; field 20 takes a 2-byte tag).
  const unknown = [
    (15 << 3) | 0,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0x01,
    (14 << 3) | 1,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    0xa2,
    0x01,
    2,
    9,
    9,
    (13 << 3) | 5,
    1,
    2,
    3,
    4,
  ];
  const sqz = await SqzModel.load(wrapPayload(concat(payload, unknown)));
  assertClose(sqz.predict(input), expected, 'unknown fields skipped');
});

test('valid-CRC fuzz: random payload mutations never trap or hang; one instance keeps working', () => {
  const payload = encodePayload(smallModel());
  const random = rng(41);
  const known = new Set([ERR_NONE, ERR_MALFORMED, ERR_UNSUPPORTED, ERR_SHAPE]);
  for (const simd of [true, false]) {
    const exports = newInstance(simd);
    for (let trial = 0; trial < 5000; trial++) {
      const mutated = payload.slice();
      const flips = 1 + Math.floor(random() * 3);
      for (let f = 0; f < flips; f++) {
        const at = Math.floor(random() * mutated.length);
        mutated[at] = random() < 0.5 ? mutated[at] ^ (1 << Math.floor(random() * 8)) : Math.floor(random() * 256);
      }
      const code = loadRaw(exports, wrapPayload(mutated), trial % 3);
      assert.ok(known.has(code), `trial ${trial}: code ${code} (${errorMessage(exports)})`);
      if (code === ERR_NONE) {
        const batch = 1 + (trial % 4);
        assert.equal(exports.plan(batch), ERR_NONE);
        new Float32Array(exports.memory.buffer, exports.inputPtr(0) >>> 0, exports.inputLength(0) * batch).fill(0.5);
        assert.equal(exports.run(batch), ERR_NONE);
      }
    }
    assert.equal(loadRaw(exports, valid), ERR_NONE, errorMessage(exports));
    assertClose(predictRaw(exports, input), expected, 'after fuzz');
  }
});

test('mutated files that both the wasm runtime and the TS reader accept give the reference outputs', () => {
  const payload = encodePayload(smallModel());
  const random = rng(43);
  const exports = newInstance(true);
  let agreed = 0;
  for (let trial = 0; trial < 3000; trial++) {
    const mutated = payload.slice();
    mutated[Math.floor(random() * mutated.length)] ^= 1 << Math.floor(random() * 8);
    const file = wrapPayload(mutated);
    if (loadRaw(exports, file, trial % 3) !== ERR_NONE) continue;
    let model: ModelMessage;
    try {
      model = readSqz(file);
    } catch {
      continue; // the TS reader is stricter on a few attributes run does not use (e.g. clipMax without relu-clip)
    }
    const x = randomFloats(random, exports.inputLength(0));
    const [reference] = runModelReference(model, [x], 1);
    assertClose(predictRaw(exports, x), reference, `trial ${trial}`);
    agreed++;
  }
  assert.ok(agreed > 100, `only ${agreed} mutated files were accepted by both`);
});

test('host calls in the wrong order or with bad arguments are errors, not traps', () => {
  const exports = newInstance(true);
  assert.equal(exports.run(1), ERR_STATE);
  assert.equal(exports.plan(4), ERR_STATE);
  assert.equal(exports.load(0, 10, 0), ERR_STATE, 'load before alloc');
  const ptr = exports.alloc(valid.length) >>> 0;
  new Uint8Array(exports.memory.buffer, ptr, valid.length).set(valid);
  assert.equal(exports.load(ptr, valid.length + 100, 0), ERR_STATE, 'length past the block');
  assert.equal(exports.load(ptr, valid.length, 7), ERR_UNSUPPORTED, 'exec mode 7');
  assert.equal(exports.load(ptr, valid.length, 0), ERR_NONE);
  assert.equal(exports.run(0), ERR_INPUT);
  assert.equal(exports.run(2), ERR_INPUT, 'batch above the plan');
  assert.equal(exports.plan(0), ERR_INPUT);
  assert.equal(exports.inputPtr(5), 0);
  assert.equal(exports.plan(2), ERR_NONE);
  assert.equal(exports.run(2), ERR_NONE);
  assert.equal(exports.plan(0x7fff_ffff), 10, 'a huge batch is ERR_MEMORY');
  assert.equal(exports.run(2), ERR_NONE, 'the old plan survives a failed plan');
  assertClose(predictRaw(exports, input), expected, 'after bad calls');
});

test('an arena beyond 4 GB is ERR_MEMORY (SqzError, not a format error or a trap); the instance stays usable', async () => {
  const count = 20;
  const big = { shape: [8192, 8192] }; // 2^26 floats per sample, all live at once
  const model: ModelMessage = {
    values: Array.from({ length: count + 1 }, () => big),
    tensors: [],
    ops: [newOp({ type: OP_ADD, inputs: Array.from({ length: count }, (_, i) => i), outputs: [count] })],
    inputs: Array.from({ length: count }, (_, i) => i),
    outputs: [count],
  };
  const bytes = writeSqz(model);
  await assert.rejects(
    SqzModel.load(bytes),
    (error: unknown) =>
      error instanceof SqzError &&
      !(error instanceof SqzFormatError) &&
      error.code === ERR_MEMORY &&
      /memory/.test(error.message),
  );
  const exports = newInstance(false);
  assert.equal(loadRaw(exports, bytes), ERR_MEMORY);
  assert.equal(loadRaw(exports, valid), ERR_NONE);
  assertClose(predictRaw(exports, input), expected, 'after ERR_MEMORY');
});

test('wrong input length is SqzInputError naming expected and got; the model stays usable', async () => {
  const sqz = await SqzModel.load(valid);
  assert.throws(
    () => sqz.predict(new Float32Array(35)),
    (error: unknown) => {
      assert.ok(error instanceof SqzInputError);
      assert.equal(error.code, ERR_INPUT);
      assert.match(error.message, /input has 35 floats; the model takes 36 per sample × batch 1 = 36/);
      return true;
    },
  );
  assert.throws(
    () => sqz.predict(new Float32Array(36 * 2), 3),
    /72 floats; the model takes 36 per sample × batch 3 = 108/,
  );
  assert.throws(() => sqz.predict([input, input]), SqzInputError);
  assert.throws(() => sqz.predict(input, 0), SqzInputError);
  assert.throws(() => sqz.predict(Array.from(input) as unknown as Float32Array), SqzInputError);
  assertClose(sqz.predict(input), expected, 'after wrong inputs');
  sqz.dispose();
  assert.throws(
    () => sqz.predict(input),
    (error: unknown) => error instanceof SqzError && error.code === ERR_STATE && /disposed/.test(error.message),
  );
  assert.throws(() => sqz.info, SqzError);
});
