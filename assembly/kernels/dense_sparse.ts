// The compressed path of OP_DENSE for the sparse forms, decoding positions in the kernel itself:
// out[b, o] += x[b, i] · w for each stored nonzero (i, o) of the flat [N, M] weight (rows i are inputs).
//   Rice, batch 1: row by row with the row index built at load (12 bytes per row: where the row's gaps start in
//         the stream, its first code, its first column's base). A row whose input is 0 is skipped whole, which
//         after a ReLU (or on image borders) is often half the rows or more; within a row there are no row checks.
//   Rice, batch > 1: 256 gaps at a time into the chunk buffer, then (row, column) advance from the previous
//         nonzero, with a division only when a gap skips more than one row.
//   Bitmap: row by row, 56 bitmap bits at a time, nonzeros found with ctz; at batch 1 a row whose input is 0 is
//         skipped whole (popcount advances the code cursor).
// Codes: code j is bits [j·b, j·b + b) of the data, read with one unaligned 4-byte load.

import { ENC_SPARSE_RICE } from '../../formats/constants';
import { allocBytes, blockBytes } from '../heap';
import { Op, Tensor } from '../model';
import { riceBegin, riceGaps } from '../rice';
import { WALK_CHUNK, chunkPositions } from '../walk';

/** Row index entry: u32 bit offset of the row's first gap, u32 codes before the row, i32 column base. */
const ROW_ENTRY_BYTES: usize = 12;
/** Bit offsets are u32: streams of 2^29 bytes or more get no index (batch 1 then streams like batch > 1). */
const ROW_INDEX_MAX_STREAM_BYTES: u32 = 1 << 29;

/**
 * Builds the row index of a validated Rice tensor [n, m] at load: entry r (r ≤ n) holds the bit offset of the
 * first gap whose position is in row r or later, the number of codes before it, and (position after the previous
 * nonzero) − r·m, so the row's first column is that base plus its first gap. Returns 0 on ERR_MEMORY.
 */
function buildRowIndex(t: Tensor, n: u32, m: u32): usize {
  let index = allocBytes(<u64>(n + 1) * ROW_ENTRY_BYTES);
  if (index == 0) return 0;
  let k = <u64>t.riceK;
  let lowMask: u64 = (<u64>1 << k) - 1;
  let streamBits = <u64>t.positions << 3;
  let at = streamBits;
  let next: u32 = 0, row: u32 = 0, rowStart: u32 = 0;
  let e = index;
  for (let j: u32 = 0; j < t.nnz; j++) {
    let position = next + gapAt(at, k, lowMask);
    while (rowStart <= position) { // rows that start at or before this nonzero begin here
      store<u32>(e, <u32>(at - streamBits));
      store<u32>(e, j, 4);
      store<i32>(e, <i32>(next - rowStart), 8);
      e += ROW_ENTRY_BYTES;
      row++;
      rowStart += m;
    }
    at = slowGapEnd;
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
  if (t.encoding != ENC_SPARSE_RICE || t.positionsLength >= ROW_INDEX_MAX_STREAM_BYTES) return 0;
  return blockBytes(<u64>(n + 1) * ROW_ENTRY_BYTES);
}

/** Load-time preparation of the compressed path of `op` (weight [n, m]): the row index for Rice. */
export function prepareDenseSparse(op: Op, t: Tensor, n: u32, m: u32): bool {
  op.kernelBuffer = 0;
  if (denseSparseBytes(t, n) == 0) return true;
  op.kernelBuffer = buildRowIndex(t, n, m);
  return op.kernelBuffer != 0;
}

@inline function codeAt(data: usize, bit: u32, mask: u32): u32 {
  return (load<u32>(data + <usize>(bit >>> 3)) >>> (bit & 7)) & mask;
}

/** out[b, col] += x[b, row] · w for every sample. */
@inline function addToColumn(out: usize, x: usize, row: u32, col: u32, w: f32, batch: u32, n: u32, m: u32): void {
  let o = out + (<usize>col << 2);
  let xi = x + (<usize>row << 2);
  if (batch == 1) {
    store<f32>(o, load<f32>(o) + load<f32>(xi) * w);
    return;
  }
  for (let b: u32 = 0; b < batch; b++) {
    store<f32>(o, load<f32>(o) + load<f32>(xi) * w);
    o += <usize>m << 2;
    xi += <usize>n << 2;
  }
}

/** Bit address just past the gap slowGapAt decoded. */
let slowGapEnd: u64 = 0;

/**
 * The Rice(k) gap whose code starts at absolute bit address `at` (byte address · 8 + bit) when it may not fit in
 * one 8-byte load (a long unary part): returns it and sets slowGapEnd. Rare, so kept out of the hot loops.
 */
function slowGapAt(at: u64, k: u64): u32 {
  let quotient: u64 = 0;
  let word = (load<u64>(<usize>(at >> 3)) >> (at & 7)) & 0xFF_FFFF_FFFF_FFFF; // 56 bits
  while (word == 0) {
    quotient += 56;
    at += 56;
    word = (load<u64>(<usize>(at >> 3)) >> (at & 7)) & 0xFF_FFFF_FFFF_FFFF;
  }
  let zeros = <u64>ctz(word);
  at += zeros + 1;
  slowGapEnd = at + k;
  return <u32>(((quotient + zeros) << k) | ((load<u64>(<usize>(at >> 3)) >> (at & 7)) & ((<u64>1 << k) - 1)));
}

/**
 * Decodes the gap whose code starts at bit address `at` from one unaligned 8-byte load (≥ 57 valid bits), or with
 * slowGapAt when the code may be longer; sets slowGapEnd past it either way.
 */
@inline function gapAt(at: u64, k: u64, lowMask: u64): u32 {
  let word = load<u64>(<usize>(at >> 3)) >> (at & 7);
  let zeros = <u64>ctz(word);
  if (zeros + k >= 56) return slowGapAt(at, k);
  slowGapEnd = at + zeros + 1 + k;
  return <u32>((zeros << k) | ((word >> (zeros + 1)) & lowMask));
}

/**
 * Batch 1 with the row index: rows whose input is 0 are skipped. Each row's gaps are decoded from a 64-bit buffer
 * seeded at the row's bit offset (one unaligned 8-byte load) and refilled 32 bits at a time, so the dependency
 * chain from one gap to the next is only count-zeros → shift; each gap is applied as soon as it is decoded.
 */
function denseFromRiceRows(t: Tensor, index: usize, x: usize, out: usize, n: u32): void {
  let k = <u64>t.riceK;
  let lowMask: u64 = (<u64>1 << k) - 1;
  let streamBits = <u64>t.positions << 3, dataBits = <u64>t.data << 3;
  let table = t.table, bits = <u64>t.bits, mask: u32 = (1 << t.bits) - 1;
  let e = index;
  for (let row: u32 = 0; row < n; row++, e += ROW_ENTRY_BYTES) {
    let xr = load<f32>(x + (<usize>row << 2));
    let codeEnd = dataBits + <u64>load<u32>(e, ROW_ENTRY_BYTES + 4) * bits;
    let codeBit = dataBits + <u64>load<u32>(e, 4) * bits;
    if (xr == 0 || codeBit == codeEnd) continue;
    let at = streamBits + <u64>load<u32>(e);
    let o = out + (<usize>(load<i32>(e, 8) - 1) << 2);
    while (true) {
      // Seed the buffer at bit address `at`: 57 to 64 valid bits, the next byte to load after them.
      let next = <usize>(at >> 3) + 8;
      let buffer = load<u64>(next - 8) >> (at & 7);
      let avail: u64 = 64 - (at & 7);
      // No call inside this loop: V8 then keeps its values in registers instead of spilling them around a call.
      for (; codeBit < codeEnd; codeBit += bits) {
        if (avail < 32) {
          buffer |= <u64>load<u32>(next) << avail;
          next += 4;
          avail += 32;
        }
        let zeros = <u64>ctz(buffer); // 64 when the buffer is empty
        let used = zeros + 1 + k;
        if (used > avail) break; // the code goes beyond the buffer: slowGapAt below
        o += (<usize>((zeros << k) | ((buffer >> (zeros + 1)) & lowMask)) + 1) << 2;
        buffer >>= used;
        avail -= used;
        let code = (load<u32>(<usize>(codeBit >> 3)) >>> <u32>(codeBit & 7)) & mask;
        store<f32>(o, load<f32>(o) + xr * load<f32>(table + (<usize>code << 2)));
      }
      if (codeBit >= codeEnd) break;
      o += (<usize>slowGapAt((<u64>next << 3) - avail, k) + 1) << 2;
      at = slowGapEnd;
      let code = (load<u32>(<usize>(codeBit >> 3)) >>> <u32>(codeBit & 7)) & mask;
      store<f32>(o, load<f32>(o) + xr * load<f32>(table + (<usize>code << 2)));
      codeBit += bits;
    }
  }
}

export function denseFromRice(op: Op, t: Tensor, x: usize, out: usize, batch: u32, n: u32, m: u32): void {
  if (batch == 1 && op.kernelBuffer != 0) {
    denseFromRiceRows(t, op.kernelBuffer, x, out, n);
    return;
  }
  riceBegin(t.positions);
  let k = <u64>t.riceK;
  let data = t.data, table = t.table, bits = t.bits, mask: u32 = (1 << bits) - 1;
  let gaps = chunkPositions;
  let codeBit: u32 = 0;
  let row: u32 = 0, col: u32 = 0; // col: column of the next candidate position in row `row`
  for (let left = t.nnz; left > 0;) {
    let count = min(left, WALK_CHUNK);
    left -= count;
    riceGaps(gaps, count, k);
    for (let j: u32 = 0; j < count; j++) {
      col += load<u32>(gaps + (<usize>j << 2));
      if (col >= m) {
        let rows = col < m << 1 ? 1 : col / m;
        row += rows;
        col -= rows * m;
      }
      let w = load<f32>(table + (<usize>codeAt(data, codeBit, mask) << 2));
      codeBit += bits;
      addToColumn(out, x, row, col, w, batch, n, m);
      col++;
    }
  }
}

export function denseFromBitmap(t: Tensor, x: usize, out: usize, batch: u32, n: u32, m: u32): void {
  let bitmap = t.positions;
  let data = t.data, table = t.table, bits = t.bits, mask: u32 = (1 << bits) - 1;
  let codeBit: u32 = 0;
  let bitPos: u32 = 0;
  for (let row: u32 = 0; row < n; row++) {
    if (batch == 1 && load<f32>(x + (<usize>row << 2)) == 0) {
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
        let col = done + <u32>ctz(word);
        word &= word - 1;
        let w = load<f32>(table + (<usize>codeAt(data, codeBit, mask) << 2));
        codeBit += bits;
        addToColumn(out, x, row, col, w, batch, n, m);
      }
    }
    bitPos += m;
  }
}
