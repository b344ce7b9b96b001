// Quantization with a codebook from kmeans.ts: nearest centroid per nonzero, zeros kept exactly, and the
// rounding of a codebook to f16 (what the file stores).

import { f16ToF32, f32ToF16 } from '../../formats/f16.js';

/**
 * Replaces each nonzero of `values` by its nearest centroid (ties → the lower one); zeros stay exactly 0.
 * `centroids` must be ascending, distinct and finite. `out` may be `values` itself. Returns `out`.
 */
export function quantizeToCentroids(values: Float32Array, centroids: Float32Array, out?: Float32Array): Float32Array {
  const dst = out ?? new Float32Array(values.length);
  if (dst.length !== values.length) {
    throw new RangeError(`quantizeToCentroids: out has ${dst.length} entries but values has ${values.length}`);
  }
  const k = centroids.length;
  for (let j = 0; j < k; j++) {
    if (!Number.isFinite(centroids[j]) || (j > 0 && !(centroids[j] > centroids[j - 1]))) {
      throw new RangeError(
        `quantizeToCentroids: centroids must be finite and strictly ascending (index ${j}: ${centroids[j]})`,
      );
    }
  }
  const mid = new Float64Array(Math.max(k - 1, 0));
  for (let j = 0; j + 1 < k; j++) mid[j] = (centroids[j] + centroids[j + 1]) / 2; // exact in f64
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x === 0) {
      dst[i] = 0;
      continue;
    }
    if (Number.isNaN(x)) throw new RangeError(`quantizeToCentroids: values[${i}] is NaN`);
    if (k === 0) throw new RangeError(`quantizeToCentroids: values[${i}] is nonzero but the codebook is empty`);
    let lo = 0; // first midpoint index with x ≤ mid[j] → centroid j
    let hi = k - 1;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (x <= mid[m]) hi = m;
      else lo = m + 1;
    }
    dst[i] = centroids[lo];
  }
  return dst;
}

/**
 * Rounds centroids to the nearest f16 (ties to even), drops those that become 0, and deduplicates.
 * Returns ascending f32 values that are exact f16. Throws if a centroid overflows f16 (|c| ≥ 65520).
 */
export function roundCentroidsToF16(centroids: Float32Array): Float32Array {
  const out: number[] = [];
  for (const c of centroids) {
    const r = f16ToF32(f32ToF16(c));
    if (!Number.isFinite(r)) throw new RangeError(`roundCentroidsToF16: centroid ${c} does not fit in f16 (max 65504)`);
    if (r !== 0) out.push(r);
  }
  out.sort((a, b) => a - b);
  return Float32Array.from(out.filter((v, i) => i === 0 || v !== out[i - 1]));
}
