// The .sqz container: a 14-byte little-endian header (magic, version, payload length, CRC-32) and one
// protobuf sqz.Model (formats/README.md). readSqz checks in the README's order and reports each problem as a
// SqzFormatError with its ERR_* code and the byte offset where it was found.
import protobuf from 'protobufjs';
import {
  ERR_CHECKSUM,
  ERR_MAGIC,
  ERR_MALFORMED,
  ERR_TRUNCATED,
  ERR_VERSION,
  FORMAT_VERSION,
  HEADER_BYTES,
  MAGIC_0,
  MAGIC_1,
  MAGIC_2,
  MAGIC_3,
} from './constants.js';
import { crc32 } from './crc32.js';
import { SqzFormatError } from './errors.js';
import { modelBytes } from './message_size.js';
import { type ModelOffsets, validateModel } from './model_check.js';
import { type ModelMessage, type OpMessage, sqzProtoTypes, type TensorMessage, type ValueMessage } from './schema.js';
import { checkPayloadWire } from './wire_check.js';
import { lengthDelimitedFields } from './field_walk.js';

const MAGIC = [MAGIC_0, MAGIC_1, MAGIC_2, MAGIC_3];

function hex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function hex32(x: number): string {
  return `0x${x.toString(16).padStart(8, '0')}`;
}

/** Exact length in bytes of the file `writeSqz(model)` would produce, computed without encoding. */
export function sqzFileBytesForModel(model: ModelMessage): number {
  return HEADER_BYTES + modelBytes(model);
}

/**
 * Validates `model` (graph and every tensor) and serializes it as a .sqz file: header + payload.
 * @throws SqzFormatError if the model breaks a rule of formats/README.md (nothing is produced then)
 */
export function writeSqz(model: ModelMessage): Uint8Array {
  validateModel(model);
  const { inputRange, ...rest } = model;
  const message = inputRange ? { ...rest, inputRange: inputRangeBytes(inputRange) } : rest;
  return wrapPayload(sqzProtoTypes().Model.encode(message).finish());
}

/** input_range's bytes: f32 A then f32 B, little-endian. */
function inputRangeBytes(range: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setFloat32(0, range[0]!, true);
  view.setFloat32(4, range[1]!, true);
  return bytes;
}

/** input_range as numbers: [A, B] from its 8 bytes; any other length is kept as NaNs for validateModel to refuse. */
function inputRangeValues(bytes: Uint8Array): number[] {
  if (bytes.length !== 8) return Array.from({ length: Math.ceil(bytes.length / 4) }, () => NaN);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  return [view.getFloat32(0, true), view.getFloat32(4, true)];
}

/** Frames an encoded Model payload as a .sqz file: header (magic, version, payload length, CRC-32) + payload. */
export function wrapPayload(payload: Uint8Array): Uint8Array {
  const file = new Uint8Array(HEADER_BYTES + payload.length);
  const view = new DataView(file.buffer);
  file.set(MAGIC, 0);
  view.setUint16(4, FORMAT_VERSION, true);
  view.setUint32(6, payload.length, true);
  view.setUint32(10, crc32(payload), true);
  file.set(payload, HEADER_BYTES);
  return file;
}

/** A view of `b` as a plain Uint8Array (protobufjs hands out Buffers in Node). */
function plainBytes(b: Uint8Array | undefined): Uint8Array {
  return b === undefined ? new Uint8Array(0) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

// protobufjs decodes to untyped message objects whose absent fields sit on the prototype: copy them out.
/** A decoded Model as protobufjs hands it back: any field may be absent. */
interface DecodedModel {
  values?: Partial<ValueMessage>[];
  tensors?: Partial<TensorMessage>[];
  ops?: Partial<OpMessage>[];
  inputs?: number[];
  outputs?: number[];
  classNames?: string[];
  inputRange?: Uint8Array;
}

function toTensor(m: Partial<TensorMessage>): TensorMessage {
  return {
    shape: Array.from(m.shape ?? []),
    encoding: m.encoding ?? 0,
    data: plainBytes(m.data),
    bits: m.bits ?? 0,
    codebook: plainBytes(m.codebook),
    codebookType: m.codebookType ?? 0,
    positions: plainBytes(m.positions),
    riceK: m.riceK ?? 0,
    nnz: m.nnz ?? 0,
  };
}

function toOp(m: Partial<OpMessage>): OpMessage {
  return {
    type: m.type ?? 0,
    inputs: Array.from(m.inputs ?? []),
    outputs: Array.from(m.outputs ?? []),
    weight: m.weight ?? 0,
    bias: m.bias ?? 0,
    kernel: Array.from(m.kernel ?? []),
    strides: Array.from(m.strides ?? []),
    padding: m.padding ?? 0,
    activation: m.activation ?? 0,
    clipMax: m.clipMax ?? 0,
    params: Array.from(m.params ?? []),
  };
}

function toModel(m: DecodedModel): ModelMessage {
  return {
    values: (m.values ?? []).map((v) => ({ shape: Array.from(v.shape ?? []) })),
    tensors: (m.tensors ?? []).map(toTensor),
    ops: (m.ops ?? []).map(toOp),
    inputs: Array.from(m.inputs ?? []),
    outputs: Array.from(m.outputs ?? []),
    ...(m.classNames?.length ? { classNames: Array.from(m.classNames) } : {}),
    ...(m.inputRange?.length ? { inputRange: inputRangeValues(plainBytes(m.inputRange)) } : {}),
  };
}

/**
 * File offsets of the Value, Tensor and Op messages, found by walking the payload's top-level fields.
 * Only called on a payload protobufjs has already decoded, so the walk cannot run off the end.
 */
function messageOffsets(payload: Uint8Array): ModelOffsets {
  const offsets: ModelOffsets = { values: [], tensors: [], ops: [] };
  for (const { field, start } of lengthDelimitedFields(payload)) {
    if (field === 1) offsets.values.push(HEADER_BYTES + start);
    else if (field === 2) offsets.tensors.push(HEADER_BYTES + start);
    else if (field === 3) offsets.ops.push(HEADER_BYTES + start);
  }
  return offsets;
}

/** Decodes the payload with protobufjs, wrapping its errors as ERR_MALFORMED with the file offset. */
function decodePayload(payload: Uint8Array): ModelMessage {
  checkPayloadWire(payload); // the runtime's wire rules first: protobufjs alone truncates overflowing varints
  const reader = protobuf.Reader.create(payload);
  reader.discardUnknown = true; // unknown fields are skipped, as protobuf readers do
  try {
    return toModel(sqzProtoTypes().Model.decode(reader) as DecodedModel);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // protobufjs's bounds errors read "index out of range: <pos> + <wanted> > <len>"; otherwise use the reader.
    const match = /index out of range: (\d+) \+ (\d+) > (\d+)/.exec(message);
    const pos = match ? Number(match[1]) : reader.pos;
    const detail = match
      ? `a field needs ${match[2]} bytes at payload offset ${match[1]}, only ${Number(match[3]) - Number(match[1])} remain`
      : message;
    throw new SqzFormatError(ERR_MALFORMED, `payload is not a valid sqz.Model: ${detail}`, HEADER_BYTES + pos);
  }
}

/**
 * Parses and validates a .sqz file.
 * Checks, in order: header length, magic, version, payload length, CRC-32, no trailing bytes, protobuf
 * wire data, then the graph and every tensor (see validateModel).
 * The returned byte fields are views into `bytes`: copy them before changing `bytes`.
 * @throws SqzFormatError with ERR_TRUNCATED, ERR_MAGIC, ERR_VERSION, ERR_CHECKSUM, ERR_MALFORMED, ERR_UNSUPPORTED or ERR_SHAPE
 */
export function readSqz(bytes: Uint8Array): ModelMessage {
  if (bytes.length < HEADER_BYTES) {
    throw new SqzFormatError(
      ERR_TRUNCATED,
      `file has ${bytes.length} bytes, less than the ${HEADER_BYTES}-byte header`,
      bytes.length,
    );
  }
  if (!MAGIC.every((m, i) => bytes[i] === m)) {
    throw new SqzFormatError(
      ERR_MAGIC,
      `not a .sqz file: starts with ${hex(bytes.subarray(0, 4))}, expected ${hex(MAGIC)}`,
      0,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== FORMAT_VERSION) {
    throw new SqzFormatError(
      ERR_VERSION,
      `format version ${version} is not supported; this reader supports version ${FORMAT_VERSION}`,
      4,
    );
  }
  const payloadLength = view.getUint32(6, true);
  const present = bytes.length - HEADER_BYTES;
  if (payloadLength > present) {
    throw new SqzFormatError(
      ERR_TRUNCATED,
      `file is truncated: the header promises ${payloadLength} payload bytes (${HEADER_BYTES + payloadLength} in all), only ${present} are present (${bytes.length} in all)`,
      bytes.length,
    );
  }
  const payload = bytes.subarray(HEADER_BYTES, HEADER_BYTES + payloadLength);
  const expectedCrc = view.getUint32(10, true);
  const actualCrc = crc32(payload);
  if (expectedCrc !== actualCrc) {
    throw new SqzFormatError(
      ERR_CHECKSUM,
      `file is corrupt: header CRC-32 is ${hex32(expectedCrc)}, payload CRC-32 is ${hex32(actualCrc)}`,
      10,
    );
  }
  if (payloadLength < present) {
    throw new SqzFormatError(
      ERR_MALFORMED,
      `${present - payloadLength} bytes follow the ${payloadLength}-byte payload; a .sqz file ends with its payload`,
      HEADER_BYTES + payloadLength,
    );
  }
  const model = decodePayload(payload);
  validateModel(model, messageOffsets(payload));
  return model;
}
