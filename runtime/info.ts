// `model.info`: what the loaded model is and what it costs, read from the instance's introspection exports.

import { type ActivationName, activationName } from '../formats/activations.js';
import { EXEC_COMPRESSED } from '../formats/constants.js';
import { type EncodingName, encodingName } from '../formats/encodings.js';
import { type OpName, opName } from '../formats/ops.js';
import type { SqzWasmExports } from './wasm_exports.js';
import type { WasmVariant } from './wasm_module.js';

/** The op names of formats/ops.ts: 'dense', 'conv2d', ... */
export type OpTypeName = OpName;
export type { ActivationName, EncodingName };
export type ExecName = 'dense' | 'compressed';

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
  /** One name per value of the first output (a classifier's classes, from the file), or empty. */
  classNames: string[];
  /** [A, B]: what pixel levels 0 and 255 map to at the input (the training preprocessing), when the file says. */
  inputRange?: [number, number];
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
    const op: OpInfo = {
      type: opName(exports.opType(i)) as OpName,
      activation: activationName(exports.opActivation(i)) as ActivationName,
    };
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
      shape,
      n,
      nnz: exports.tensorNonzeros(t) >>> 0,
      bits: exports.tensorBits(t),
      bytes: exports.tensorStoredBytes(t) >>> 0,
      encoding: encodingName(exports.tensorEncoding(t)) as EncodingName,
      exec: exports.tensorExec(t) === EXEC_COMPRESSED ? 'compressed' : 'dense',
    });
  }
  return {
    inputs,
    outputs,
    ops,
    parameters,
    tensors,
    fileBytes: exports.fileBytes() >>> 0,
    arenaBytes: 0,
    plannedBatch: 0,
    memoryBytes: 0,
    heapBytes: 0,
    variant,
    classNames: [],
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
