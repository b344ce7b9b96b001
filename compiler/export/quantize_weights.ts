// The lossy steps of `sqz convert --weights`: rounding to f16 or to at most 256 k-means levels. They happen
// before encoding (formats' encoder is exact), on a copy of the graph.
import { f16ToF32, f32ToF16 } from '../../formats/f16.js';
import { MAX_CODEBOOK_ENTRIES } from '../../formats/tensor_codec.js';
import type { Graph, IRTensor } from '../ir/graph.js';
import { cloneGraph } from '../ir/graph_utils.js';
import { kmeans1d, quantizeToCentroids, roundCentroidsToF16 } from '../optimize/kmeans.js';

/** 'exact' and 'f32' keep values as they are; 'f16' rounds every weight; 'q8' k-means-quantizes kernels. */
export type WeightMode = 'exact' | 'f32' | 'f16' | 'q8';

export const WEIGHT_MODES: readonly WeightMode[] = ['exact', 'f32', 'f16', 'q8'];

/** Largest finite f16 magnitude. */
const F16_MAX = 65504;

/** Values rounded to the nearest f16 (ties to even); a tensor with a value beyond f16's range stays as it is. */
export function roundTensorToF16(t: IRTensor): IRTensor {
  if (t.values.some((v) => Math.abs(v) > F16_MAX)) return { shape: [...t.shape], values: t.values.slice() };
  return { shape: [...t.shape], values: t.values.map((v) => f16ToF32(f32ToF16(v))) };
}

/**
 * At most 256 levels including an exact 0: the nonzeros are clustered by 1-D k-means into 256 centroids (255 when
 * the tensor has zeros, so a dense codebook still fits; with fewer distinct values each value is its own
 * centroid), the centroids are rounded to f16 (an f16 codebook is half the size) unless one is beyond f16's range,
 * and each nonzero is replaced by its nearest centroid. Zeros stay zeros.
 */
function quantizeTensorQ8(t: IRTensor): IRTensor {
  const nonzeros = t.values.filter((v) => v !== 0);
  if (nonzeros.length === 0) return { shape: [...t.shape], values: t.values.slice() };
  const levels = nonzeros.length < t.values.length ? MAX_CODEBOOK_ENTRIES - 1 : MAX_CODEBOOK_ENTRIES;
  let centroids = kmeans1d(nonzeros, levels).centroids;
  try {
    centroids = roundCentroidsToF16(centroids);
  } catch {
    // A centroid beyond f16's range: keep the f32 codebook.
  }
  return { shape: [...t.shape], values: quantizeToCentroids(t.values, centroids) };
}

/**
 * A copy of `graph` with weights as `mode` stores them: 'f16' rounds kernels and biases, 'q8' quantizes kernels
 * (quantizeTensorQ8) and rounds biases to f16, 'exact'/'f32' copy. The result is what the exported file decodes to.
 */
export function quantizeGraphWeights(graph: Graph, mode: WeightMode): Graph {
  if (!WEIGHT_MODES.includes(mode))
    throw new Error(`quantizeGraphWeights: unknown weight mode '${String(mode)}' (use ${WEIGHT_MODES.join(', ')})`);
  const out = cloneGraph(graph);
  if (mode === 'exact' || mode === 'f32') return out;
  for (const op of out.ops) {
    if (op.kernel) op.kernel = mode === 'q8' ? quantizeTensorQ8(op.kernel) : roundTensorToF16(op.kernel);
    if (op.bias) op.bias = roundTensorToF16(op.bias);
  }
  return out;
}
