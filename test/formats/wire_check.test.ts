// formats/wire_check.ts: the TS reader refuses exactly the wire data the runtime refuses, with the same message at
// the same file offset; before it, protobufjs read 2^32 + 1 in a uint32 field as 1 and accepted wrong wire types.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERR_MALFORMED, ERR_NONE, SqzFormatError, readSqz, sqzProtoTypes, wrapPayload } from '../../formats/index.js';
import { sqzFileBytesForModel, writeSqz } from '../../formats/container.js';
import { OP_ACTIVATION } from '../../formats/constants.js';
import { newOp } from '../../formats/schema.js';
import { errorMessage, loadRaw, newInstance } from '../runtime/raw_instance.js';
import { varint } from '../fuzz/mutate.js';
import { fuzzSeeds } from '../fuzz/seeds.js';

const seed = fuzzSeeds()[0]!;
const payload = seed.file.subarray(14);
const cat = (...parts: ArrayLike<number>[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
/** The seed's payload plus one more Tensor message whose body is the seed's first tensor followed by `extra`. */
const withTensorField = (extra: number[]): Uint8Array => {
  const body = cat(sqzProtoTypes().Tensor.encode(seed.model.tensors[0]!).finish(), extra);
  return cat(payload, [(2 << 3) | 2], varint(BigInt(body.length)), body);
};

const REFUSED: [string, Uint8Array, string][] = [
  ['model input 2^32', cat(payload, [4 << 3], varint(2n ** 32n)), 'varint too large for a uint32 field'],
  ['model output -1 (10-byte varint)', cat(payload, [5 << 3], varint(-1n)), 'varint too large for a uint32 field'],
  [
    'packed inputs with 2^32 + 5',
    cat(payload, [(4 << 3) | 2, 5], varint(2n ** 32n + 5n)),
    'varint too large for a uint32 field',
  ],
  ['11-byte varint', cat(payload, [4 << 3], new Array(10).fill(0x80), [0]), 'varint longer than 10 bytes'],
  ['tensor bits 2^32 + 1', withTensorField([4 << 3, ...varint(2n ** 32n + 1n)]), 'varint too large for a uint32 field'],
  ['tensor encoding as bytes', withTensorField([(2 << 3) | 2, 1, 0]), 'wrong wire type for a known field'],
  ['tensor data as varint', withTensorField([3 << 3, 1]), 'wrong wire type for a known field'],
  ['op clip_max as varint', cat(payload, [(3 << 3) | 2, 2, 10 << 3, 1]), 'wrong wire type for a known field'],
  ['values as fixed64', cat(payload, [(1 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8]), 'wrong wire type for a known field'],
  ['class_names as varint', cat(payload, [6 << 3, 1]), 'wrong wire type for a known field'],
  ['input_range as fixed32', cat(payload, [(7 << 3) | 5, 0, 0, 0, 0]), 'wrong wire type for a known field'],
  ['field number 0', cat(payload, [0, 0]), 'field number 0'],
  ['wire type 6', cat(payload, [(15 << 3) | 6]), 'bad wire type'],
  [
    'length past the end',
    cat(payload, [(15 << 3) | 2], varint(0xffff_ffffn)),
    'field runs past the end of its message',
  ],
  ['nested length past its message', withTensorField([(3 << 3) | 2, 100]), 'field runs past the end of its message'],
];

test('wire data the runtime refuses is refused by the TS reader with the same message and offset', () => {
  const exports = newInstance(true);
  for (const [name, bytes, message] of REFUSED) {
    const file = wrapPayload(bytes);
    assert.equal(loadRaw(exports, file), ERR_MALFORMED, `${name}: runtime`);
    assert.match(errorMessage(exports), new RegExp(message), `${name}: runtime message`);
    assert.throws(
      () => readSqz(file),
      (error: unknown) => {
        assert.ok(error instanceof SqzFormatError, `${name}: ${String(error)}`);
        assert.equal(error.code, ERR_MALFORMED, name);
        assert.ok(error.message.includes(message), `${name}: "${error.message}"`);
        assert.equal(error.offset, exports.errorOffset(), `${name}: offset`);
        return true;
      },
    );
  }
});

test('what protobuf allows still loads in both: unpacked repeated fields and unknown fields of every wire type', () => {
  const exports = newInstance(false);
  const accepted: [string, Uint8Array][] = [
    [
      'unpacked outputs',
      cat(
        sqzProtoTypes()
          .Model.encode({ ...seed.model, outputs: [] })
          .finish(),
        [5 << 3, 3],
      ),
    ],
    [
      'unknown fields',
      cat(payload, [15 << 3], varint(2n ** 63n), [
        (14 << 3) | 1,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        (13 << 3) | 5,
        1,
        2,
        3,
        4,
        (12 << 3) | 2,
        1,
        9,
      ]),
    ],
    ['unknown varint field inside a tensor', withTensorField([15 << 3, ...varint(-1n)])],
  ];
  for (const [name, bytes] of accepted) {
    const file = wrapPayload(bytes);
    assert.equal(loadRaw(exports, file), ERR_NONE, `${name}: ${errorMessage(exports)}`);
    assert.doesNotThrow(() => readSqz(file), name);
  }
});

test('the optional metadata fields: written, read back (also by the runtime), counted, checked', () => {
  const base = {
    values: [{ shape: [3] }, { shape: [3] }],
    tensors: [],
    ops: [newOp({ type: OP_ACTIVATION, inputs: [0], outputs: [1] })],
    inputs: [0],
    outputs: [1],
  };
  const older = readSqz(writeSqz(base));
  assert.equal(older.classNames, undefined, 'a file without the fields reads as before');
  const model = { ...base, classNames: ['cat', 'Größe', '猫'], inputRange: [-1, 1] };
  const file = writeSqz(model);
  assert.equal(file.length, sqzFileBytesForModel(model), 'the byte count includes the fields');
  const back = readSqz(file);
  assert.deepEqual(back.classNames, model.classNames);
  assert.deepEqual(back.inputRange, [-1, 1]);
  assert.equal(loadRaw(newInstance(true), file), ERR_NONE, 'the wasm runtime loads it');
  assert.throws(() => writeSqz({ ...base, classNames: ['a', 'b'] }), /2 class names but its first output has 3 values/);
  assert.throws(() => writeSqz({ ...base, inputRange: [1, 0] }), /input_range must be empty or \[A, B\] with A < B/);
});
