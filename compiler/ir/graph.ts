// The compiler's model representation: a graph of ops over activation values.
// Import builds it from a TensorFlow.js layers model, the optimizer edits kernel values in place,
// and export turns it into a sqz.Model. Layouts follow TensorFlow.js (NHWC, channels last). Op types and
// activations are the names of the op and activation tables (formats/ops.ts, formats/activations.ts).
import type { ActivationName } from '../../formats/activations.js';
import { type OpName, opByName } from '../../formats/ops.js';

/** Weights and their shape. Dense kernel [in, out]; conv [KH, KW, Cin, Cout]; depthwise [KH, KW, Cin, mult]; bias [out]. */
export interface IRTensor {
  shape: number[];
  values: Float32Array;
}

/** An activation tensor. `shape` is per sample: the batch dimension is implicit and outermost. */
export interface IRValue {
  name: string;
  shape: number[];
}

/** An op's name in formats/ops.ts. */
type OpType = OpName;

/**
 * An activation's name in formats/activations.ts, but for relu-clip: the IR writes it as relu with clipMax set
 * (relu6 / ReLU(maxValue)), and export stores that as ACT_RELU_CLIP. softmax is over the last axis.
 */
export type Activation = Exclude<ActivationName, 'relu-clip'>;

export interface IROp {
  type: OpType;
  /** Name of the source layer, for error messages and reports. */
  name: string;
  /** Value indices read by the op. */
  inputs: number[];
  /** Value index written by the op. */
  output: number;
  /** The weight slot's tensor (formats/ops.ts: the descriptor's `weight`). */
  kernel?: IRTensor;
  /** The bias slot's tensor (formats/ops.ts: the descriptor's `bias`, a bias or another per-channel vector). */
  bias?: IRTensor;
  /** [KH, KW] for pools. */
  poolSize?: [number, number];
  /** [SH, SW]; default [1, 1]. */
  strides?: [number, number];
  padding?: 'valid' | 'same';
  activation: Activation;
  /** Upper clip of relu (6 for relu6). Only meaningful with activation 'relu'. */
  clipMax?: number;
  /** The op's integer parameters, stored as the file's Op.params (formats/ops.ts says what they mean per op). */
  params?: number[];
}

/** What the file says about the model beyond its graph (sqz.proto Model fields 6 and 7); inference reads neither. */
export interface GraphMetadata {
  /** One name per value of the first output (a classifier's classes). */
  classNames?: string[];
  /** [A, B]: what pixel levels 0 and 255 were mapped to in training. */
  inputRange?: [number, number];
}

export interface Graph {
  values: IRValue[];
  /** In execution order. */
  ops: IROp[];
  inputs: number[];
  outputs: number[];
  /** Written to the file with the graph (and counted in its bytes); copies of the graph keep it. */
  metadata?: GraphMetadata;
}

/** Ops whose kernel the optimizer compresses (their descriptor says `compressible`). */
export function isCompressible(op: IROp): op is IROp & { kernel: IRTensor } {
  return opByName(op.type)?.compressible === true && op.kernel !== undefined;
}
