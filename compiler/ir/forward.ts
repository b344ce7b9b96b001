// The IR's forward pass in tfjs-core ops, differentiable, on whatever backend is active.
import * as tf from '@tensorflow/tfjs-core';
import type { Graph, IROp, IRTensor } from './graph.js';

/** Kernel and bias tensors standing in for an op's IR weights (tf.Variables while training). */
export interface OpParams {
  kernel?: tf.Tensor;
  bias?: tf.Tensor;
}

export interface ForwardOptions {
  /**
   * Tensors to use for op `opIndex`'s kernel/bias. A missing entry (or returning undefined) falls back to
   * a tensor made from the IR's Float32Array for that call.
   */
  params?: (opIndex: number) => OpParams | undefined;
  /** Skip the softmax of ops that write a graph output, so the caller can apply softmaxCrossEntropy. */
  logits?: boolean;
}

/**
 * Tensors for every op's IR kernel and bias, made once for repeated forward passes (`forward(g, x, { params:
 * constants.params })`). The caller owns them: call dispose() when done.
 */
export interface GraphConstants {
  params: (opIndex: number) => OpParams | undefined;
  dispose(): void;
}

function toTensor(t: IRTensor): tf.Tensor {
  return tf.tensor(t.values, t.shape, 'float32');
}

/** Builds tf tensors for all kernels and biases of `graph` (see GraphConstants for ownership). */
export function graphConstants(graph: Graph): GraphConstants {
  const all = graph.ops.map((op) => tf.tidy(() => ({
    kernel: op.kernel ? toTensor(op.kernel) : undefined,
    bias: op.bias ? toTensor(op.bias) : undefined,
  })));
  all.forEach((p) => { if (p.kernel) tf.keep(p.kernel); if (p.bias) tf.keep(p.bias); });
  return {
    params: (i) => all[i],
    dispose: () => all.forEach((p) => { p.kernel?.dispose(); p.bias?.dispose(); }),
  };
}

function applyActivation(x: tf.Tensor, op: IROp, skipSoftmax: boolean): tf.Tensor {
  switch (op.activation) {
    case 'linear': return x;
    case 'relu': return op.clipMax === undefined ? tf.relu(x) : tf.clipByValue(x, 0, op.clipMax);
    case 'sigmoid': return tf.sigmoid(x);
    case 'tanh': return tf.tanh(x);
    case 'softmax': return skipSoftmax ? x : tf.softmax(x, -1);
    default: throw new Error(`forward: op '${op.name}' has unknown activation '${String(op.activation)}'`);
  }
}

function addBias(x: tf.Tensor, bias: tf.Tensor | undefined): tf.Tensor {
  return bias === undefined ? x : tf.add(x, bias);
}

function weights(graph: Graph, opIndex: number, opts: ForwardOptions): OpParams {
  const op = graph.ops[opIndex]!;
  const given = opts.params?.(opIndex);
  return {
    kernel: given?.kernel ?? (op.kernel ? toTensor(op.kernel) : undefined),
    bias: given?.bias ?? (op.bias ? toTensor(op.bias) : undefined),
  };
}

function requireKernel(op: IROp, kernel: tf.Tensor | undefined): tf.Tensor {
  if (kernel === undefined) throw new Error(`forward: op '${op.name}' (${op.type}) has no kernel`);
  return kernel;
}

/** Output of one op (before its activation) for a batch `batch` of inputs `xs`. */
function runOp(graph: Graph, opIndex: number, xs: tf.Tensor[], batch: number, opts: ForwardOptions): tf.Tensor {
  const op = graph.ops[opIndex]!;
  const x = xs[0]!;
  const strides = op.strides ?? [1, 1];
  const padding = op.padding ?? 'valid';
  switch (op.type) {
    case 'dense': {
      const { kernel, bias } = weights(graph, opIndex, opts);
      const flat = tf.reshape(x, [batch, -1]);
      return addBias(tf.matMul(flat, requireKernel(op, kernel)), bias);
    }
    case 'conv2d': {
      const { kernel, bias } = weights(graph, opIndex, opts);
      return addBias(tf.conv2d(x as tf.Tensor4D, requireKernel(op, kernel) as tf.Tensor4D, strides, padding), bias);
    }
    case 'depthwiseConv2d': {
      const { kernel, bias } = weights(graph, opIndex, opts);
      return addBias(tf.depthwiseConv2d(x as tf.Tensor4D, requireKernel(op, kernel) as tf.Tensor4D, strides, padding), bias);
    }
    case 'maxPool2d':
      return tf.maxPool(x as tf.Tensor4D, op.poolSize ?? [2, 2], strides, padding);
    case 'avgPool2d':
      return tf.avgPool(x as tf.Tensor4D, op.poolSize ?? [2, 2], strides, padding);
    case 'globalAvgPool2d':
      return tf.mean(x, [1, 2]);
    case 'globalMaxPool2d':
      return tf.max(x, [1, 2]);
    case 'activation':
      return x;
    case 'add':
      return xs.slice(1).reduce((sum, y) => tf.add(sum, y), x);
    case 'reshape':
      return tf.reshape(x, [batch, ...graph.values[op.output]!.shape]);
    default:
      throw new Error(`forward: op '${op.name}' has unknown type '${String(op.type)}'`);
  }
}

/**
 * Runs the graph on a batch and returns every graph output, in `graph.outputs` order.
 * `inputs`: one tensor per graph input, shape [batch, ...value shape]. Intermediates and the weight tensors made
 * from the IR are ordinary tensors: run inside tf.tidy (or tf.variableGrads) to free them.
 */
export function forwardAll(graph: Graph, inputs: tf.Tensor | tf.Tensor[], opts: ForwardOptions = {}): tf.Tensor[] {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  if (list.length !== graph.inputs.length) {
    throw new Error(`forward: graph has ${graph.inputs.length} inputs, got ${list.length} tensors`);
  }
  const batch = list[0]!.shape[0]!;
  const values = new Map<number, tf.Tensor>();
  graph.inputs.forEach((v, i) => {
    const expected = [batch, ...graph.values[v]!.shape];
    const got = list[i]!;
    if (got.shape.join(',') !== expected.join(',')) {
      throw new Error(`forward: input ${i} ('${graph.values[v]!.name}') has shape [${got.shape.join(', ')}], expected [${expected.join(', ')}]`);
    }
    values.set(v, got);
  });
  const outputSet = new Set(graph.outputs);
  graph.ops.forEach((op, i) => {
    const xs = op.inputs.map((v) => {
      const t = values.get(v);
      if (t === undefined) throw new Error(`forward: op '${op.name}' reads value ${v} before it is written`);
      return t;
    });
    const skipSoftmax = opts.logits === true && outputSet.has(op.output);
    values.set(op.output, applyActivation(runOp(graph, i, xs, batch, opts), op, skipSoftmax));
  });
  return graph.outputs.map((v) => values.get(v)!);
}

/** forwardAll for a graph with one output. Ownership as in forwardAll. */
export function forward(graph: Graph, input: tf.Tensor | tf.Tensor[], opts: ForwardOptions = {}): tf.Tensor {
  if (graph.outputs.length !== 1) {
    throw new Error(`forward: graph has ${graph.outputs.length} outputs; use forwardAll`);
  }
  return forwardAll(graph, input, opts)[0]!;
}
