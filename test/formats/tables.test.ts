// The op, activation and encoding tables: one entry per code, in code order, with names that are unique and
// entries that are complete; and a code with no entry is an error naming it in the TS reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACT_COUNT,
  ACTIVATIONS,
  ENC_COUNT,
  ENCODINGS,
  ERR_UNSUPPORTED,
  OP_COUNT,
  OP_DENSE,
  OPS,
  SqzFormatError,
  TENSOR_FIELDS,
  activationByCode,
  activationName,
  encodingByCode,
  encodingName,
  newOp,
  opByCode,
  opName,
  readSqz,
  wrapPayload,
  sqzProtoTypes,
  encodeTensorAs,
  ENC_F32,
  type ModelMessage,
} from '../../formats/index.js';
import { COMPILER_OPS } from '../../compiler/ops.js';

const unique = (names: readonly string[]) => new Set(names).size === names.length;

test('every OP_* code from 1 to OP_COUNT − 1 has one descriptor, in code order, with a compiler entry', () => {
  assert.equal(OPS.length, OP_COUNT - 1);
  OPS.forEach((d, i) => {
    assert.equal(d.code, i + 1, `OPS[${i}] is ${d.name}`);
    assert.equal(opByCode(d.code), d);
    assert.ok(d.inputs.min >= 1 && d.inputs.max >= d.inputs.min, `${d.name}: arity`);
    assert.ok(d.keras.classNames.length > 0, `${d.name}: no tfjs class imports as it`);
    assert.ok(
      COMPILER_OPS[d.name as keyof typeof COMPILER_OPS] !== undefined,
      `${d.name}: no entry in compiler/ops.ts`,
    );
    if (d.compressible) assert.ok(d.weight !== undefined, `${d.name}: compressible without a weight slot`);
  });
  assert.ok(unique(OPS.map((d) => d.name)), 'op names are unique');
  assert.ok(
    unique(OPS.flatMap((d) => [...d.keras.classNames, ...(d.keras.aliases ?? [])])),
    'tfjs classes import as one op',
  );
  assert.equal(opByCode(0), undefined);
  assert.equal(opByCode(OP_COUNT), undefined);
  assert.equal(opName(OP_COUNT), `op type ${OP_COUNT}`);
});

test('every ACT_* code has one descriptor with its reference formula; identifiers are unique', () => {
  assert.equal(ACTIVATIONS.length, ACT_COUNT);
  ACTIVATIONS.forEach((a, i) => {
    assert.equal(a.code, i, `ACTIVATIONS[${i}] is ${a.name}`);
    assert.equal(activationByCode(i), a);
    if (a.elementwise) assert.equal(typeof a.apply, 'function', `${a.name}: elementwise without apply`);
    else assert.equal(typeof a.applyRow, 'function', `${a.name}: row-wise without applyRow`);
  });
  assert.ok(unique(ACTIVATIONS.map((a) => a.name)));
  assert.ok(unique(ACTIVATIONS.flatMap((a) => a.keras)));
  assert.equal(activationName(ACT_COUNT), `activation ${ACT_COUNT}`);
});

test('every ENC_* code has one descriptor; the fields it lists are Tensor fields', () => {
  assert.equal(ENCODINGS.length, ENC_COUNT);
  ENCODINGS.forEach((e, i) => {
    assert.equal(e.code, i, `ENCODINGS[${i}] is ${e.name}`);
    assert.equal(encodingByCode(i), e);
    assert.ok(
      e.fields.every((f) => TENSOR_FIELDS.includes(f)),
      e.name,
    );
    assert.equal(e.codebook, e.fields.includes('codebook'), `${e.name}: codebook flag and fields agree`);
    assert.equal(e.sparse, e.fields.includes('positions'), `${e.name}: sparse flag and fields agree`);
    assert.equal(e.valueBits !== undefined, !e.codebook, `${e.name}: fixed-width values or a codebook`);
  });
  assert.ok(unique(ENCODINGS.map((e) => e.name)));
  assert.equal(encodingName(ENC_COUNT), `encoding ${ENC_COUNT}`);
});

/** A one-dense model whose op has type `type`, written without the checking writer. */
function craftedFile(type: number): Uint8Array {
  const model: ModelMessage = {
    values: [{ shape: [2] }, { shape: [3] }],
    tensors: [encodeTensorAs(new Float32Array(6), [2, 3], ENC_F32)],
    ops: [newOp({ type, inputs: [0], outputs: [1], weight: 1 })],
    inputs: [0],
    outputs: [1],
  };
  const { Model } = sqzProtoTypes();
  return wrapPayload(Model.encode(Model.fromObject(model)).finish());
}

test('an op code with no entry is a SqzFormatError naming it, in the TS reader', () => {
  assert.doesNotThrow(() => readSqz(craftedFile(OP_DENSE)), 'the crafted file itself is fine');
  for (const type of [0, OP_COUNT, OP_COUNT + 40]) {
    assert.throws(
      () => readSqz(craftedFile(type)),
      (e: unknown) =>
        e instanceof SqzFormatError && e.code === ERR_UNSUPPORTED && e.message.includes(`unknown op type ${type}`),
      `type ${type}`,
    );
  }
});
