// `model.info`: what the loaded model is and what it costs, read from the instance's introspection exports.

import {
  ACT_LINEAR, ACT_RELU, ACT_RELU_CLIP, ACT_SIGMOID, ACT_SOFTMAX, ACT_TANH, ENC_CODEBOOK, ENC_F16, ENC_F32,
  ENC_SPARSE_BITMAP, ENC_SPARSE_RICE, EXEC_COMPRESSED, OP_ACTIVATION, OP_ADD, OP_AVG_POOL2D, OP_CONV2D, OP_DENSE,
  OP_DEPTHWISE_CONV2D, OP_GLOBAL_AVG_POOL2D, OP_GLOBAL_MAX_POOL2D, OP_MAX_POOL2D, OP_RESHAPE,
} from '../formats/constants.js';
import type { SqzWasmExports } from './wasm_exports.js';
import type { WasmVariant } from './wasm_module.js';

export type OpTypeName =
  | 'dense' | 'conv2d' | 'depthwiseConv2d' | 'maxPool2d' | 'avgPool2d' | 'globalAvgPool2d' | 'globalMaxPool2d'
  | 'activation' | 'add' | 'reshape';
export type ActivationName = 'linear' | 'relu' | 'relu-clip' | 'sigmoid' | 'tanh' | 'softmax';
export type EncodingName = 'f32' | 'f16' | 'codebook' | 'bitmap' | 'rice';
export type ExecName = 'dense' | 'compressed';

// The names model.info uses; exported so tools (sqz inspect) show the same ones.
export const OP_NAMES: Record<number, OpTypeName> = {
  [OP_DENSE]: 'dense', [OP_CONV2D]: 'conv2d', [OP_DEPTHWISE_CONV2D]: 'depthwiseConv2d',
  [OP_MAX_POOL2D]: 'maxPool2d', [OP_AVG_POOL2D]: 'avgPool2d', [OP_GLOBAL_AVG_POOL2D]: 'globalAvgPool2d',
  [OP_GLOBAL_MAX_POOL2D]: 'globalMaxPool2d', [OP_ACTIVATION]: 'activation', [OP_ADD]: 'add', [OP_RESHAPE]: 'reshape',
};
export const ACTIVATION_NAMES: Record<number, ActivationName> = {
  [ACT_LINEAR]: 'linear', [ACT_RELU]: 'relu', [ACT_RELU_CLIP]: 'relu-clip', [ACT_SIGMOID]: 'sigmoid',
  [ACT_TANH]: 'tanh', [ACT_SOFTMAX]: 'softmax',
};
export const ENCODING_NAMES: Record<number, EncodingName> = {
  [ENC_F32]: 'f32', [ENC_F16]: 'f16', [ENC_CODEBOOK]: 'codebook', [ENC_SPARSE_BITMAP]: 'bitmap',
  [ENC_SPARSE_RICE]: 'rice',
};

export interface OpInfo {
  type: OpTypeName;
  activation: ActivationName;
  /** Index into `tensors` of the weight / bias, when the op has one. */
  weight?: number;
  bias?: number;
}

export interface TensorInfo {
  shape: number[];
  /** Elements. */
  n: number;
  /** Elements that are not ±0. */
  nnz: number;
  /** Bits per stored value: 32 (f32), 16 (f16) or the code width. */
  bits: number;
  /** Bytes of the tensor in the file (its whole protobuf field). */
  bytes: number;
  encoding: EncodingName;
  /** How the kernels read it: decoded to dense f32 at load, or straight from the compressed bytes. */
  exec: ExecName;
}

export interface ModelInfo {
  /** Per-sample shapes (batch implicit, outermost; images NHWC). */
  inputs: { shape: number[] }[];
  outputs: { shape: number[] }[];
  ops: OpInfo[];
  /** Total weights over all tensors. */
  parameters: number;
  tensors: TensorInfo[];
  /** Size of the .sqz file in bytes. */
  fileBytes: number;
  /** Activation arena bytes for the batch planned so far. */
  arenaBytes: number;
  /** Largest batch the arena is planned for (grows on demand in predict). */
  plannedBatch: number;
  /** The instance's linear memory in bytes. */
  memoryBytes: number;
  /** Bytes of the runtime's heap in use: file, tables, decoded weights, arena. */
  heapBytes: number;
  /** Which build runs the model ('custom' for module bytes passed in options.wasm). */
  variant: WasmVariant | 'custom';
}

function valueShape(exports: SqzWasmExports, v: number): number[] {
  const shape: number[] = [];
  for (let d = 0; d < exports.valueRank(v); d++) shape.push(exports.valueDim(v, d));
  return shape;
}

/** The static part of the info (everything but the memory figures). */
export function readModelInfo(exports: SqzWasmExports, variant: WasmVariant | 'custom'): ModelInfo {
  const inputs = [];
  for (let i = 0; i < exports.inputCount(); i++) inputs.push({ shape: valueShape(exports, exports.inputValue(i)) });
  const outputs = [];
  for (let i = 0; i < exports.outputCount(); i++) outputs.push({ shape: valueShape(exports, exports.outputValue(i)) });
  const ops: OpInfo[] = [];
  for (let i = 0; i < exports.opCount(); i++) {
    const op: OpInfo = { type: OP_NAMES[exports.opType(i)], activation: ACTIVATION_NAMES[exports.opActivation(i)] };
    if (exports.opWeight(i) >= 0) op.weight = exports.opWeight(i);
    if (exports.opBias(i) >= 0) op.bias = exports.opBias(i);
    ops.push(op);
  }
  const tensors: TensorInfo[] = [];
  let parameters = 0;
  for (let t = 0; t < exports.tensorCount(); t++) {
    const shape: number[] = [];
    for (let d = 0; d < exports.tensorRank(t); d++) shape.push(exports.tensorDim(t, d));
    const n = exports.tensorN(t) >>> 0;
    parameters += n;
    tensors.push({
      shape, n, nnz: exports.tensorNonzeros(t) >>> 0, bits: exports.tensorBits(t),
      bytes: exports.tensorStoredBytes(t) >>> 0, encoding: ENCODING_NAMES[exports.tensorEncoding(t)],
      exec: exports.tensorExec(t) === EXEC_COMPRESSED ? 'compressed' : 'dense',
    });
  }
  return {
    inputs, outputs, ops, parameters, tensors, fileBytes: exports.fileBytes() >>> 0, arenaBytes: 0, plannedBatch: 0,
    memoryBytes: 0, heapBytes: 0, variant,
  };
}

/** Fills the figures that change as the arena is re-planned. */
export function withMemoryFigures(info: ModelInfo, exports: SqzWasmExports): ModelInfo {
  return {
    ...info,
    arenaBytes: exports.arenaBytes() >>> 0,
    plannedBatch: exports.plannedBatchSize(),
    memoryBytes: exports.memory.buffer.byteLength,
    heapBytes: (exports.heapEnd() >>> 0) - (exports.heapBase() >>> 0),
  };
}
