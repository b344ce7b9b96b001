// The kernel registry (assembly/registry.ts, kernels/index.ts): every op of the table has a kernel in the general
// runtime, and an op code with no entry is refused at load with a SqzFormatError naming it, never run as another op.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACT_COUNT,
  ENC_COUNT,
  ENC_F32,
  ERR_UNSUPPORTED,
  OP_COUNT,
  OP_DENSE,
  PATH_COUNT,
  SqzFormatError,
  encodeTensorAs,
  newOp,
  sqzProtoTypes,
  wrapPayload,
  type ModelMessage,
} from '../../formats/index.js';
import { SqzModel } from '../../runtime/index.js';

/** A one-op model whose op has type `type` (a dense's inputs, output and weight), written without the checking writer. */
function craftedFile(type: number): Uint8Array {
  const model: ModelMessage = {
    values: [{ shape: [2] }, { shape: [3] }],
    tensors: [encodeTensorAs(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], ENC_F32)],
    ops: [newOp({ type, inputs: [0], outputs: [1], weight: 1 })],
    inputs: [0],
    outputs: [1],
  };
  const { Model } = sqzProtoTypes();
  return wrapPayload(Model.encode(Model.fromObject(model)).finish());
}

test('an op code with no kernel is a SqzFormatError naming it, in both builds; the known code runs', async () => {
  for (const simd of [true, false]) {
    const ok = await SqzModel.load(craftedFile(OP_DENSE), { simd });
    assert.deepEqual([...ok.predict(Float32Array.from([1, 1]))], [5, 7, 9]);
    ok.dispose();
    for (const type of [0, OP_COUNT, OP_COUNT + 40]) {
      const error = await SqzModel.load(craftedFile(type), { simd }).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(error instanceof SqzFormatError, `type ${type}: ${String(error)}`);
      assert.equal(error.code, ERR_UNSUPPORTED);
      assert.match(
        error.message,
        new RegExp(`unknown op type: got ${type}, expected ${OP_COUNT - 1} \\[op 0\\]`),
        `type ${type}`,
      );
      assert.ok(error.offset > 14, `type ${type}: offset ${error.offset} points into the payload`);
    }
  }
});

test('the general runtime contains every op, activation, encoding and execution path', async () => {
  const model = await SqzModel.load(craftedFile(OP_DENSE));
  const exports = model.wasmExports;
  for (let code = 1; code < OP_COUNT; code++) assert.equal((exports.builtOps() >>> code) & 1, 1, `op ${code}`);
  for (let code = 0; code < ACT_COUNT; code++)
    assert.equal((exports.builtActivations() >>> code) & 1, 1, `activation ${code}`);
  for (let code = 0; code < ENC_COUNT; code++)
    assert.equal((exports.builtEncodings() >>> code) & 1, 1, `encoding ${code}`);
  for (let code = 0; code < PATH_COUNT; code++) assert.equal((exports.builtPaths() >>> code) & 1, 1, `path ${code}`);
  assert.equal(exports.missingFeature(), -1);
  model.dispose();
});
