// The fine-tune's model: the best hard projection with its dead units removed for good. Mask and bits are frozen
// from here on, so units with no kept weight can never come back; training the narrower graph computes only what
// the file will hold (a structured result trains several times faster) and gives the same function, since
// removeDeadUnits is exact (ir/passes/remove_dead_units.ts).
//
// The latent weights (unquantized, for the straight-through fine-tune) follow the same removal. To map them,
// removeDeadUnits runs a second time on a graph whose kernel entries hold their own flat index + 1: the pass keeps
// or drops whole units and rows by zero patterns and bias constants alone, which that graph shares with the real
// one, and moves kernel entries without changing them, so the compact kernels read back the original positions.
import type { Graph } from '../ir/graph.js';
import { cloneGraph } from '../ir/graph_utils.js';
import { removeDeadUnits } from '../ir/passes/remove_dead_units.js';
import { quantizeToCentroids } from '../optimize/kmeans.js';
import { weightMaps, type BestRecord } from './checkpoint.js';
import type { RunContext } from './context.js';
import type { LayerCode } from './joint_projection.js';
import { compressibleLayers } from './layers.js';
import { TrainState } from './train_state.js';

/** Flat indices up to this are exact as f32 index + 1. */
const MAX_INDEX = 2 ** 24 - 1;

export interface CompactStart {
  /** The fine-tune's context: the compact graph, its layers, a fresh TrainState on it. */
  ctx: RunContext;
  /** Codes on the compact kernels (same bits and codebooks, masks over the compact positions). */
  codes: LayerCode[];
  /** Latent weights on the compact kernels (zero where not kept). */
  latent: Float32Array[];
}

function withWeights(
  graph: Graph,
  ctx: RunContext,
  kernels: readonly Float32Array[],
  biases: ReadonlyMap<number, Float32Array>,
): Graph {
  const out = cloneGraph(graph);
  ctx.layers.forEach((l, i) => {
    out.ops[l.opIndex]!.kernel = { shape: [...l.shape], values: kernels[i]! };
  });
  out.ops.forEach((op, opIndex) => {
    const b = biases.get(opIndex);
    if (op.bias && b) op.bias = { shape: [...op.bias.shape], values: b.slice() };
  });
  return out;
}

/** The kept weights of `best` snapped to its codebooks, one full kernel per layer. */
function quantizedKernels(
  ctx: RunContext,
  latent: readonly Float32Array[],
  codes: readonly LayerCode[],
): Float32Array[] {
  return ctx.layers.map((l, i) => {
    const code = codes[i]!;
    const out = new Float32Array(l.n);
    for (let j = 0; j < l.n; j++) if (code.mask[j]) out[j] = latent[i]![j]!;
    return code.centroids.length > 0
      ? quantizeToCentroids(out, code.centroids, out).map((v, j) => (code.mask[j] ? v : 0))
      : out.fill(0);
  });
}

/** The compacted model the fine-tune starts from (see the header). `best` must carry its codes. */
export function compactForFinetune(ctx: RunContext, best: BestRecord): CompactStart {
  if (!best.codes) throw new Error('compactForFinetune: the best result has no codes');
  const codes = best.codes;
  const start = weightMaps(best.weights);
  const latent = ctx.layers.map((l) => start.kernels.get(l.opIndex)!);
  const compact = removeDeadUnits(withWeights(ctx.graph, ctx, quantizedKernels(ctx, latent, codes), start.biases));
  const indexKernels = ctx.layers.map((l, i) => {
    if (l.n > MAX_INDEX) throw new Error(`compactForFinetune: layer '${l.name}' has ${l.n} weights, over ${MAX_INDEX}`);
    return Float32Array.from(codes[i]!.mask, (m, j) => (m ? j + 1 : 0));
  });
  const indexed = removeDeadUnits(withWeights(ctx.graph, ctx, indexKernels, start.biases));
  const layers = compressibleLayers(compact);
  const compactCodes: LayerCode[] = [];
  const compactLatent = layers.map((l, i) => {
    const where = indexed.ops[l.opIndex]!.kernel!.values;
    const values = new Float32Array(l.n);
    const mask = new Uint8Array(l.n);
    for (let k = 0; k < l.n; k++) {
      const j = where[k]!;
      if (j === 0) continue;
      values[k] = latent[i]![j - 1]!;
      mask[k] = 1;
    }
    const code = codes[i]!;
    compactCodes.push({ bits: code.bits, nnz: mask.reduce((s, m) => s + m, 0), centroids: code.centroids, mask });
    return values;
  });
  return {
    ctx: { ...ctx, graph: compact, layers, state: new TrainState(compact), setup: { graph: compact, layers } },
    codes: compactCodes,
    latent: compactLatent,
  };
}
