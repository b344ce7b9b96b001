// The compressed path of OP_DENSE for the sparse forms, row by row: out[b, o] += x[b, i] · w for each stored
// nonzero (i, o) of the flat [N, M] weight (rows i are inputs).
//   Rice: with the row index built at load (12 bytes per row: where the row's gaps start in the stream, its first
//         code, its first column's base). At batch 1 a row whose input is 0 is skipped whole, which after a ReLU
//         (or on image borders) is often half the rows or more, and a row's gaps are applied as they are decoded
//         (rice.ts); a larger batch decodes each row's gaps once, a chunk at a time, for every sample.
//   Bitmap, batch 1: 56 bitmap bits at a time, nonzeros found with ctz; a row whose input is 0 is skipped whole
//         (popcount advances the code cursor). Larger batches walk the weight once for the whole batch (dense.ts).
// Codes are read with codes.ts.

import { ENC_SPARSE_RICE } from '../../formats/constants';
import { codeAt } from '../codes';
import { encodingBuilt } from '../features';
import { allocBytes, blockBytes } from '../heap';
import { Op, Tensor } from '../model';
import { riceAccumulateRow, riceBitAddress, riceGaps, riceSeek } from '../rice';
import { WALK_CHUNK, chunkPositions } from '../walk';

/** Row index entry: u32 bit offset of the row's first gap, u32 codes before the row, i32 column base. */
const ROW_ENTRY_BYTES: usize = 12;
/** Bit offsets are u32: streams of 2^29 bytes or more get no index (batch 1 then walks like batch > 1). */
const ROW_INDEX_MAX_STREAM_BYTES: u32 = 1 << 29;
/** One gap while building the row index (4 bytes). */
const oneGap: usize = memory.data(4);

/**
 * Builds the row index of a validated Rice tensor [n, m] at load: entry r (r ≤ n) holds the bit offset of the
 * first gap whose position is in row r or later, the number of codes before it, and (position after the previous
 * nonzero) − r·m, so the row's first column is that base plus its first gap. Returns 0 on ERR_MEMORY.
 */
function buildRowIndex(t: Tensor, n: u32, m: u32): usize {
  let index = allocBytes(<u64>(n + 1) * ROW_ENTRY_BYTES);
  if (index == 0) return 0;
  let k = <u64>t.riceK;
  let streamBits = <u64>t.positions << 3;
  let end = t.positions + t.positionsLength;
  riceSeek(streamBits);
  let at = streamBits;
  let next: u32 = 0, row: u32 = 0, rowStart: u32 = 0;
  let e = index;
  for (let j: u32 = 0; j < t.nnz; j++) {
    riceGaps(oneGap, 1, k, end);
    let position = next + load<u32>(oneGap);
    while (rowStart <= position) { // rows that start at or before this nonzero begin here
      store<u32>(e, <u32>(at - streamBits));
      store<u32>(e, j, 4);
      store<i32>(e, <i32>(next - rowStart), 8);
      e += ROW_ENTRY_BYTES;
      row++;
      rowStart += m;
    }
    at = riceBitAddress();
    next = position + 1;
  }
  for (; row <= n; row++) {
    store<u32>(e, <u32>(at - streamBits));
    store<u32>(e, t.nnz, 4);
    store<i32>(e, <i32>(next - rowStart), 8);
    e += ROW_ENTRY_BYTES;
    rowStart += m;
  }
  return index;
}

/** Heap bytes the compressed path of a weight [n, m] allocates at load: the row index for Rice, else 0. */
export function denseSparseBytes(t: Tensor, n: u32): u64 {
  if (!encodingBuilt(ENC_SPARSE_RICE) || t.encoding != ENC_SPARSE_RICE || t.positionsLength >= ROW_INDEX_MAX_STREAM_BYTES) return 0;
  return blockBytes(<u64>(n + 1) * ROW_ENTRY_BYTES);
}

/** Load-time preparation of the compressed path of `op` (weight [n, m]): the row index for Rice. */
export function prepareDenseSparse(op: Op, t: Tensor, n: u32, m: u32): bool {
  op.kernelBuffer = 0;
  if (denseSparseBytes(t, n) == 0) return true;
  op.kernelBuffer = buildRowIndex(t, n, m);
  return op.kernelBuffer != 0;
}

/**
 * Batch 1 with the row index (op.kernelBuffer): rows whose input is 0 are skipped; each other row's gaps are decoded
 * from the row's bit offset and applied as they come (rice.ts riceAccumulateRow).
 */
export function denseFromRiceRows(t: Tensor, index: usize, x: usize, out: usize, n: u32): void {
  let k = <u64>t.riceK;
  let streamBits = <u64>t.positions << 3, end = t.positions + t.positionsLength;
  let dataBits = <u64>t.data << 3, bits = <u64>t.bits, mask: u32 = (1 << t.bits) - 1, table = t.table;
  let e = index;
  for (let row: u32 = 0; row < n; row++, e += ROW_ENTRY_BYTES) {
    let xr = load<f32>(x + (<usize>row << 2));
    let codeBit = dataBits + <u64>load<u32>(e, 4) * bits, codeEnd = dataBits + <u64>load<u32>(e, ROW_ENTRY_BYTES + 4) * bits;
    if (xr == 0 || codeBit == codeEnd) continue;
    let column = out + (<usize>(load<i32>(e, 8) - 1) << 2);
    riceAccumulateRow(streamBits + <u64>load<u32>(e), codeBit, codeEnd, bits, mask, k, end, column, xr, table);
  }
}

/**
 * Batch > 1 with the row index (op.kernelBuffer): the gaps are decoded once, a chunk at a time across rows (rice.ts
 * riceGaps), the row index giving each row's count and first column, and each nonzero w at (row, column) adds
 * x[b, row] · w to out[b, column] for every sample b.
 */
export function denseFromRiceRowsBatch(t: Tensor, index: usize, x: usize, out: usize, n: u32, m: u32, batch: u32): void {
  let k = <u64>t.riceK, end = t.positions + t.positionsLength;
  let data = t.data, bits = t.bits, mask: u32 = (1 << bits) - 1, table = t.table;
  let inBytes = <usize>n << 2, outBytes = <usize>m << 2;
  let gaps = chunkPositions, next = gaps, decodedEnd = gaps, left = t.nnz;
  let codeBit: u32 = 0;
  riceSeek(<u64>t.positions << 3);
  let e = index;
  for (let row: u32 = 0; row < n; row++, e += ROW_ENTRY_BYTES) {
    let count = load<u32>(e, ROW_ENTRY_BYTES + 4) - load<u32>(e, 4);
    if (count == 0) continue;
    let column = out + (<usize>(load<i32>(e, 8) - 1) << 2);
    let xr = x + (<usize>row << 2);
    for (; count > 0; count--) {
      if (next == decodedEnd) {
        let chunk = min(left, WALK_CHUNK);
        left -= chunk;
        riceGaps(gaps, chunk, k, end);
        next = gaps;
        decodedEnd = gaps + (<usize>chunk << 2);
      }
      column += (<usize>load<u32>(next) + 1) << 2;
      next += 4;
      let w = load<f32>(table + (<usize>codeAt(data, codeBit, mask) << 2));
      codeBit += bits;
      let o = column, xb = xr;
      for (let b: u32 = 0; b < batch; b++, o += outBytes, xb += inBytes) store<f32>(o, load<f32>(o) + load<f32>(xb) * w);
    }
  }
}

/** Batch 1, bitmap form: row by row, nonzeros found with ctz, rows whose input is 0 skipped by popcount. */
export function denseFromBitmap(t: Tensor, x: usize, out: usize, n: u32, m: u32): void {
  let bitmap = t.positions;
  let data = t.data, table = t.table, bits = t.bits, mask: u32 = (1 << bits) - 1;
  let codeBit: u32 = 0;
  let bitPos: u32 = 0;
  for (let row: u32 = 0; row < n; row++) {
    let xr = load<f32>(x + (<usize>row << 2));
    if (xr == 0) {
      let ones: u32 = 0;
      for (let done: u32 = 0; done < m; done += 56) {
        let take = min(m - done, 56);
        let at = bitPos + done;
        ones += <u32>popcnt((load<u64>(bitmap + <usize>(at >>> 3)) >> (at & 7)) & ((<u64>1 << take) - 1));
      }
      codeBit += ones * bits;
      bitPos += m;
      continue;
    }
    for (let done: u32 = 0; done < m; done += 56) {
      let take = min(m - done, 56);
      let at = bitPos + done;
      let word = (load<u64>(bitmap + <usize>(at >>> 3)) >> (at & 7)) & ((<u64>1 << take) - 1);
      while (word != 0) {
        let o = out + (<usize>(done + <u32>ctz(word)) << 2);
        word &= word - 1;
        let w = load<f32>(table + (<usize>codeAt(data, codeBit, mask) << 2));
        codeBit += bits;
        store<f32>(o, load<f32>(o) + xr * w);
      }
    }
    bitPos += m;
  }
}
