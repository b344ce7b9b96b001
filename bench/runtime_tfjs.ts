// The tfjs side of the runtime benchmark: the same IR graph run with tfjs-core ops on the active backend
// (tf.fused.conv2d / tf.fused.matMul with the bias and relu fused, tf.maxPool, ...; weights made into tensors
// once), and the tfjs-layers model's own predict. Both include making the input tensor and reading the output
// back (dataSync), as sqz's predict copies its input in and its output out.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Graph, IROp } from '../compiler/ir/graph.js';

/** A forward pass: batch × input floats in, batch × output floats out. */
export type Predict = (input: Float32Array, batch: number) => Float32Array;

/** tfjs-core forward of `graph` with its weights held as tensors; call dispose() when done. */
export interface CoreRunner {
  predict: Predict;
  dispose(): void;
}

const FUSABLE: ReadonlySet<string> = new Set(['linear', 'relu']);

function activate(x: tf.Tensor, op: IROp): tf.Tensor {
  switch (op.activation) {
    case 'linear':
      return x;
    case 'relu':
      return op.clipMax === undefined ? tf.relu(x) : tf.clipByValue(x, 0, op.clipMax);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'tanh':
      return tf.tanh(x);
    case 'softmax':
      return tf.softmax(x, -1);
    default:
      throw new Error(`bench tfjs: op '${op.name}' has unknown activation '${String(op.activation)}'`);
  }
}

/** The fused activation tfjs can apply inside conv2d / matMul, or undefined when it must run separately. */
function fusedActivation(op: IROp): 'linear' | 'relu' | undefined {
  return FUSABLE.has(op.activation) && op.clipMax === undefined ? (op.activation as 'linear' | 'relu') : undefined;
}

/** Builds the core-op runner for a single-input, single-output graph. */
export function coreRunner(graph: Graph): CoreRunner {
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) {
    throw new Error(
      `bench tfjs: the graph has ${graph.inputs.length} inputs and ${graph.outputs.length} outputs; expected 1 and 1`,
    );
  }
  const kernels = graph.ops.map((op) => (op.kernel ? tf.tensor(op.kernel.values, op.kernel.shape) : undefined));
  const biases = graph.ops.map((op) => (op.bias ? tf.tensor(op.bias.values, op.bias.shape) : undefined));
  const inputShape = graph.values[graph.inputs[0]!]!.shape;

  const runOp = (op: IROp, i: number, xs: tf.Tensor[], batch: number): tf.Tensor => {
    const x = xs[0]!;
    const strides = op.strides ?? [1, 1];
    const pad = op.padding ?? 'valid';
    const fused = fusedActivation(op);
    switch (op.type) {
      case 'dense': {
        const a = tf.reshape(x, [batch, -1]) as tf.Tensor2D;
        const y = tf.fused.matMul({ a, b: kernels[i] as tf.Tensor2D, bias: biases[i], activation: fused ?? 'linear' });
        return fused === undefined ? activate(y, op) : y;
      }
      case 'conv2d': {
        const y = tf.fused.conv2d({
          x: x as tf.Tensor4D,
          filter: kernels[i] as tf.Tensor4D,
          strides,
          pad,
          bias: biases[i],
          activation: fused ?? 'linear',
        });
        return fused === undefined ? activate(y, op) : y;
      }
      case 'depthwiseConv2d': {
        const y = tf.fused.depthwiseConv2d({
          x: x as tf.Tensor4D,
          filter: kernels[i] as tf.Tensor4D,
          strides,
          pad,
          bias: biases[i],
          activation: fused ?? 'linear',
        });
        return fused === undefined ? activate(y, op) : y;
      }
      case 'maxPool2d':
        return activate(tf.maxPool(x as tf.Tensor4D, op.poolSize ?? [2, 2], strides, pad), op);
      case 'avgPool2d':
        return activate(tf.avgPool(x as tf.Tensor4D, op.poolSize ?? [2, 2], strides, pad), op);
      case 'globalAvgPool2d':
        return activate(tf.mean(x, [1, 2]), op);
      case 'globalMaxPool2d':
        return activate(tf.max(x, [1, 2]), op);
      case 'activation':
        return activate(x, op);
      case 'add':
        return activate(
          xs.slice(1).reduce((sum, y) => tf.add(sum, y), x),
          op,
        );
      case 'reshape':
        return activate(tf.reshape(x, [batch, ...graph.values[op.output]!.shape]), op);
      default:
        throw new Error(`bench tfjs: op '${op.name}' has unknown type '${String(op.type)}'`);
    }
  };

  const predict: Predict = (input, batch) =>
    tf.tidy(() => {
      const values = new Map<number, tf.Tensor>([[graph.inputs[0]!, tf.tensor(input, [batch, ...inputShape])]]);
      graph.ops.forEach((op, i) => {
        values.set(
          op.output,
          runOp(
            op,
            i,
            op.inputs.map((v) => values.get(v)!),
            batch,
          ),
        );
      });
      return values.get(graph.outputs[0]!)!.dataSync() as Float32Array;
    });
  return { predict, dispose: () => tf.dispose([...kernels, ...biases].filter((t): t is tf.Tensor => t !== undefined)) };
}

/** tfjs-layers `model.predict` on a batch. */
export function layersPredict(model: tfl.LayersModel, inputShape: readonly number[]): Predict {
  return (input, batch) =>
    tf.tidy(() => {
      const y = model.predict(tf.tensor(input, [batch, ...inputShape])) as tf.Tensor;
      return y.dataSync() as Float32Array;
    });
}
