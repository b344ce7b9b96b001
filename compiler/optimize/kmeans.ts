// 1-D weighted k-means with a fixed exact zero, for the optimizer's codebooks.
//
// The caller passes only the NONZERO values of a layer; zero is an implicit codebook entry that is never moved,
// and no nonzero value is ever mapped to it.
// Method:
//   1. Sort the values once (radix sort on the f32 bit patterns, O(n)), merge equal values into m unique points
//      with summed weights, and build f64 prefix sums of w, w·y and w·y² (y = x − weighted mean, which keeps the
//      differences of prefix sums accurate).
//   2. Start: the optimal partition of the sorted points into k runs by dynamic programming (kmeans_dp.ts). With
//      m ≤ maxBins unique points this IS the optimum; above, points are grouped into ≤ maxBins narrow bins first.
//      Lloyd's algorithm from quantiles alone is much worse in 1-D: on 400k Gaussian weights with k = 256 its
//      distortion is still 2.1× this method's after 1,000 iterations (1.9× after 3,000).
//   3. Polish with Lloyd on the raw points, O(k log m) per iteration: cells are the intervals between centroid
//      midpoints (a value exactly on a midpoint goes to the lower centroid), found by binary search; means and
//      distortions come from prefix-sum differences. A cell left empty is reseeded at the point farthest from its
//      centroid, which strictly lowers the distortion. Stop at a fixed point (the cells repeat); maxIter is a guard.
//   4. Round centroids to f32, keep them at least 2^-24 (the smallest f16 subnormal) away from 0, deduplicate,
//      and report the exact distortion of those f32 centroids.
// A warm start (`init`) skips step 2. kmeans1d and kmeansByBits are deterministic.

import { backtrack, makeBins, solveSplits, type PrefixSums } from './kmeans_dp.js';
import { sortFloat32 } from './sort_f32.js';

export { quantizeToCentroids, roundCentroidsToF16 } from './quantize.js';

/** A 1-D codebook. `centroids` are ascending f32, nonzero, distinct; distortion = Σ weight·(x − c(x))² (units of x²). */
export interface KMeansResult {
  centroids: Float32Array;
  distortion: number;
}

export interface KMeansOptions {
  /** One weight ≥ 0 per value (default 1). Values of weight 0 do not pull the centroids. */
  weights?: Float32Array;
  /** Guard on Lloyd iterations (default 1000); a fixed point usually comes far sooner. */
  maxIter?: number;
  /** Warm start: at most k distinct nonzero centroids (e.g. the previous projection's codebook). Skips the DP. */
  init?: Float32Array;
  /** DP resolution (default 4096): up to this many unique values the DP start is the exact optimum. */
  maxBins?: number;
}

const DEFAULT_MAX_ITER = 1000;
const DEFAULT_MAX_BINS = 4096;
/** Largest k solved by the DP (its cost grows as k · B log B); larger k start from quantiles or a warm start. */
const DP_MAX_K = 256;
/** Smallest centroid magnitude: the smallest f16 subnormal, so rounding a codebook to f16 never yields 0. */
const MIN_MAGNITUDE = 2 ** -24;

/** Unique sorted points with weights and prefix sums of the shifted values y = x − shift. */
interface Points extends PrefixSums {
  x: Float32Array; // ascending, distinct, length m
  shift: number;
}

function fail(message: string): never {
  throw new RangeError(`kmeans1d: ${message}`);
}

function preparePoints(values: Float32Array, weights: Float32Array | undefined): Points {
  if (weights !== undefined && weights.length !== values.length) {
    fail(`weights has ${weights.length} entries but values has ${values.length}; pass one weight per value`);
  }
  let sw = 0;
  let swx = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) fail(`values[${i}] is ${v}; values must be finite`);
    if (v === 0) fail(`values[${i}] is 0; pass only the nonzero values (zero is an implicit codebook entry)`);
    const w = weights === undefined ? 1 : weights[i];
    if (!(w >= 0) || !Number.isFinite(w)) fail(`weights[${i}] is ${w}; weights must be finite and ≥ 0`);
    sw += w;
    swx += w * v;
  }
  const shift = sw > 0 ? swx / sw : 0;
  const sorted = sortFloat32(values, weights);
  const x = sorted.values; // compacted in place below: x[0..m) are the unique values
  const sws = sorted.weights;
  const n = x.length;
  const p0 = new Float64Array(n + 1);
  const p1 = new Float64Array(n + 1);
  const p2 = new Float64Array(n + 1);
  let m = 0;
  for (let r = 0; r < n; r++) {
    const w = sws === null ? 1 : sws[r];
    if (w === 0) continue;
    const v = x[r];
    const y = v - shift;
    if (m > 0 && x[m - 1] === v) {
      p0[m] += w; // p[m] is the running total through point m − 1
      p1[m] += w * y;
      p2[m] += w * y * y;
    } else {
      x[m] = v;
      p0[m + 1] = p0[m] + w;
      p1[m + 1] = p1[m] + w * y;
      p2[m + 1] = p2[m] + w * y * y;
      m++;
    }
  }
  return {
    x: x.subarray(0, m),
    shift,
    p0: p0.subarray(0, m + 1),
    p1: p1.subarray(0, m + 1),
    p2: p2.subarray(0, m + 1),
  };
}

/** First index i with x[i] > t (x ascending). */
function upperBound(x: Float32Array, t: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Cell boundaries: cell j is x[b[j] .. b[j+1]). Ties on a midpoint go to the lower centroid. */
function cellBounds(pts: Points, c: Float64Array): Int32Array {
  const k = c.length;
  const b = new Int32Array(k + 1);
  b[k] = pts.x.length;
  for (let j = 1; j < k; j++) b[j] = upperBound(pts.x, (c[j - 1] + c[j]) / 2);
  return b;
}

/** Weighted mean of points lo..hi−1, kept inside their range against rounding. */
function cellMean(pts: Points, lo: number, hi: number): number {
  const mean = pts.shift + (pts.p1[hi] - pts.p1[lo]) / (pts.p0[hi] - pts.p0[lo]);
  return Math.min(Math.max(mean, pts.x[lo]), pts.x[hi - 1]);
}

/** Σ w·(x − c(x))² from prefix sums with f64 centroids; O(k log m). */
function totalDistortion(pts: Points, c: Float64Array): number {
  const b = cellBounds(pts, c);
  let total = 0;
  for (let j = 0; j < c.length; j++) {
    const lo = b[j];
    const hi = b[j + 1];
    if (hi === lo) continue;
    const cy = c[j] - pts.shift;
    const d = pts.p2[hi] - pts.p2[lo] - 2 * cy * (pts.p1[hi] - pts.p1[lo]) + cy * cy * (pts.p0[hi] - pts.p0[lo]);
    if (d > 0) total += d;
  }
  return total;
}

/** Copy of ascending `c` with `x` inserted in order. */
function insertSorted(c: Float64Array, x: number): Float64Array {
  const out = new Float64Array(c.length + 1);
  let i = 0;
  while (i < c.length && c[i] < x) {
    out[i] = c[i];
    i++;
  }
  out[i] = x;
  out.set(c.subarray(i), i + 1);
  return out;
}

/** Drops centroids with empty cells, then adds centroids at the farthest points until there are k. */
function reseed(pts: Points, c: Float64Array, k: number): Float64Array {
  let cur = c;
  let b = cellBounds(pts, cur);
  const kept: number[] = [];
  for (let j = 0; j < cur.length; j++) if (b[j + 1] > b[j]) kept.push(cur[j]);
  if (kept.length !== cur.length) {
    cur = Float64Array.from(kept);
    b = cellBounds(pts, cur);
  }
  while (cur.length < k) {
    // In 1-D the farthest point of a cell is one of its two ends.
    let bestX = Number.NaN;
    let bestD = 0;
    for (let j = 0; j < cur.length; j++) {
      if (b[j + 1] === b[j]) continue;
      for (const i of [b[j], b[j + 1] - 1]) {
        const d = (pts.x[i] - cur[j]) ** 2;
        if (d > bestD) {
          bestD = d;
          bestX = pts.x[i];
        }
      }
    }
    if (!(bestD > 0)) break; // every point sits on a centroid: nothing left to split
    cur = insertSorted(cur, bestX);
    b = cellBounds(pts, cur);
  }
  return cur;
}

function sameBounds(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return a.length === b.length;
}

/** Lloyd iterations from `init` (ascending, distinct) to a fixed point; returns f64 centroids, ascending. */
function lloyd(pts: Points, init: Float64Array, k: number, maxIter: number): Float64Array {
  let c = reseed(pts, init, k);
  let prev: Int32Array | null = null;
  for (let it = 0; it < maxIter; it++) {
    const b = cellBounds(pts, c);
    let empty = false;
    for (let j = 0; j < c.length; j++) if (b[j + 1] === b[j]) empty = true;
    if (empty) {
      c = reseed(pts, c, k);
      prev = null;
      continue;
    }
    if (prev !== null && sameBounds(prev, b)) break; // c are the means of these cells: a fixed point
    const next = new Float64Array(c.length);
    for (let j = 0; j < c.length; j++) next[j] = cellMean(pts, b[j], b[j + 1]);
    c = next;
    prev = b;
  }
  return c;
}

/** Weighted quantile start: the points at cumulative weight (j + ½)/k, deduplicated. */
function quantileInit(pts: Points, k: number): Float64Array {
  const m = pts.x.length;
  const total = pts.p0[m];
  const out: number[] = [];
  for (let j = 0; j < k; j++) {
    const target = ((j + 0.5) / k) * total;
    let lo = 0; // first i with p0[i + 1] > target
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pts.p0[mid + 1] > target) hi = mid;
      else lo = mid + 1;
    }
    if (out.length === 0 || out[out.length - 1] !== pts.x[lo]) out.push(pts.x[lo]);
  }
  return Float64Array.from(out);
}

/** Means of the runs of points between `bounds` (length groups + 1). */
function groupMeans(pts: Points, bounds: Int32Array): Float64Array {
  const c = new Float64Array(bounds.length - 1);
  for (let j = 0; j < c.length; j++) c[j] = cellMean(pts, bounds[j], bounds[j + 1]);
  return c;
}

/** f64 centroids → ascending distinct f32 centroids, each at least MIN_MAGNITUDE away from 0. */
function toF32Centroids(c: Float64Array): Float32Array {
  const f = new Float32Array(c.length);
  let count = 0;
  for (let j = 0; j < c.length; j++) {
    let v = Math.fround(c[j]);
    if (Math.abs(v) < MIN_MAGNITUDE) v = v < 0 ? -MIN_MAGNITUDE : MIN_MAGNITUDE;
    if (count === 0 || f[count - 1] !== v) f[count++] = v;
  }
  return f.slice(0, count);
}

/**
 * Σ w·(x − q(x))² of several codebooks in ONE pass over the unique points (q = the nearest centroid, ties → lower,
 * decided by the f64 midpoint, which is exact for f32 centroids). One pass instead of one per codebook matters on
 * 400k points: the pass is memory-bound.
 */
function exactDistortions(pts: Points, books: Float32Array[]): number[] {
  const mids = books.map((c) => {
    const mid = new Float64Array(c.length); // mid[j] between c[j] and c[j + 1]; the last is +inf
    for (let j = 0; j < c.length; j++) mid[j] = j + 1 < c.length ? (c[j] + c[j + 1]) / 2 : Infinity;
    return mid;
  });
  const at = new Int32Array(books.length);
  const totals = new Float64Array(books.length);
  const m = pts.x.length;
  for (let i = 0; i < m; i++) {
    const x = pts.x[i];
    const w = pts.p0[i + 1] - pts.p0[i];
    for (let t = 0; t < books.length; t++) {
      const mid = mids[t];
      let j = at[t];
      while (x > mid[j]) j++;
      at[t] = j;
      const d = x - books[t][j];
      totals[t] += w * d * d;
    }
  }
  return Array.from(totals);
}

function finish(pts: Points, c: Float64Array): KMeansResult {
  const centroids = toF32Centroids(c);
  return { centroids, distortion: centroids.length === 0 ? 0 : exactDistortions(pts, [centroids])[0] };
}

function checkInt(name: string, v: number, min: number, max = Infinity): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    fail(`${name} is ${v}; it must be an integer ${max === Infinity ? `≥ ${min}` : `in ${min}..${max}`}`);
  }
}

function initFrom(init: Float32Array, k: number): Float64Array {
  const sorted = Float64Array.from(init).sort();
  const out: number[] = [];
  for (const v of sorted) {
    if (!Number.isFinite(v) || v === 0) fail(`init holds ${v}; initial centroids must be finite and nonzero`);
    if (out.length === 0 || out[out.length - 1] !== v) out.push(v);
  }
  if (out.length > k) fail(`init has ${out.length} distinct centroids but k is ${k}`);
  return Float64Array.from(out);
}

/**
 * k-means of the nonzero `values` (length n, any order) into at most k nonzero centroids, zero fixed.
 * Deterministic. When the values have ≤ k distinct entries (of positive weight), returns exactly those, distortion 0.
 * Throws RangeError on a zero, NaN or infinite value, a bad weight, or k < 1.
 */
export function kmeans1d(values: Float32Array, k: number, opts: KMeansOptions = {}): KMeansResult {
  checkInt('k', k, 1);
  const maxIter = opts.maxIter ?? DEFAULT_MAX_ITER;
  const maxBins = opts.maxBins ?? DEFAULT_MAX_BINS;
  checkInt('maxIter', maxIter, 1);
  checkInt('maxBins', maxBins, 2);
  const pts = preparePoints(values, opts.weights);
  const m = pts.x.length;
  if (m <= k) return finish(pts, Float64Array.from(pts.x));
  if (opts.init !== undefined) return finish(pts, lloyd(pts, initFrom(opts.init, k), k, maxIter));
  if (k > DP_MAX_K) return finish(pts, lloyd(pts, quantileInit(pts, k), k, maxIter));
  const edges = makeBins(pts.x, maxBins);
  const start = groupMeans(pts, backtrack(solveSplits(pts, edges, k), k));
  return finish(pts, edges.length - 1 === m ? start : lloyd(pts, start, k, maxIter));
}

/**
 * Codebooks for k = 2^b, b = 1..maxBits (default 8, at most 16), sharing one sort, one set of prefix sums and
 * one DP table. Entry b − 1 is bitwidth b. Distortion never increases with b: when a solution comes out worse
 * than b − 1's, Lloyd is rerun from b − 1's centroids (plus reseeded ones), which cannot be worse.
 */
export function kmeansByBits(
  values: Float32Array,
  maxBits = 8,
  opts: { weights?: Float32Array; maxIter?: number; maxBins?: number } = {},
): { bits: number; centroids: Float32Array; distortion: number }[] {
  checkInt('maxBits', maxBits, 1, 16);
  const maxIter = opts.maxIter ?? DEFAULT_MAX_ITER;
  const maxBins = opts.maxBins ?? DEFAULT_MAX_BINS;
  checkInt('maxIter', maxIter, 1);
  checkInt('maxBins', maxBins, 2);
  const pts = preparePoints(values, opts.weights);
  const m = pts.x.length;
  const edges = makeBins(pts.x, maxBins);
  const exactBins = edges.length - 1 === m;
  const kDp = Math.min(2 ** maxBits, DP_MAX_K, m - 1);
  const table = kDp >= 1 ? solveSplits(pts, edges, kDp) : null;
  const books: Float32Array[] = [];
  let prev: Float64Array | null = null;
  let prevD = Infinity;
  for (let bits = 1; bits <= maxBits; bits++) {
    const k = 2 ** bits;
    let c: Float64Array;
    if (m <= k) c = Float64Array.from(pts.x);
    else if (table !== null && k <= kDp) {
      c = groupMeans(pts, backtrack(table, k));
      if (!exactBins) c = lloyd(pts, c, k, maxIter);
    } else c = lloyd(pts, prev ?? quantileInit(pts, k), k, maxIter);
    let d = totalDistortion(pts, c);
    if (prev !== null && d > prevD) {
      const warm = lloyd(pts, prev, k, maxIter);
      const dw = totalDistortion(pts, warm);
      if (dw <= d) {
        c = warm;
        d = dw;
      }
    }
    prev = c;
    prevD = d;
    books.push(toF32Centroids(c));
  }
  const distortions = m === 0 ? books.map(() => 0) : exactDistortions(pts, books);
  return books.map((centroids, b) => ({ bits: b + 1, centroids, distortion: distortions[b] }));
}
