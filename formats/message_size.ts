// Exact protobuf encoded sizes of sqz messages, computed from field lengths without encoding.
// They mirror protobufjs's proto3 encoder: fields at their default (0, empty) are not written, repeated
// uint32 fields are packed, every field number is < 16 so each tag is one byte.
// test/formats/message_size.test.ts checks them against protobufjs's real output.
import type { ModelMessage, OpMessage, TensorMessage, ValueMessage } from './schema.js';

/** Bytes of `value` (a uint32) as a varint. */
export function varintBytes(value: number): number {
  const v = value >>> 0;
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

/** Bytes of a uint32 field holding `value` (tag and varint; proto3 omits it at 0). */
export function uint32Field(value: number): number {
  return value === 0 ? 0 : 1 + varintBytes(value);
}

function bytesField(length: number): number {
  return length === 0 ? 0 : 1 + varintBytes(length) + length;
}

function packedField(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let length = 0;
  for (const v of values) length += varintBytes(v);
  return bytesField(length);
}

/** A float field: protobufjs writes it unless it is +0 (−0 is written). */
function floatField(value: number): number {
  return Object.is(value, 0) ? 0 : 5;
}

/** Bytes of `s` in UTF-8. */
function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Length of a message field (tag + length prefix + body) for a body of `bodyBytes`. */
function embeddedBytes(bodyBytes: number): number {
  return 1 + varintBytes(bodyBytes) + bodyBytes;
}

/** Encoded length of a Tensor message body (without its own tag and length). */
export function tensorBodyBytes(t: TensorMessage): number {
  return (
    packedField(t.shape) +
    uint32Field(t.encoding) +
    bytesField(t.data.length) +
    uint32Field(t.bits) +
    bytesField(t.codebook.length) +
    uint32Field(t.codebookType) +
    bytesField(t.positions.length) +
    uint32Field(t.riceK) +
    uint32Field(t.nnz)
  );
}

/** Encoded length of an Op message body. */
export function opBodyBytes(op: OpMessage): number {
  return (
    uint32Field(op.type) +
    packedField(op.inputs) +
    packedField(op.outputs) +
    uint32Field(op.weight) +
    uint32Field(op.bias) +
    packedField(op.kernel) +
    packedField(op.strides) +
    uint32Field(op.padding) +
    uint32Field(op.activation) +
    floatField(op.clipMax) +
    packedField(op.params)
  );
}

/** Encoded length of a Value message body. */
export function valueBodyBytes(value: ValueMessage): number {
  return packedField(value.shape);
}

/**
 * Bytes `t` takes inside a Model: its field tag, its length prefix and its body.
 * The compiler's size budget adds these up, so this is exact.
 */
export function encodedTensorBytes(t: TensorMessage): number {
  return embeddedBytes(tensorBodyBytes(t));
}

/** Encoded length of a whole Model message (the .sqz payload). */
export function modelBytes(model: ModelMessage): number {
  let total = packedField(model.inputs) + packedField(model.outputs);
  // class_names: one length-delimited field per string (written even when empty); input_range: 8 bytes
  for (const name of model.classNames ?? []) total += 1 + varintBytes(utf8Length(name)) + utf8Length(name);
  total += bytesField(model.inputRange ? 8 : 0);
  for (const v of model.values) total += embeddedBytes(valueBodyBytes(v));
  for (const t of model.tensors) total += embeddedBytes(tensorBodyBytes(t));
  for (const op of model.ops) total += embeddedBytes(opBodyBytes(op));
  return total;
}
