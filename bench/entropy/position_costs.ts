// What a kernel's sparse positions would cost in other codings than the two the format has (one Rice k for the
// whole tensor, or an n-bit bitmap). Every figure counts the side information a decoder needs (k values, row and
// column bitmaps, model learning cost), so each is a size a real encoding could reach. Positions are flat,
// row-major, strictly increasing; gaps are the format's: pos − prev − 1 with prev = −1 before the first.
// The kernel is viewed as a matrix of rows × cols with cols = its last dimension (dense [N, M]: N input rows of M
// outputs; conv [KH, KW, C, M]: KH·KW·C rows of M output channels).
import { RICE_K_MAX } from '../../formats/index.js';
import { adaptiveCodeBits, entropyBits, log2Factorial } from './code_costs.js';

/** Gaps of strictly increasing positions. */
export function gapsOf(positions: ArrayLike<number>): number[] {
  const gaps: number[] = [];
  let prev = -1;
  for (let i = 0; i < positions.length; i++) {
    gaps.push(positions[i]! - prev - 1);
    prev = positions[i]!;
  }
  return gaps;
}

/** Bits of one gap in Rice(k): (gap >> k) zeros, a one, k low bits. */
export function riceGapBits(gap: number, k: number): number {
  return Math.floor(gap / 2 ** k) + 1 + k;
}

/** Bits of a Rice(k) stream of these gaps, and the best k (smallest on ties). */
export function bestRice(gaps: readonly number[]): { k: number; bits: number } {
  let best = { k: 0, bits: Infinity };
  for (let k = 0; k <= RICE_K_MAX; k++) {
    let bits = 0;
    for (const g of gaps) bits += riceGapBits(g, k);
    if (bits < best.bits) best = { k, bits };
  }
  return best;
}

/**
 * log2 C(n, nnz): the bits that single out one set of nnz positions among n when every set is equally likely.
 * A coding can only go below it on patterns it makes likelier (structure); Rice and bitmaps treat positions alike.
 */
export function subsetBits(n: number, nnz: number): number {
  return log2Factorial(n) - log2Factorial(nnz) - log2Factorial(n - nnz);
}

/** Order-0 empirical entropy of the gap sequence, in bits (each distinct gap value is a symbol; no model cost). */
export function gapEntropyBits(gaps: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const g of gaps) counts.set(g, (counts.get(g) ?? 0) + 1);
  return entropyBits([...counts.values()]);
}

/** Bytes of a LEB128 varint (for side information such as an alphabet size). */
function varintBytes(v: number): number {
  let bytes = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    bytes++;
  }
  return bytes;
}

/**
 * Gaps coded by an adaptive (Laplace) arithmetic coder, in bits, counting the side information: the better of
 *  - raw: every gap value 0..max is a symbol (the largest gap sent first as a varint);
 *  - buckets: the symbol is the gap's Elias-gamma class ⌊log2(gap + 1)⌋, followed by that many raw bits (the
 *    way deflate codes distances), the largest class sent in one byte.
 */
export function adaptiveGapBits(gaps: readonly number[]): { bits: number; scheme: 'raw' | 'buckets' } {
  if (gaps.length === 0) return { bits: 0, scheme: 'raw' };
  const maxGap = gaps.reduce((m, g) => Math.max(m, g), 0);
  const rawCounts = new Array<number>(maxGap + 1).fill(0);
  for (const g of gaps) rawCounts[g]!++;
  const raw = adaptiveCodeBits(rawCounts, maxGap + 1) + 8 * varintBytes(maxGap);
  const bucketOf = (g: number) => 31 - Math.clz32(g + 1);
  const bucketCounts = new Array<number>(bucketOf(maxGap) + 1).fill(0);
  let extra = 0;
  for (const g of gaps) {
    const b = bucketOf(g);
    bucketCounts[b]!++;
    extra += b;
  }
  const buckets = adaptiveCodeBits(bucketCounts, bucketCounts.length) + extra + 8;
  return raw <= buckets ? { bits: raw, scheme: 'raw' } : { bits: buckets, scheme: 'buckets' };
}

/** Bits to write any value of lo..hi in a fixed width. */
function widthFor(lo: number, hi: number): number {
  return Math.ceil(Math.log2(hi - lo + 1));
}

export interface PerRowRice {
  /** Stream bits plus side information (one k per row in a fixed width, one byte for the range). */
  bits: number;
  /** The k of each row. */
  ks: number[];
}

/**
 * One Rice k per row. A gap is coded with the k of the row holding prev + 1, the first position it may reach, so
 * the decoder knows which k to use before reading the gap. Side information: a byte (the smallest k and the
 * width) and rows × width bits, width = ⌈log2(kmax − kmin + 1)⌉. The k values and their range are chosen
 * together to minimize the total: every range lo..hi is tried, each row taking its best k within it.
 * @param cols the row length (the kernel's last dimension); n must be a multiple of it
 */
export function perRowRice(positions: ArrayLike<number>, n: number, cols: number): PerRowRice {
  if (!(cols > 0 && n % cols === 0))
    throw new RangeError(`perRowRice: n = ${n} is not a multiple of the row length ${cols}`);
  const rows = n / cols;
  const kCount = RICE_K_MAX + 1;
  const cost = new Float64Array(rows * kCount); // cost[r·kCount + k]: bits of row r's gaps at k
  let prev = -1;
  for (let i = 0; i < positions.length; i++) {
    const gap = positions[i]! - prev - 1;
    const row = Math.floor((prev + 1) / cols);
    for (let k = 0; k < kCount; k++) cost[row * kCount + k] += riceGapBits(gap, k);
    prev = positions[i]!;
  }
  let best: PerRowRice = { bits: Infinity, ks: [] };
  for (let lo = 0; lo < kCount; lo++) {
    for (let hi = lo; hi < kCount; hi++) {
      let bits = 8 + rows * widthFor(lo, hi);
      const ks: number[] = [];
      for (let r = 0; r < rows; r++) {
        let k = lo;
        for (let j = lo + 1; j <= hi; j++) if (cost[r * kCount + j]! < cost[r * kCount + k]!) k = j;
        ks.push(k);
        bits += cost[r * kCount + k]!;
      }
      if (bits < best.bits) best = { bits, ks };
    }
  }
  return best;
}

export interface LiveRowsCols {
  /** Row bitmap + column bitmap + a flag bit + the better of Rice (with a k byte) or a bitmap of the live sub-matrix. */
  bits: number;
  liveRows: number;
  liveCols: number;
}

/**
 * Positions coded within the live sub-matrix: a bitmap of rows holding any nonzero, one of columns holding any,
 * then the positions re-indexed in the liveRows × liveCols sub-matrix, as the best single-k Rice stream (plus a
 * byte for k) or as a bitmap of that sub-matrix, whichever is smaller (one bit says which).
 */
export function liveRowsCols(positions: ArrayLike<number>, n: number, cols: number): LiveRowsCols {
  if (!(cols > 0 && n % cols === 0))
    throw new RangeError(`liveRowsCols: n = ${n} is not a multiple of the row length ${cols}`);
  const rows = n / cols;
  const rowLive = new Uint8Array(rows);
  const colLive = new Uint8Array(cols);
  for (let i = 0; i < positions.length; i++) {
    rowLive[Math.floor(positions[i]! / cols)] = 1;
    colLive[positions[i]! % cols] = 1;
  }
  // Rank of each live row and column inside the sub-matrix.
  const rowRank = new Int32Array(rows);
  const colRank = new Int32Array(cols);
  let liveRows = 0;
  let liveCols = 0;
  for (let r = 0; r < rows; r++) rowRank[r] = rowLive[r] ? liveRows++ : -1;
  for (let c = 0; c < cols; c++) colRank[c] = colLive[c] ? liveCols++ : -1;
  const inner: number[] = [];
  for (let i = 0; i < positions.length; i++) {
    inner.push(rowRank[Math.floor(positions[i]! / cols)]! * liveCols + colRank[positions[i]! % cols]!);
  }
  const rice = positions.length === 0 ? 0 : bestRice(gapsOf(inner)).bits + 8;
  const subBitmap = liveRows * liveCols;
  return { bits: rows + cols + 1 + Math.min(rice, subBitmap), liveRows, liveCols };
}
