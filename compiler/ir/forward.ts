// The IR's forward pass in tfjs-core ops, differentiable, on whatever backend is active. Each op runs its entry of
// the compiler's op table (compiler/ops.ts); each activation is tfjs-layers' own, by its Keras identifier in
// formats/activations.ts, so training and tfjs agree on every formula.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { activationByName } from '../../formats/activations.js';
import { COMPILER_OPS } from '../ops.js';
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
  const all = graph.ops.map((op) =>
    tf.tidy(() => ({
      kernel: op.kernel ? toTensor(op.kernel) : undefined,
      bias: op.bias ? toTensor(op.bias) : undefined,
    })),
  );
  all.forEach((p) => {
    if (p.kernel) tf.keep(p.kernel);
    if (p.bias) tf.keep(p.bias);
  });
  return {
    params: (i) => all[i],
    dispose: () =>
      all.forEach((p) => {
        p.kernel?.dispose();
        p.bias?.dispose();
      }),
  };
}

/** One tfjs-layers Activation layer per Keras identifier, made on first use (layers apply to concrete tensors too). */
const activationLayers = new Map<string, ReturnType<typeof tfl.layers.activation>>();

function kerasActivation(identifier: string, x: tf.Tensor): tf.Tensor {
  let layer = activationLayers.get(identifier);
  if (layer === undefined) {
    layer = tfl.layers.activation({ activation: identifier as never });
    activationLayers.set(identifier, layer);
  }
  return layer.apply(x) as tf.Tensor;
}

function applyActivation(x: tf.Tensor, op: IROp, skipSoftmax: boolean): tf.Tensor {
  if (op.activation === 'linear') return x;
  if (op.activation === 'relu' && op.clipMax !== undefined) return tf.clipByValue(x, 0, op.clipMax);
  if (op.activation === 'softmax' && skipSoftmax) return x;
  const identifier = activationByName(op.activation)?.keras[0];
  if (identifier === undefined)
    throw new Error(`forward: op '${op.name}' has unknown activation '${String(op.activation)}'`);
  return kerasActivation(identifier, x);
}

function weights(graph: Graph, opIndex: number, opts: ForwardOptions): OpParams {
  const op = graph.ops[opIndex]!;
  const given = opts.params?.(opIndex);
  return {
    kernel: given?.kernel ?? (op.kernel ? toTensor(op.kernel) : undefined),
    bias: given?.bias ?? (op.bias ? toTensor(op.bias) : undefined),
  };
}

/** Output of one op (before its activation) for a batch `batch` of inputs `xs`. */
function runOp(graph: Graph, opIndex: number, xs: tf.Tensor[], batch: number, opts: ForwardOptions): tf.Tensor {
  const op = graph.ops[opIndex]!;
  const entry = COMPILER_OPS[op.type];
  if (entry === undefined) throw new Error(`forward: op '${op.name}' has unknown type '${String(op.type)}'`);
  let params: OpParams | undefined;
  const slots = (): OpParams => (params ??= weights(graph, opIndex, opts));
  return entry.forward({
    op,
    xs,
    batch,
    outputShape: graph.values[op.output]!.shape,
    kernel: () => {
      const kernel = slots().kernel;
      if (kernel === undefined) throw new Error(`forward: op '${op.name}' (${op.type}) has no kernel`);
      return kernel;
    },
    bias: () => slots().bias,
  });
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
      throw new Error(
        `forward: input ${i} ('${graph.values[v]!.name}') has shape [${got.shape.join(', ')}], expected [${expected.join(', ')}]`,
      );
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
