// The sqz.proto schema, loaded once into a protobufjs Root, and TS shapes of its messages.
// The schema text is embedded (not read from disk) so this module also works in browsers and bundles;
// test/formats/schema.test.ts checks that SQZ_PROTO_TEXT equals formats/sqz.proto byte for byte,
// which keeps sqz.proto the single source of truth: after editing it, paste it here again
// (escape backticks as \`).
import protobuf from 'protobufjs';

/** Verbatim copy of formats/sqz.proto. */
export const SQZ_PROTO_TEXT = `// sqz model payload, format version 1.
// A .sqz file is a 14-byte header (see formats/constants.ts) followed by one encoded \`Model\`.
// Numeric enums (op types, activations, encodings) are the constants in formats/constants.ts.
// Field numbers below 16 encode in one tag byte; every field that inference does not read is absent.
syntax = "proto3";
package sqz;

message Model {
  repeated Value values = 1;    // activation tensors; ops refer to them by index
  repeated Tensor tensors = 2;  // weight tensors; ops refer to them by index + 1
  repeated Op ops = 3;          // in execution order (topologically sorted)
  repeated uint32 inputs = 4;   // value indices the host fills, in order
  repeated uint32 outputs = 5;  // value indices the host reads back, in order
  repeated string class_names = 6;  // optional: a name per value of the first output (a classifier's classes); else empty
  bytes input_range = 7;            // optional: f32 A, f32 B (8 bytes, little-endian): what pixel levels 0 and 255 map to; else empty
}

// One activation tensor, per sample: the batch dimension is implicit and outermost.
message Value {
  repeated uint32 shape = 1;    // [H, W, C] for images (NHWC), [N] for vectors
}

message Op {
  uint32 type = 1;              // OP_*
  repeated uint32 inputs = 2;   // value indices
  repeated uint32 outputs = 3;  // value indices (exactly one in version 1)
  uint32 weight = 4;            // tensor index + 1; 0 = none
  uint32 bias = 5;              // tensor index + 1; 0 = none
  repeated uint32 kernel = 6;   // [KH, KW] for pools (conv kernels take it from the weight shape)
  repeated uint32 strides = 7;  // [SH, SW]; empty = [1, 1]
  uint32 padding = 8;           // PAD_*
  uint32 activation = 9;        // ACT_*, applied to the op's output
  float clip_max = 10;          // upper clip for ACT_RELU_CLIP
  repeated uint32 params = 11;  // the op's integer parameters, as formats/ops.ts says per op (pads, axis, ...); else empty
}

message Tensor {
  repeated uint32 shape = 1;
  uint32 encoding = 2;          // ENC_*
  bytes data = 3;               // ENC_F32/F16: values; codebook forms: packed codes, b bits each, LSB-first
  uint32 bits = 4;              // b, 1..8, for codebook forms
  bytes codebook = 5;           // codebook entries (at most 2^b), CB_F16 or CB_F32, little-endian
  uint32 codebook_type = 6;     // CB_*
  bytes positions = 7;          // ENC_SPARSE_BITMAP: n bits; ENC_SPARSE_RICE: nnz Rice-coded gaps
  uint32 rice_k = 8;            // Rice parameter k for ENC_SPARSE_RICE, 0..24
  uint32 nnz = 9;               // number of stored codes in the sparse forms
}
`;

/** One activation tensor; `shape` is per sample (batch implicit, outermost). */
export interface ValueMessage {
  shape: number[];
}

/** One op of the graph. Field names are protobufjs's camelCase of sqz.proto. */
export interface OpMessage {
  /** OP_* */
  type: number;
  /** Value indices read. */
  inputs: number[];
  /** Value indices written (exactly one in version 1). */
  outputs: number[];
  /** Tensor index + 1; 0 = none. */
  weight: number;
  /** Tensor index + 1; 0 = none. */
  bias: number;
  /** [KH, KW] for pools; empty otherwise. */
  kernel: number[];
  /** [SH, SW]; empty = [1, 1]. */
  strides: number[];
  /** PAD_* */
  padding: number;
  /** ACT_* */
  activation: number;
  /** Upper clip for ACT_RELU_CLIP; 0 otherwise. */
  clipMax: number;
  /** The op's integer parameters (formats/ops.ts says which, per op: pads, an axis, a permutation, sizes); else empty. */
  params: number[];
}

/** One weight tensor in one of the ENC_* encodings (see formats/README.md). */
export interface TensorMessage {
  shape: number[];
  /** ENC_* */
  encoding: number;
  /** F32/F16: the values; codebook forms: packed b-bit codes, LSB first. */
  data: Uint8Array;
  /** b in 1..8 for codebook forms; 0 for F32/F16. */
  bits: number;
  /** Codebook entries, little-endian f16 or f32 (see codebookType). */
  codebook: Uint8Array;
  /** CB_* */
  codebookType: number;
  /** Bitmap (ENC_SPARSE_BITMAP) or Rice-coded gaps (ENC_SPARSE_RICE); empty otherwise. */
  positions: Uint8Array;
  /** Rice parameter, 0..24 (ENC_SPARSE_RICE only). */
  riceK: number;
  /** Stored codes in the sparse forms; 0 otherwise. */
  nnz: number;
}

export interface ModelMessage {
  values: ValueMessage[];
  tensors: TensorMessage[];
  ops: OpMessage[];
  /** Value indices the host fills, in order. */
  inputs: number[];
  /** Value indices the host reads back, in order. */
  outputs: number[];
  /**
   * Optional: one name per value of the first output (a classifier's classes, in index order). Not read by
   * inference: hosts show it (SqzModel.info.classNames, sqz run, sqz inspect). Older files have none.
   */
  classNames?: string[];
  /** Optional: [A, B], what pixel levels 0 and 255 map to at the input (the preprocessing used in training). */
  inputRange?: number[];
}

/** The protobufjs types of sqz.proto. */
export interface SqzProtoTypes {
  root: protobuf.Root;
  Model: protobuf.Type;
  Value: protobuf.Type;
  Op: protobuf.Type;
  Tensor: protobuf.Type;
}

let cachedTypes: SqzProtoTypes | undefined;

/** Parses SQZ_PROTO_TEXT on first use (camelCase field names) and returns its message types. */
export function sqzProtoTypes(): SqzProtoTypes {
  if (cachedTypes === undefined) {
    const root = protobuf.parse(SQZ_PROTO_TEXT, { keepCase: false }).root;
    root.resolveAll();
    cachedTypes = {
      root,
      Model: root.lookupType('sqz.Model'),
      Value: root.lookupType('sqz.Value'),
      Op: root.lookupType('sqz.Op'),
      Tensor: root.lookupType('sqz.Tensor'),
    };
  }
  return cachedTypes;
}

/** An op with every field that `fields` leaves out at its proto3 default (0 / empty). */
export function newOp(fields: Partial<OpMessage> & Pick<OpMessage, 'type' | 'inputs' | 'outputs'>): OpMessage {
  return {
    weight: 0,
    bias: 0,
    kernel: [],
    strides: [],
    padding: 0,
    activation: 0,
    clipMax: 0,
    params: [],
    ...fields,
  };
}
