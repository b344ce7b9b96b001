import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENC_CODEBOOK, ENC_F16, ENC_F32, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE } from '../../formats/constants.js';
import {
  encodedTensorBytes,
  modelBytes,
  opBodyBytes,
  tensorBodyBytes,
  varintBytes,
} from '../../formats/message_size.js';
import { newOp, sqzProtoTypes, type ModelMessage, type TensorMessage } from '../../formats/schema.js';
import { encodeTensorAs } from '../../formats/tensor_codec.js';
import { rng } from '../fixtures/random.js';

test('varintBytes matches protobufjs at every length boundary', () => {
  const { Value } = sqzProtoTypes();
  for (const v of [0, 1, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 32 - 1]) {
    // A Value with shape [v] is: tag, packed length, varint(v).
    const bytes = Value.encode({ shape: [v] }).finish().length;
    assert.equal(bytes, 2 + varintBytes(v), `${v}`);
  }
});

test('encodedTensorBytes equals the bytes the tensor adds to an encoded Model', () => {
  const { Model, Tensor } = sqzProtoTypes();
  const random = rng(70);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + Math.floor(random() ** 3 * 40000);
    const v = new Float32Array(n);
    const levels = [0.5, -1, 2, 0.25, 8, -3];
    for (let i = 0; i < n; i++) if (random() < 0.3) v[i] = levels[i % levels.length];
    for (const enc of [ENC_F32, ENC_F16, ENC_CODEBOOK, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE]) {
      const t: TensorMessage = encodeTensorAs(v, [n], enc, enc >= ENC_CODEBOOK ? { bits: 3 + (trial % 6) } : {});
      const alone = Model.encode({ tensors: [t] }).finish().length;
      assert.equal(encodedTensorBytes(t), alone, `trial ${trial} enc ${enc}`);
      assert.equal(tensorBodyBytes(t), Tensor.encode(t).finish().length);
    }
  }
});

test('modelBytes equals protobufjs encoded length for models with every kind of field', () => {
  const { Model, Op } = sqzProtoTypes();
  const random = rng(71);
  const big = () => Math.floor(random() ** 4 * 2 ** 32);
  for (let trial = 0; trial < 300; trial++) {
    const model: ModelMessage = {
      values: Array.from({ length: Math.floor(random() * 5) }, () => ({
        shape: Array.from({ length: Math.floor(random() * 4) }, big),
      })),
      tensors: [],
      ops: Array.from({ length: Math.floor(random() * 5) }, () =>
        newOp({
          type: big(),
          inputs: Array.from({ length: Math.floor(random() * 3) }, big),
          outputs: random() < 0.8 ? [big()] : [],
          weight: big(),
          bias: random() < 0.5 ? 0 : big(),
          kernel: random() < 0.5 ? [] : [big(), big()],
          strides: random() < 0.5 ? [] : [big(), big()],
          padding: random() < 0.5 ? 0 : 1,
          activation: big() % 6,
          clipMax: [0, -0, 6, 0.5, 1e30][Math.floor(random() * 5)],
          params: random() < 0.5 ? [] : Array.from({ length: 1 + Math.floor(random() * 6) }, big),
        }),
      ),
      inputs: Array.from({ length: Math.floor(random() * 3) }, big),
      outputs: Array.from({ length: Math.floor(random() * 3) }, big),
    };
    if (random() < 0.5) model.tensors.push(encodeTensorAs(Float32Array.of(0, 1, 0, 2), [2, 2], ENC_SPARSE_RICE));
    // the optional metadata fields: class names (empty, ASCII, multi-byte UTF-8) and the input range
    if (random() < 0.5) {
      model.classNames = Array.from(
        { length: Math.floor(random() * 4) },
        (_, i) => ['', 'cat', 'Größe', '猫', 'x'.repeat(200)][(trial + i) % 5]!,
      );
    }
    if (random() < 0.5) model.inputRange = [-1, random() < 0.5 ? 1 : 255];
    // input_range goes on the wire as its 8 bytes (two f32), as writeSqz sends it
    const wire = model.inputRange ? { ...model, inputRange: new Uint8Array(8) } : model;
    assert.equal(modelBytes(model), Model.encode(wire).finish().length, `trial ${trial}`);
    for (const op of model.ops) assert.equal(opBodyBytes(op), Op.encode(op).finish().length);
  }
});
