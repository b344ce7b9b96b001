// The compiler's model representation: a graph of ops over activation values.
// Import builds it from a TensorFlow.js layers model, the optimizer edits kernel values in place,
// and export turns it into a sqz.Model. Layouts follow TensorFlow.js (NHWC, channels last).

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

export type OpType =
  | 'dense'
  | 'conv2d'
  | 'depthwiseConv2d'
  | 'maxPool2d'
  | 'avgPool2d'
  | 'globalAvgPool2d'
  | 'globalMaxPool2d'
  | 'activation'
  | 'add'
  | 'reshape';

/** relu with clipMax set is relu6 / ReLU(maxValue). softmax is over the last axis. */
export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';

export interface IROp {
  type: OpType;
  /** Name of the source layer, for error messages and reports. */
  name: string;
  /** Value indices read by the op. */
  inputs: number[];
  /** Value index written by the op. */
  output: number;
  kernel?: IRTensor;
  bias?: IRTensor;
  /** [KH, KW] for pools. */
  poolSize?: [number, number];
  /** [SH, SW]; default [1, 1]. */
  strides?: [number, number];
  padding?: 'valid' | 'same';
  activation: Activation;
  /** Upper clip of relu (6 for relu6). Only meaningful with activation 'relu'. */
  clipMax?: number;
}

export interface Graph {
  values: IRValue[];
  /** In execution order. */
  ops: IROp[];
  inputs: number[];
  outputs: number[];
}

/** Ops whose kernel the optimizer compresses. */
export function isCompressible(op: IROp): op is IROp & { kernel: IRTensor } {
  return (op.type === 'dense' || op.type === 'conv2d' || op.type === 'depthwiseConv2d') && op.kernel !== undefined;
}
