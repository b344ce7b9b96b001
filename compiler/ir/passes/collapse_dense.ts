// Replaces a hidden dense layer and the dense layer after it with one dense layer (in → out directly), the way a
// user would train a model without that hidden layer. The caller supplies the merged weights (collapse_fit.ts
// fits them to the pair's outputs); this pass only rewrites the graph.
import type { Graph, IROp, IRTensor } from '../graph.js';
import { cloneGraph, compactValues, valueConsumers } from '../graph_utils.js';

/** Op indices of a dense op whose only reader is the dense op after it. */
export interface DensePair {
  hidden: number;
  next: number;
}

/**
 * The last dense → dense pair of the graph whose hidden output nothing else reads (and is not a graph output),
 * or undefined. The last pair is the classifier head, where a hidden layer costs the most weights per unit.
 */
export function lastDensePair(graph: Graph): DensePair | undefined {
  const consumers = valueConsumers(graph);
  for (let i = graph.ops.length - 1; i >= 0; i--) {
    const op = graph.ops[i]!;
    if (op.type !== 'dense' || !op.kernel) continue;
    const readers = consumers[op.output]!;
    if (readers.length !== 1 || graph.outputs.includes(op.output)) continue;
    const next = graph.ops[readers[0]!]!;
    if (next.type === 'dense' && next.kernel) return { hidden: i, next: readers[0]! };
  }
  return undefined;
}

/** The graph with `pair` replaced by one dense op reading the hidden op's input, with `kernel` [in, out] and `bias`. */
export function collapseDensePair(graph: Graph, pair: DensePair, kernel: IRTensor, bias: IRTensor): Graph {
  const copy = cloneGraph(graph);
  const hidden = copy.ops[pair.hidden]!;
  const next = copy.ops[pair.next]!;
  const inSize = hidden.kernel!.shape[0]!;
  const outSize = next.kernel!.shape[1]!;
  if (kernel.shape[0] !== inSize || kernel.shape[1] !== outSize || bias.shape[0] !== outSize) {
    throw new Error(
      `collapseDensePair: weights [${kernel.shape.join(', ')}] + [${bias.shape.join(', ')}] do not fit ${inSize} → ${outSize}`,
    );
  }
  const merged: IROp = { ...next, inputs: [...hidden.inputs], kernel, bias };
  copy.ops = copy.ops.flatMap((op, i) => (i === pair.hidden ? [] : i === pair.next ? [merged] : [op]));
  return compactValues(copy);
}
