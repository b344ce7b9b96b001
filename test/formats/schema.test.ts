import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SQZ_PROTO_TEXT, sqzProtoTypes } from '../../formats/schema.js';

// dist/test/formats/x.js → package root is three levels up.
const protoPath = new URL('../../../formats/sqz.proto', import.meta.url);

test('embedded schema text equals formats/sqz.proto byte for byte', () => {
  assert.equal(SQZ_PROTO_TEXT, readFileSync(protoPath, 'utf8'));
});

test('protobufjs types expose the camelCase field names the TS interfaces use', () => {
  const { Model, Value, Op, Tensor } = sqzProtoTypes();
  assert.deepEqual(
    Model.fieldsArray.map((f) => f.name),
    ['values', 'tensors', 'ops', 'inputs', 'outputs', 'classNames', 'inputRange'],
  );
  assert.deepEqual(
    Value.fieldsArray.map((f) => f.name),
    ['shape'],
  );
  assert.deepEqual(
    Op.fieldsArray.map((f) => f.name),
    ['type', 'inputs', 'outputs', 'weight', 'bias', 'kernel', 'strides', 'padding', 'activation', 'clipMax', 'params'],
  );
  assert.deepEqual(
    Tensor.fieldsArray.map((f) => f.name),
    ['shape', 'encoding', 'data', 'bits', 'codebook', 'codebookType', 'positions', 'riceK', 'nnz'],
  );
  // Every field number < 16, so message_size.ts may count one byte per tag.
  for (const t of [Model, Value, Op, Tensor])
    for (const f of t.fieldsArray) assert.ok(f.id < 16, `${t.name}.${f.name}`);
  // Repeated uint32 fields are packed (proto3 default), as message_size.ts assumes.
  for (const f of [...Model.fieldsArray, ...Value.fieldsArray, ...Op.fieldsArray, ...Tensor.fieldsArray]) {
    if (f.repeated && f.type === 'uint32') assert.ok(f.packed, f.name);
  }
});
