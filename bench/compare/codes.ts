// Masks and codebooks for the compared methods, built from the compiler's own pieces: magnitude masks (uniform
// per layer, or a per-layer threshold), per-layer k-means codebooks with a fixed zero (optimize/kmeans.ts, f16 as
// the file stores them), and the LayerCode form the compiler's fine-tune phase takes.
import type { LayerCode } from '../../compiler/compress/joint_projection.js';
import { snapCodebook } from '../../compiler/compress/joint_projection.js';
import { kmeans1d, quantizeToCentroids } from '../../compiler/optimize/kmeans.js';

/** Keeps the round(density·n) largest magnitudes (ties: lower index first); at least one weight. */
export function topMagnitudeMask(values: Float32Array, density: number): Uint8Array {
  const keep = Math.max(1, Math.min(values.length, Math.round(values.length * density)));
  const order = Array.from(values.keys()).sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!) || a - b);
  const mask = new Uint8Array(values.length);
  for (let r = 0; r < keep; r++) if (values[order[r]!] !== 0) mask[order[r]!] = 1;
  return mask;
}

/** |w| > threshold (Han et al.'s per-layer pruning); keeps the largest weight when the threshold takes all. */
export function thresholdMask(values: Float32Array, threshold: number): Uint8Array {
  const mask = new Uint8Array(values.length);
  let any = false;
  let largest = 0;
  for (let j = 0; j < values.length; j++) {
    const m = Math.abs(values[j]!);
    if (m > threshold) {
      mask[j] = 1;
      any = true;
    }
    if (m > Math.abs(values[largest]!)) largest = j;
  }
  if (!any && values[largest] !== 0) mask[largest] = 1;
  return mask;
}

export function std(values: Float32Array): number {
  let s = 0;
  let s2 = 0;
  for (const v of values) {
    s += v;
    s2 += v * v;
  }
  const mean = s / values.length;
  return Math.sqrt(Math.max(0, s2 / values.length - mean * mean));
}

/**
 * The kept values of `values` (mask, nonzero) clustered into ≤ 2^bits f16 centroids, zero fixed; returns the
 * code and the full quantized kernel (zeros off the mask).
 */
function codeLayer(values: Float32Array, mask: Uint8Array, bits: number): { code: LayerCode; quantized: Float32Array } {
  const kept: number[] = [];
  const m = new Uint8Array(values.length);
  for (let j = 0; j < values.length; j++)
    if (mask[j] !== 0 && values[j] !== 0) {
      kept.push(values[j]!);
      m[j] = 1;
    }
  const quantized = new Float32Array(values.length);
  if (kept.length === 0) return { code: { bits, nnz: 0, centroids: new Float32Array(0), mask: m }, quantized };
  const centroids = snapCodebook(kmeans1d(Float32Array.from(kept), Math.min(2 ** bits, kept.length)).centroids).filter(
    (c) => c !== 0,
  );
  const q = quantizeToCentroids(Float32Array.from(kept), centroids);
  let k = 0;
  let nnz = 0;
  for (let j = 0; j < values.length; j++) {
    if (m[j] === 0) continue;
    quantized[j] = q[k++]!;
    if (quantized[j] !== 0) nnz++;
    else m[j] = 0;
  }
  return { code: { bits, nnz, centroids, mask: m }, quantized };
}

export function codeLayers(
  kernels: readonly Float32Array[],
  masks: readonly Uint8Array[],
  bits: readonly number[],
): { codes: LayerCode[]; quantized: Float32Array[] } {
  const out = kernels.map((k, i) => codeLayer(k, masks[i]!, bits[i]!));
  return { codes: out.map((o) => o.code), quantized: out.map((o) => o.quantized) };
}

export function allOnes(n: number): Uint8Array {
  return new Uint8Array(n).fill(1);
}
