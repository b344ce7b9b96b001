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

/**
 * Codebooks with this many nonzero entries go on a CB_Q8 grid (formats/codebook_q8.ts: 3 + k bytes where f16 takes
 * 2k, plus 2 bytes of codebook_type). Below 6, f16 is as small. Above 16 the grid's 255 steps come too close to the
 * entries' own spacing: with up to 64 entries, LeNet-5 on Fashion-MNIST at 300× fell from 89.60 / 89.25% to
 * 89.08 / 89.02% (seeds 1, 2), the layout search moving to lower bits (BENCHMARKS.md, "Codebooks on a grid").
 */
export const Q8_GRID_ENTRIES = { min: 6, max: 16 } as const;

/** Steps of the format's grid: 255 (u8 entries). */
const Q8_SPAN_STEPS = 255;
const Q8_EXPONENT_MIN = -126;
const Q8_EXPONENT_MAX = 127;
const INT16_MIN = -32768;
const INT16_MAX = 32767;

/** Grid steps between the rounded ends of [lo, hi] on the grid 2^exponent. */
function roundedSpan(lo: number, hi: number, exponent: number): number {
  return Math.round(hi / 2 ** exponent) - Math.round(lo / 2 ** exponent);
}

/**
 * Rounds nonzero centroids to the finest power-of-two grid 2^e·k on which their rounded span takes at most 255
 * steps, so that the file stores them as CB_Q8. A centroid never rounds to 0 (it takes the grid point ±2^e
 * instead: a kept weight stays kept). Idempotent: values already on such a grid come back unchanged. Returns
 * ascending distinct values, or undefined when no grid fits the format (a non-finite centroid, fewer than 2
 * distinct, or an offset beyond int16).
 */
export function roundCentroidsToQ8Grid(centroids: Float32Array): Float32Array | undefined {
  const sorted = Float32Array.from(centroids.filter((c) => c !== 0)).sort();
  if (sorted.length < 2) return undefined;
  const lo = sorted[0]!;
  const hi = sorted[sorted.length - 1]!;
  const span = hi - lo;
  if (!Number.isFinite(span) || span <= 0) return undefined;
  let exponent = Math.max(Q8_EXPONENT_MIN, Math.ceil(Math.log2(span / Q8_SPAN_STEPS)) - 1);
  while (roundedSpan(lo, hi, exponent) > Q8_SPAN_STEPS) exponent++;
  if (exponent > Q8_EXPONENT_MAX) return undefined;
  const scale = 2 ** exponent;
  const steps = Array.from(sorted, (c) => Math.round(c / scale) || Math.sign(c));
  if (steps[0]! < INT16_MIN || steps[0]! > INT16_MAX) return undefined;
  return Float32Array.from(new Set(steps), (k) => k * scale);
}
