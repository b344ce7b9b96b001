// The real size of the .sqz file a set of kernels and biases gives: biases rounded to f16, dead units removed,
// every tensor in its smallest exact encoding. This is the number the target constrains, so the optimizer
// measures it instead of modelling it.
import { ENC_SPARSE_BITMAP, ENC_SPARSE_RICE } from '../../formats/constants.js';
import { exportModelDetailed, type ExportResult } from '../export/index.js';
import { roundTensorToF16 } from '../export/quantize_weights.js';
import type { Graph } from '../ir/graph.js';
import { cloneGraph } from '../ir/graph_utils.js';
import { removeDeadUnits } from '../ir/passes/remove_dead_units.js';
import type { CompressibleLayer } from './layers.js';

/** Per compressible layer, as stored in the file. */
interface StoredLayer {
  /** Weights left after dead-unit removal. */
  n: number;
  nnz: number;
  bits: number;
  /** Bytes of the layer's encoded kernel tensor. */
  bytes: number;
  /** Bits spent on positions (bitmap or Rice gaps), 0 for dense encodings. */
  positionBits: number;
  /** The encoding the exporter chose (formats/constants.ts ENC_*). */
  encoding: number;
  /** Units (last axis) and rows (the other axes, flattened) left after dead-unit removal. */
  units: number;
  rows: number;
}

export interface FileMeasure {
  /** Total file bytes. */
  bytes: number;
  /** One entry per compressible layer, in layer order. */
  layers: StoredLayer[];
  /** The export itself (message, stored graph, per-tensor account). */
  exported: ExportResult;
}

/**
 * A copy of `graph` holding `kernels` (one per compressible layer, flat, already quantized) and `biases`
 * (opIndex → values, rounded to f16 here), ready for export.
 */
export function graphWithWeights(
  graph: Graph,
  layers: readonly CompressibleLayer[],
  kernels: readonly Float32Array[],
  biases: ReadonlyMap<number, Float32Array>,
): Graph {
  const out = cloneGraph(graph);
  layers.forEach((layer, i) => {
    out.ops[layer.opIndex]!.kernel = { shape: [...layer.shape], values: kernels[i]! };
  });
  out.ops.forEach((op, opIndex) => {
    const b = biases.get(opIndex);
    if (op.bias && b) op.bias = roundTensorToF16({ shape: [...op.bias.shape], values: b });
  });
  return out;
}

/** Exports `graph` (weights as they are) after dead-unit removal and measures every compressible layer. */
export function measureFile(graph: Graph, layers: readonly CompressibleLayer[]): FileMeasure {
  const exported = exportModelDetailed(removeDeadUnits(graph), { weights: 'exact' });
  const byName = new Map<string, number>();
  exported.tensors.forEach((t, i) => {
    if (t.role === 'kernel') byName.set(t.op, i);
  });
  const stored = layers.map((layer): StoredLayer => {
    const index = byName.get(layer.name);
    if (index === undefined) throw new Error(`measureFile: layer '${layer.name}' has no kernel in the exported file`);
    const t = exported.message.tensors[index]!;
    const info = exported.tensors[index]!;
    const sparse = t.encoding === ENC_SPARSE_BITMAP || t.encoding === ENC_SPARSE_RICE;
    const n = info.shape.reduce((a, b) => a * b, 1);
    // A layer imported as several ops (Conv1D: reshape, conv2d, reshape) names them all alike: count the kernel's.
    return {
      n,
      nnz: sparse
        ? t.nnz
        : countNonzero(
            exported.graph.ops.find((op) => op.name === layer.name && op.kernel !== undefined)?.kernel?.values,
          ),
      bits: t.bits,
      bytes: info.bytes,
      positionBits: sparse ? t.positions.length * 8 : 0,
      encoding: t.encoding,
      units: info.shape[info.shape.length - 1]!,
      rows: n / info.shape[info.shape.length - 1]!,
    };
  });
  return { bytes: exported.bytes.length, layers: stored, exported };
}

function countNonzero(values: Float32Array | undefined): number {
  let nnz = 0;
  if (values) for (const v of values) if (v !== 0) nnz++;
  return nnz;
}
