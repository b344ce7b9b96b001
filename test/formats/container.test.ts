import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import {
  ACT_RELU,
  ACT_RELU_CLIP,
  ACT_SOFTMAX,
  ENC_CODEBOOK,
  ENC_SPARSE_RICE,
  ERR_CHECKSUM,
  ERR_MAGIC,
  ERR_MALFORMED,
  ERR_SHAPE,
  ERR_TRUNCATED,
  ERR_UNSUPPORTED,
  ERR_VERSION,
  OP_ACTIVATION,
  OP_ADD,
  OP_CONV2D,
  OP_DENSE,
  OP_DEPTHWISE_CONV2D,
  OP_GLOBAL_AVG_POOL2D,
  OP_MAX_POOL2D,
  OP_RESHAPE,
  PAD_SAME,
} from '../../formats/constants.js';
import { crc32 } from '../../formats/crc32.js';
import { SqzFormatError } from '../../formats/errors.js';
import { readSqz, sqzFileBytesForModel, writeSqz } from '../../formats/container.js';
import { newOp, sqzProtoTypes, type ModelMessage } from '../../formats/schema.js';
import { decodeTensor, encodeTensor, encodeTensorAs } from '../../formats/tensor_codec.js';
import { naivePack } from './reference.js';
import { rng } from '../fixtures/random.js';

/** CRC from zlib when Node has it (independent of formats/crc32.ts), else ours (checked in crc32.test.ts). */
const referenceCrc = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32 ?? crc32;

function weights(shape: number[], seed: number, density = 0.5): Float32Array {
  const random = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () =>
    random() < density ? [0.5, -0.25, 1, -2][Math.floor(random() * 4)] : 0,
  );
}

/** A small real graph: conv (same) → depthwise → residual add → max pool → global pool / reshape → dense → softmax. */
function buildModel(): ModelMessage {
  const t = (shape: number[], seed: number) => encodeTensor(weights(shape, seed), shape);
  return {
    values: [
      { shape: [8, 8, 1] },
      { shape: [8, 8, 4] },
      { shape: [8, 8, 4] },
      { shape: [8, 8, 4] },
      { shape: [4, 4, 4] },
      { shape: [64] },
      { shape: [10] },
      { shape: [10] },
      { shape: [4] },
    ],
    tensors: [t([3, 3, 1, 4], 1), t([4], 2), t([3, 3, 4, 1], 3), t([64, 10], 4), t([10], 5)],
    ops: [
      newOp({
        type: OP_CONV2D,
        inputs: [0],
        outputs: [1],
        weight: 1,
        bias: 2,
        padding: PAD_SAME,
        activation: ACT_RELU,
      }),
      newOp({
        type: OP_DEPTHWISE_CONV2D,
        inputs: [1],
        outputs: [2],
        weight: 3,
        padding: PAD_SAME,
        activation: ACT_RELU_CLIP,
        clipMax: 6,
      }),
      newOp({ type: OP_ADD, inputs: [1, 2], outputs: [3] }),
      newOp({ type: OP_MAX_POOL2D, inputs: [3], outputs: [4], kernel: [2, 2], strides: [2, 2] }),
      newOp({ type: OP_RESHAPE, inputs: [4], outputs: [5] }),
      newOp({ type: OP_DENSE, inputs: [5], outputs: [6], weight: 4, bias: 5 }),
      newOp({ type: OP_ACTIVATION, inputs: [6], outputs: [7], activation: ACT_SOFTMAX }),
      newOp({ type: OP_GLOBAL_AVG_POOL2D, inputs: [4], outputs: [8] }),
    ],
    inputs: [0],
    outputs: [7, 8],
  };
}

/** A .sqz file around `payload` built by hand (not by writeSqz), with a correct CRC. */
function fileOf(payload: Uint8Array, version = 1): Uint8Array {
  const file = new Uint8Array(14 + payload.length);
  file.set([0x53, 0x51, 0x5a, 0x1a]);
  const view = new DataView(file.buffer);
  view.setUint16(4, version, true);
  view.setUint32(6, payload.length, true);
  view.setUint32(10, referenceCrc(payload), true);
  file.set(payload, 14);
  return file;
}

/** Encodes `model` with protobufjs directly, bypassing writeSqz's validation. */
function rawFile(model: ModelMessage): Uint8Array {
  return fileOf(sqzProtoTypes().Model.encode(model).finish());
}

function expectError(fn: () => unknown, code: number, pattern: RegExp, offset?: number): SqzFormatError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof SqzFormatError, `expected SqzFormatError, got ${caught}`);
  assert.equal(caught.code, code, caught.message);
  assert.match(caught.message, pattern);
  if (offset !== undefined) assert.equal(caught.offset, offset, caught.message);
  return caught;
}

test('writeSqz → readSqz round-trips the model; header fields and size are exact', () => {
  const model = buildModel();
  const file = writeSqz(model);
  assert.equal(file.length, sqzFileBytesForModel(model));
  assert.deepEqual(Array.from(file.subarray(0, 4)), [0x53, 0x51, 0x5a, 0x1a]);
  const view = new DataView(file.buffer);
  assert.equal(view.getUint16(4, true), 1);
  assert.equal(view.getUint32(6, true), file.length - 14);
  assert.equal(view.getUint32(10, true), referenceCrc(file.subarray(14)));
  const back = readSqz(file);
  assert.deepEqual(back, model);
  back.tensors.forEach((t, i) => assert.deepEqual(decodeTensor(t), decodeTensor(model.tensors[i])));
  // Node Buffers (what fs.readFile gives) work too, and byte fields come back as plain Uint8Arrays.
  const fromBuffer = readSqz(Buffer.from(file));
  assert.equal(Object.getPrototypeOf(fromBuffer.tensors[0].data), Uint8Array.prototype);
  assert.deepEqual(fromBuffer, model);
});

test('every truncated prefix throws ERR_TRUNCATED', () => {
  const file = writeSqz(buildModel());
  for (let len = 0; len < file.length; len++) {
    const e = expectError(
      () => readSqz(file.subarray(0, len)),
      ERR_TRUNCATED,
      len < 14 ? /less than the 14-byte header/ : /header promises \d+ payload bytes/,
    );
    assert.equal(e.offset, len);
  }
  expectError(
    () => readSqz(file.subarray(0, 20)),
    ERR_TRUNCATED,
    new RegExp(`promises ${file.length - 14} payload bytes \\(${file.length} in all\\), only 6 are present`),
  );
});

test('flipped bytes: payload and CRC → checksum; magic → magic; version → version', () => {
  const file = writeSqz(buildModel());
  for (let i = 0; i < file.length; i++) {
    const bad = file.slice();
    bad[i] ^= 0x5a;
    let caught: unknown;
    try {
      readSqz(bad);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof SqzFormatError, `byte ${i}: ${caught}`);
    const want = i < 4 ? ERR_MAGIC : i < 6 ? ERR_VERSION : i < 10 ? undefined : ERR_CHECKSUM;
    if (want !== undefined) assert.equal(caught.code, want, `byte ${i}: ${caught.message}`);
    else assert.ok([ERR_TRUNCATED, ERR_CHECKSUM].includes(caught.code), `length byte ${i}: ${caught.message}`);
  }
  const bad = file.slice();
  bad[30] ^= 1;
  expectError(() => readSqz(bad), ERR_CHECKSUM, /header CRC-32 is 0x[0-9a-f]{8}, payload CRC-32 is 0x[0-9a-f]{8}/, 10);
});

test('wrong magic, wrong version and trailing bytes', () => {
  const file = writeSqz(buildModel());
  const zip = file.slice();
  zip.set([0x50, 0x4b, 0x03, 0x04]);
  expectError(() => readSqz(zip), ERR_MAGIC, /starts with 50 4b 03 04, expected 53 51 5a 1a/, 0);
  const v2 = file.slice();
  v2[4] = 2;
  expectError(() => readSqz(v2), ERR_VERSION, /format version 2 is not supported; this reader supports version 1/, 4);
  const payload = file.subarray(14);
  expectError(() => readSqz(fileOf(payload, 0)), ERR_VERSION, /version 0/);
  const longer = new Uint8Array(file.length + 3);
  longer.set(file);
  expectError(() => readSqz(longer), ERR_MALFORMED, /3 bytes follow the \d+-byte payload/, file.length);
});

test('valid CRC, bad protobuf wire data → ERR_MALFORMED with an offset', () => {
  const e = expectError(() => readSqz(fileOf(Uint8Array.of(0x12, 0x40, 0x08))), ERR_MALFORMED, /not a valid sqz.Model/);
  assert.ok(e.offset >= 14, `offset ${e.offset}`);
  expectError(
    () => readSqz(fileOf(Uint8Array.of(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))),
    ERR_MALFORMED,
    /not a valid sqz.Model/,
  );
  expectError(() => readSqz(fileOf(Uint8Array.of(0x0f))), ERR_MALFORMED, /not a valid sqz.Model/); // wire type 7
  expectError(() => readSqz(fileOf(new Uint8Array(0))), ERR_MALFORMED, /model: has no inputs/);
});

test('valid CRC, out-of-range value index / code / position → errors naming the problem at its offset', () => {
  const tensorTag = 0x12,
    opTag = 0x1a;
  let m = buildModel();
  m.ops[3].inputs = [99];
  let file = rawFile(m);
  let e = expectError(
    () => readSqz(file),
    ERR_MALFORMED,
    /^op 3 \(maxPool2d\): input value 99 is out of range \(9 values\)$/,
  );
  assert.equal(file[e.offset], opTag);

  m = buildModel();
  const cb = encodeTensorAs(Float32Array.of(1, 2, 3, 1), [4], ENC_CODEBOOK);
  m.tensors.push({ ...cb, data: naivePack([0, 3, 1, 2], 2) });
  file = rawFile(m);
  e = expectError(() => readSqz(file), ERR_MALFORMED, /^tensor 5: code 1 is not < the 3 codebook entries$/);
  assert.equal(file[e.offset], tensorTag);

  m = buildModel();
  const rice = encodeTensorAs(weights([64, 10], 4), [64, 10], ENC_SPARSE_RICE);
  m.tensors[3] = { ...rice, shape: [64, 9] }; // the last positions now fall beyond n = 576
  file = rawFile(m);
  e = expectError(() => readSqz(file), ERR_MALFORMED, /^tensor 3: Rice position \d+ of \d+ is \d+, not < n = 576$/);
  assert.equal(file[e.offset], tensorTag);

  m = buildModel();
  m.outputs = [7, 12];
  expectError(() => readSqz(rawFile(m)), ERR_MALFORMED, /output value 12 is out of range/);
  m = buildModel();
  m.ops[1].weight = 9;
  expectError(() => readSqz(rawFile(m)), ERR_MALFORMED, /weight 9 refers past the 5 tensors/);
});

test('graph rules: unknown codes, weights, outputs, order and shapes', () => {
  const cases: Array<[string, (m: ModelMessage) => void, number, RegExp]> = [
    [
      'op type',
      (m) => {
        m.ops[0].type = 42;
      },
      ERR_UNSUPPORTED,
      /unknown op type 42/,
    ],
    [
      'activation',
      (m) => {
        m.ops[0].activation = 99;
      },
      ERR_UNSUPPORTED,
      /unknown activation 99/,
    ],
    [
      'padding',
      (m) => {
        m.ops[0].padding = 2;
      },
      ERR_UNSUPPORTED,
      /unknown padding 2/,
    ],
    [
      'two outputs',
      (m) => {
        m.ops[6].outputs = [7, 8];
      },
      ERR_MALFORMED,
      /has 2 outputs, needs exactly 1/,
    ],
    [
      'read before write',
      (m) => {
        [m.ops[4], m.ops[5]] = [m.ops[5], m.ops[4]];
      },
      ERR_MALFORMED,
      /reads value 5 before any op writes it/,
    ],
    [
      'written twice',
      (m) => {
        m.ops[7].outputs = [7];
        m.outputs = [7];
      },
      ERR_MALFORMED,
      /writes value 7, which is a model input or written by an earlier op/,
    ],
    [
      'missing weight',
      (m) => {
        m.ops[5].weight = 0;
      },
      ERR_MALFORMED,
      /op 5 \(dense\): has no weight tensor/,
    ],
    [
      'weight on a pool',
      (m) => {
        m.ops[3].weight = 1;
      },
      ERR_MALFORMED,
      /has a weight, which this op does not use/,
    ],
    [
      'pool kernel',
      (m) => {
        m.ops[3].kernel = [2];
      },
      ERR_MALFORMED,
      /kernel \[2\] must be \[KH, KW\]/,
    ],
    [
      'params on a pool',
      (m) => {
        m.ops[3].params = [1, 2];
      },
      ERR_MALFORMED,
      /has params, which this op does not use/,
    ],
    [
      'add with one input',
      (m) => {
        m.ops[2].inputs = [1];
      },
      ERR_MALFORMED,
      /has 1 inputs, needs 2 or more/,
    ],
    [
      'relu clip without clipMax',
      (m) => {
        m.ops[1].clipMax = 0;
      },
      ERR_MALFORMED,
      /relu clip needs clipMax > 0/,
    ],
    [
      'dense weight shape',
      (m) => {
        m.values[5] = { shape: [63] };
        m.values[4] = { shape: [4, 4, 4] };
        m.ops[4].outputs = [5];
      },
      ERR_SHAPE,
      /cannot reshape \[4, 4, 4\] to \[63\]/,
    ],
    [
      'conv output shape',
      (m) => {
        m.ops[0].padding = 0;
      },
      ERR_SHAPE,
      /output value 1 has shape \[8, 8, 4\], the op produces \[6, 6, 4\]/,
    ],
    [
      'conv kernel of 0',
      (m) => {
        m.tensors[0] = encodeTensor(new Float32Array(0), [0, 3, 1, 4]);
      },
      ERR_SHAPE,
      /weight shape \[0, 3, 1, 4\] should be \[KH, KW, 1, M\] \(each ≥ 1\)/,
    ],
    [
      'bias shape',
      (m) => {
        m.ops[5].bias = 2;
      },
      ERR_SHAPE,
      /bias shape \[4\] should be \[10\]/,
    ],
    [
      'add shapes',
      (m) => {
        m.ops[2].inputs = [1, 0];
      },
      ERR_SHAPE,
      /input value 0 has shape \[8, 8, 1\]/,
    ],
    [
      'output never written',
      (m) => {
        m.outputs = [7, 8, 8];
        m.ops.pop();
      },
      ERR_MALFORMED,
      /output value 8 is never written/,
    ],
  ];
  for (const [, change, code, pattern] of cases) {
    // the name labels the case for the reader
    const m = buildModel();
    change(m);
    expectError(() => readSqz(rawFile(m)), code, pattern);
    expectError(() => writeSqz(m), code, pattern); // the writer refuses the same model
  }
});

test('random payload corruption with a recomputed CRC only ever raises SqzFormatError', () => {
  const random = rng(80);
  const payload = writeSqz(buildModel()).subarray(14);
  let rejected = 0;
  for (let trial = 0; trial < 1500; trial++) {
    const bad = payload.slice();
    const flips = 1 + Math.floor(random() * 3);
    for (let f = 0; f < flips; f++) bad[Math.floor(random() * bad.length)] = Math.floor(random() * 256);
    try {
      readSqz(fileOf(random() < 0.1 ? bad.subarray(0, Math.floor(random() * bad.length)) : bad));
    } catch (e) {
      assert.ok(e instanceof SqzFormatError, `trial ${trial}: ${e}`);
      rejected++;
    }
  }
  assert.ok(rejected > 500, `only ${rejected} of 1500 corruptions were rejected`);
});
