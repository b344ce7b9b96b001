// The optimizer's projections: pure functions on Float32Arrays, no tfjs, deterministic.
//
// The ADMM loop (Yang et al., CVPR 2020) keeps V, the point of the constraint set nearest to W + U, where
//   V_i has at most 2^b_i distinct nonzero values (plus an exact 0)   and   Σ_i cost_i(nnz_i, b_i) ≤ S.
// The exact projection is hard, so it is split in two knapsacks, each solved greedily with a known bound:
//
// 1. Sparse projection (sparse_projection.ts), a 0-1 knapsack over every weight of every layer:
//      maximize Σ kept importance·w²   subject to   Σ_i nnz_i · c_i ≤ S_weights,
//    c_i = b_i + index bits per nonzero (size_model.indexBitsPerNonzero). Greedy by importance·w²/c_i, exact radix
//    select in O(n), then a fill of the leftover capacity. Value ≥ OPT − max single weight value.
//
// 2. Codebooks (kmeans.ts): for each layer and each b, 1-D k-means of the kept nonzeros into 2^b centroids, zero
//    fixed: D_i(b) = Σ w·(x − c(x))². Start from the optimal DP partition (kmeans_dp.ts; exact up to 4,096 distinct
//    values, binned above), polish with Lloyd. kmeansByBits shares one sort for b = 1..8.
//
// 3. Bit allocation (bit_allocation.ts), a multiple-choice knapsack, one b per layer:
//      minimize Σ_i D_i(b_i)   subject to   Σ_i cost_i(nnz_i, b_i) ≤ S_weights.
//    Greedy over each layer's lower convex hull of (cost, D), then single moves that fit.
//    D ≤ OPT + max_i (D_i(cheapest) − min_b D_i(b)).
//
// 4. V = quantizeToCentroids(mask ⊙ (W + U), codebook_i). Zeros stay exactly 0; ties go to the lower centroid.
//
// Units: costs and budgets are bits; size_model.ts predicts the encoded bytes of a tensor (protobuf overhead
// included) so the caller can turn the file budget S (bytes) into S_weights (bits) for the knapsacks.

import { allocateBits, allocateBitsExact } from './bit_allocation.js';
import { kmeans1d, kmeansByBits, quantizeToCentroids, roundCentroidsToF16 } from './kmeans.js';
import {
  estimateF16TensorBytes,
  estimateSparseTensorBytes,
  indexBitsPerNonzero,
  riceKForRandomPositions,
  sparseTensorByteCandidates,
  sparseTensorBytesForMask,
} from './size_model.js';
import { applyMask, sparseProject } from './sparse_projection.js';

export { allocateBits, allocateBitsExact, type BitAllocation, type BitOption } from './bit_allocation.js';
export {
  kmeans1d,
  kmeansByBits,
  quantizeToCentroids,
  roundCentroidsToF16,
  type KMeansOptions,
  type KMeansResult,
} from './kmeans.js';
export {
  estimateF16TensorBytes,
  estimateSparseTensorBytes,
  indexBitsPerNonzero,
  riceKForRandomPositions,
  sparseTensorByteCandidates,
  sparseTensorBytesForMask,
  type SparseTensorBytes,
  type TensorSizeOptions,
} from './size_model.js';
export { applyMask, sparseProject, type SparseLayerInput, type SparseProjection } from './sparse_projection.js';

/** Every projection and helper, by role, in the order the ADMM loop uses them. */
export const PROJECTIONS = [
  { name: 'indexBitsPerNonzero', role: 'cost model', fn: indexBitsPerNonzero },
  { name: 'riceKForRandomPositions', role: 'cost model', fn: riceKForRandomPositions },
  { name: 'sparseProject', role: 'sparse projection (0-1 knapsack)', fn: sparseProject },
  { name: 'applyMask', role: 'sparse projection', fn: applyMask },
  { name: 'kmeansByBits', role: 'codebooks for b = 1..8', fn: kmeansByBits },
  { name: 'kmeans1d', role: 'codebook for one b', fn: kmeans1d },
  { name: 'allocateBits', role: 'bit allocation (multiple-choice knapsack)', fn: allocateBits },
  { name: 'allocateBitsExact', role: 'bit allocation, exact DP (tests, small instances)', fn: allocateBitsExact },
  { name: 'quantizeToCentroids', role: 'quantization', fn: quantizeToCentroids },
  { name: 'roundCentroidsToF16', role: 'quantization', fn: roundCentroidsToF16 },
  { name: 'estimateSparseTensorBytes', role: 'size model', fn: estimateSparseTensorBytes },
  { name: 'sparseTensorByteCandidates', role: 'size model', fn: sparseTensorByteCandidates },
  { name: 'sparseTensorBytesForMask', role: 'size model', fn: sparseTensorBytesForMask },
  { name: 'estimateF16TensorBytes', role: 'size model', fn: estimateF16TensorBytes },
] as const;
