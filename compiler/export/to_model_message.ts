// Maps the IR to a sqz.Model message (formats/schema.ts), encoding each weight tensor with a caller-supplied
// function so the compressor can reuse the mapping with its own encodings.
import { activationByName } from '../../formats/activations.js';
import { ACT_RELU_CLIP, PAD_SAME, PAD_VALID } from '../../formats/constants.js';
import { type OpAttribute, opByName } from '../../formats/ops.js';
import type { ModelMessage, OpMessage, TensorMessage } from '../../formats/schema.js';
import type { Graph, IROp, IRTensor } from '../ir/graph.js';
import { compactValues, valueConsumers } from '../ir/graph_utils.js';

/** Encodes one weight tensor (values row-major over `shape`). `formats`' encodeTensor fits. */
export type EncodeTensorFn = (values: Float32Array, shape: readonly number[]) => TensorMessage;

/** One weight tensor as the .sqz file stores it, in file order (see weightTensorsOf). */
export interface WeightTensorRef {
  opIndex: number;
  role: 'kernel' | 'bias';
  tensor: IRTensor;
}

/**
 * The graph as the file stores it. A reshape never moves elements, so: a reshape of a reshape reads the first
 * one's input; a reshape that only feeds dense ops (which flatten their input themselves), keeps the shape, or
 * feeds nothing is dropped unless it writes a graph output; unreferenced values are removed.
 * Returns a new graph sharing weight arrays with `graph`.
 */
export function simplifyForExport(graph: Graph): Graph {
  const ops = graph.ops.map((op) => ({ ...op, inputs: [...op.inputs] }));
  const producer = new Map<number, IROp>();
  for (const op of ops) {
    const upstream = producer.get(op.inputs[0]!);
    if (op.type === 'reshape' && upstream?.type === 'reshape') op.inputs = [upstream.inputs[0]!];
    producer.set(op.output, op);
  }
  // No reshape reads a reshape's output now, so replacements below never chain.
  const consumers = valueConsumers({ ...graph, ops });
  const outputs = new Set(graph.outputs);
  const shapeKey = (v: number) => graph.values[v]!.shape.join(',');
  const replacement = new Map<number, number>();
  const kept = ops.filter((op) => {
    if (op.type !== 'reshape' || outputs.has(op.output)) return true;
    const onlyDense = consumers[op.output]!.every((i) => ops[i]!.type === 'dense');
    if (!onlyDense && shapeKey(op.inputs[0]!) !== shapeKey(op.output)) return true;
    replacement.set(op.output, op.inputs[0]!);
    return false;
  });
  for (const op of kept) op.inputs = op.inputs.map((v) => replacement.get(v) ?? v);
  return compactValues({ ...graph, ops: kept });
}

/** Weight tensors in the order toModelMessage stores them: per op, kernel then bias. */
export function weightTensorsOf(graph: Graph): WeightTensorRef[] {
  const refs: WeightTensorRef[] = [];
  graph.ops.forEach((op, opIndex) => {
    if (op.kernel) refs.push({ opIndex, role: 'kernel', tensor: op.kernel });
    if (op.bias) refs.push({ opIndex, role: 'bias', tensor: op.bias });
  });
  return refs;
}

/** The op's message: its code and the attributes its descriptor reads (formats/ops.ts), the rest at their defaults. */
function opMessage(op: IROp, weight: number, bias: number): OpMessage {
  const descriptor = opByName(op.type);
  if (descriptor === undefined) throw new Error(`toModelMessage: op '${op.name}' has unknown type '${op.type}'`);
  const reads = (attribute: OpAttribute) => descriptor.attributes.includes(attribute);
  const strides = op.strides ?? [1, 1];
  const clipped = op.activation === 'relu' && op.clipMax !== undefined;
  if (clipped && !(op.clipMax! > 0))
    throw new Error(`toModelMessage: op '${op.name}' has relu clipMax ${op.clipMax}; it must be > 0`);
  const activation = activationByName(op.activation);
  if (activation === undefined)
    throw new Error(`toModelMessage: op '${op.name}' has unknown activation '${op.activation}'`);
  return {
    type: descriptor.code,
    inputs: [...op.inputs],
    outputs: [op.output],
    weight,
    bias,
    kernel: reads('kernel') ? [...(op.poolSize ?? [2, 2])] : [],
    strides: reads('strides') && (strides[0] !== 1 || strides[1] !== 1) ? [...strides] : [],
    padding: reads('padding') && op.padding === 'same' ? PAD_SAME : PAD_VALID,
    activation: clipped ? ACT_RELU_CLIP : activation.code,
    clipMax: clipped ? Math.fround(op.clipMax!) : 0,
    params: reads('params') ? [...(op.params ?? [])] : [],
  };
}

/**
 * The sqz.Model for `graph` after simplifyForExport. Tensors are stored per op, kernel then bias, each encoded by
 * `encode`: the order of weightTensorsOf(graph), since simplification only removes weightless reshapes.
 * Nothing inference does not read is stored (no op names), but for the graph's metadata: class names and input range.
 */
export function toModelMessage(graph: Graph, encode: EncodeTensorFn): ModelMessage {
  const g = simplifyForExport(graph);
  const tensors: TensorMessage[] = [];
  const ops = g.ops.map((op) => {
    const store = (t: IRTensor | undefined): number => {
      if (t === undefined) return 0;
      tensors.push(encode(t.values, t.shape));
      return tensors.length;
    };
    const weight = store(op.kernel);
    const bias = store(op.bias);
    return opMessage(op, weight, bias);
  });
  return {
    values: g.values.map((v) => ({ shape: [...v.shape] })),
    tensors,
    ops,
    inputs: [...g.inputs],
    outputs: [...g.outputs],
    ...(g.metadata?.classNames?.length ? { classNames: [...g.metadata.classNames] } : {}),
    ...(g.metadata?.inputRange ? { inputRange: [...g.metadata.inputRange] } : {}),
  };
}
