// Small helpers over the IR graph (compiler/ir/graph.ts) shared by passes, export and reports.
import type { Graph, IROp, IRTensor } from './graph.js';

/** For each value index, the indices of the ops that read it (an op reading a value twice appears twice). */
export function valueConsumers(graph: Graph): number[][] {
  const consumers: number[][] = graph.values.map(() => []);
  graph.ops.forEach((op, i) => op.inputs.forEach((v) => consumers[v]!.push(i)));
  return consumers;
}

function cloneTensor(t: IRTensor | undefined): IRTensor | undefined {
  return t === undefined ? undefined : { shape: [...t.shape], values: t.values.slice() };
}

/** Deep copy: new arrays for shapes, value lists and weights. */
export function cloneGraph(graph: Graph): Graph {
  return {
    values: graph.values.map((v) => ({ name: v.name, shape: [...v.shape] })),
    ops: graph.ops.map((op): IROp => {
      const copy: IROp = { ...op, inputs: [...op.inputs], kernel: cloneTensor(op.kernel), bias: cloneTensor(op.bias) };
      if (op.poolSize) copy.poolSize = [...op.poolSize];
      if (op.strides) copy.strides = [...op.strides];
      if (op.params) copy.params = [...op.params];
      if (copy.kernel === undefined) delete copy.kernel;
      if (copy.bias === undefined) delete copy.bias;
      return copy;
    }),
    inputs: [...graph.inputs],
    outputs: [...graph.outputs],
    ...(graph.metadata ? { metadata: graph.metadata } : {}),
  };
}

/** Product of a shape's dimensions (1 for a scalar shape []). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Number of weight values (kernels and biases) in the graph. */
export function countParameters(graph: Graph): number {
  return graph.ops.reduce((n, op) => n + (op.kernel?.values.length ?? 0) + (op.bias?.values.length ?? 0), 0);
}

/** Drops values no op or graph input/output refers to and renumbers the rest, keeping their order. */
export function compactValues(graph: Graph): Graph {
  const used = new Set<number>([...graph.inputs, ...graph.outputs]);
  for (const op of graph.ops) {
    op.inputs.forEach((v) => used.add(v));
    used.add(op.output);
  }
  const index = new Map<number, number>();
  graph.values.forEach((_, i) => {
    if (used.has(i)) index.set(i, index.size);
  });
  return {
    values: graph.values.filter((_, i) => used.has(i)),
    ops: graph.ops.map((op) => ({ ...op, inputs: op.inputs.map((v) => index.get(v)!), output: index.get(op.output)! })),
    inputs: graph.inputs.map((v) => index.get(v)!),
    outputs: graph.outputs.map((v) => index.get(v)!),
    ...(graph.metadata ? { metadata: graph.metadata } : {}),
  };
}
