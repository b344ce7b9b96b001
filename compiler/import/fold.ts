// Lowers the importer's graph to the IR: removes identities, folds or rewrites BatchNormalization,
// fuses standalone activations into the op before them, and drops values nothing refers to.
import type { Graph, IROp, IRTensor } from '../ir/graph.js';
import { compactValues } from '../ir/graph_utils.js';
import { addValue, rawConsumers, rawProducers, type BatchNormOp, type RawGraph, type RawOp } from './raw_graph.js';

/** Reroutes every reader of an identity's output (ops and graph outputs) to its input. */
function removeIdentities(graph: RawGraph): void {
  const replacement = new Map<number, number>();
  const resolve = (v: number): number => {
    let r = v;
    while (replacement.has(r)) r = replacement.get(r)!;
    return r;
  };
  for (const op of graph.ops) {
    if (op.type === 'identity') replacement.set(op.output, resolve(op.inputs[0]));
  }
  graph.ops = graph.ops.filter((op) => op.type !== 'identity');
  for (const op of graph.ops) op.inputs = op.inputs.map(resolve) as typeof op.inputs;
  graph.outputs = graph.outputs.map(resolve);
}

/** Whether `value` is read by exactly one op and is not a graph output, so its producer may be rewritten. */
function soleUse(graph: RawGraph, consumers: number[][], value: number): boolean {
  return consumers[value]!.length === 1 && !graph.outputs.includes(value) && !graph.inputs.includes(value);
}

/** Output channels of a weighted op, indexed by (flat kernel position % channels): dense/conv/transposed conv M, depthwise C·D. */
function scaleKernel(kernel: IRTensor, scale: Float32Array): IRTensor {
  const channels = scale.length;
  const values = new Float32Array(kernel.values.length);
  for (let i = 0; i < values.length; i++) values[i] = kernel.values[i]! * scale[i % channels]!;
  return { shape: [...kernel.shape], values };
}

/** Folds `bn` into `producer`; the BN's output is then written by `via` (a reshape between them) or the producer. */
function foldInto(producer: IROp & { kernel: IRTensor }, bn: BatchNormOp, via: RawOp | undefined): void {
  const bias = new Float32Array(bn.scale.length);
  for (let c = 0; c < bias.length; c++) bias[c] = (producer.bias?.values[c] ?? 0) * bn.scale[c]! + bn.shift[c]!;
  producer.kernel = scaleKernel(producer.kernel, bn.scale);
  producer.bias = { shape: [bias.length], values: bias };
  (via ?? producer).output = bn.output;
}

/**
 * The op writing `value`, looking through one linear reshape that keeps the last axis (a 1-D layer's reshape back
 * from [1, T, C] to [T, C]) when the reshape alone reads its input: per-channel folds and elementwise activations
 * commute with it. `via` is that reshape.
 */
function producerOf(
  graph: RawGraph,
  consumers: number[][],
  producers: number[],
  value: number,
): { producer?: RawOp; via?: RawOp } {
  const direct = graph.ops[producers[value]!];
  if (direct?.type !== 'reshape' || direct.activation !== 'linear') return { producer: direct };
  const from = direct.inputs[0]!;
  const last = (v: number) => graph.values[v]!.shape[graph.values[v]!.shape.length - 1];
  if (last(from) !== last(value) || !soleUse(graph, consumers, from)) return { producer: direct };
  return { producer: graph.ops[producers[from]!], via: direct };
}

/**
 * A per-channel affine y = x·scale + shift as a 1×1 depthwise conv with multiplier 1. Inputs that are not
 * [H, W, C] are viewed as [1, L, C] through reshapes (same element order, so exact).
 */
function affineOps(graph: RawGraph, bn: BatchNormOp): RawOp[] {
  const shape = graph.values[bn.inputs[0]]!.shape;
  const channels = bn.scale.length;
  const affine = (input: number, output: number): IROp => ({
    type: 'depthwiseConv2d',
    name: bn.name,
    inputs: [input],
    output,
    kernel: { shape: [1, 1, channels, 1], values: bn.scale },
    bias: { shape: [channels], values: bn.shift },
    strides: [1, 1],
    padding: 'valid',
    activation: 'linear',
  });
  if (shape.length === 3) return [affine(bn.inputs[0], bn.output)];
  const length = shape.reduce((a, b) => a * b, 1) / channels;
  const asImage = addValue(graph, `${bn.name}/as_image`, [1, length, channels]);
  const scaled = addValue(graph, `${bn.name}/affine`, [1, length, channels]);
  return [
    { type: 'reshape', name: bn.name, inputs: [bn.inputs[0]], output: asImage, activation: 'linear' },
    affine(asImage, scaled),
    { type: 'reshape', name: bn.name, inputs: [scaled], output: bn.output, activation: 'linear' },
  ];
}

/**
 * Folds each BatchNorm into a linear dense/conv/depthwise/transposed-conv producer it alone reads (directly or through
 * a reshape that keeps the last axis), else rewrites it as an affine.
 */
function foldBatchNorms(graph: RawGraph): void {
  const consumers = rawConsumers(graph);
  const producers = rawProducers(graph);
  const out: RawOp[] = [];
  for (const op of graph.ops) {
    if (op.type !== 'batchNorm') {
      out.push(op);
      continue;
    }
    const { producer, via } = producerOf(graph, consumers, producers, op.inputs[0]);
    const foldable =
      producer !== undefined &&
      producer.type !== 'batchNorm' &&
      producer.type !== 'identity' &&
      (producer.type === 'dense' ||
        producer.type === 'conv2d' ||
        producer.type === 'depthwiseConv2d' ||
        producer.type === 'conv2dTranspose') &&
      producer.kernel !== undefined &&
      producer.activation === 'linear' &&
      soleUse(graph, consumers, op.inputs[0]);
    if (foldable) foldInto(producer as IROp & { kernel: IRTensor }, op, via);
    else out.push(...affineOps(graph, op));
  }
  graph.ops = out;
}

const FUSES_ACTIVATION = new Set([
  'dense',
  'conv2d',
  'depthwiseConv2d',
  'conv2dTranspose',
  'add',
  'multiply',
  'average',
  'maximum',
  'minimum',
  'concat',
]);

/**
 * Moves a standalone activation into the linear dense/conv/depthwise/merge/concat op whose output only it reads
 * (directly or through a reshape that keeps the last axis).
 */
function fuseActivations(graph: RawGraph): void {
  const consumers = rawConsumers(graph);
  const producers = rawProducers(graph);
  const removed = new Set<RawOp>();
  for (const op of graph.ops) {
    if (op.type !== 'activation') continue;
    const { producer, via } = producerOf(graph, consumers, producers, op.inputs[0]!);
    if (
      producer === undefined ||
      !FUSES_ACTIVATION.has(producer.type) ||
      producer.type === 'batchNorm' ||
      producer.type === 'identity' ||
      producer.activation !== 'linear' ||
      !soleUse(graph, consumers, op.inputs[0]!)
    ) {
      continue;
    }
    producer.activation = op.activation;
    if (op.clipMax !== undefined) producer.clipMax = op.clipMax;
    (via ?? producer).output = op.output;
    removed.add(op);
  }
  graph.ops = graph.ops.filter((op) => !removed.has(op));
}

/** The IR graph, once only IR ops remain; unreferenced values dropped. */
function toIR(graph: RawGraph): Graph {
  const ops = graph.ops.map((op): IROp => {
    if (op.type === 'batchNorm' || op.type === 'identity')
      throw new Error(`fold: op '${op.name}' (${op.type}) was not lowered`);
    return op;
  });
  return compactValues({ values: graph.values, ops, inputs: graph.inputs, outputs: graph.outputs });
}

/** Lowers the importer's graph (consumed) to the IR. */
export function lowerToIR(graph: RawGraph): Graph {
  removeIdentities(graph);
  foldBatchNorms(graph);
  fuseActivations(graph);
  return toIR(graph);
}
