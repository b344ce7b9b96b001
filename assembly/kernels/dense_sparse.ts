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
import { allocBytes } from '../heap';
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
  let k = t.riceK;
  let gaps = chunkPositions;
  let bit: u32 = 0, next: u32 = 0, row: u32 = 0, rowStart: u32 = 0;
  let e = index;
  riceBegin(t.positions);
  for (let done: u32 = 0; done < t.nnz;) {
    let count = min(t.nnz - done, WALK_CHUNK);
    riceGaps(gaps, count, <u64>k);
    for (let j: u32 = 0; j < count; j++) {
      let gap = load<u32>(gaps + (<usize>j << 2));
      let position = next + gap;
      while (rowStart <= position) { // rows that start at or before this nonzero begin here
        store<u32>(e, bit);
        store<u32>(e, done + j, 4);
        store<i32>(e, <i32>(next - rowStart), 8);
        e += ROW_ENTRY_BYTES;
        row++;
        rowStart += m;
      }
      bit += (gap >>> k) + 1 + k;
      next = position + 1;
    }
    done += count;
  }
  for (; row <= n; row++) {
    store<u32>(e, bit);
    store<u32>(e, t.nnz, 4);
    store<i32>(e, <i32>(next - rowStart), 8);
    e += ROW_ENTRY_BYTES;
    rowStart += m;
  }
  return index;
}

/** Load-time preparation of the compressed path of `op` (weight [n, m]): the row index for Rice. */
export function prepareDenseSparse(op: Op, t: Tensor, n: u32, m: u32): bool {
  op.rowIndex = 0;
  if (t.encoding != ENC_SPARSE_RICE || t.positionsLength >= ROW_INDEX_MAX_STREAM_BYTES) return true;
  op.rowIndex = buildRowIndex(t, n, m);
  return op.rowIndex != 0;
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

/** Bit offset just past the gap slowGapAt decoded. */
let slowGapEnd: u32 = 0;

/**
 * The Rice(k) gap at bit `bit` of `stream` when its code may not fit in one 8-byte load (a long unary part):
 * returns it and sets slowGapEnd. Rare, so kept out of the hot loop.
 */
function slowGapAt(stream: usize, bit: u32, k: u32): u32 {
  let quotient: u32 = 0;
  let word = (load<u64>(stream + <usize>(bit >>> 3)) >> <u64>(bit & 7)) & 0xFF_FFFF_FFFF_FFFF; // 56 bits
  while (word == 0) {
    quotient += 56;
    bit += 56;
    word = (load<u64>(stream + <usize>(bit >>> 3)) >> <u64>(bit & 7)) & 0xFF_FFFF_FFFF_FFFF;
  }
  let zeros = <u32>ctz(word);
  quotient += zeros;
  bit += zeros + 1;
  let low = <u32>(load<u64>(stream + <usize>(bit >>> 3)) >> <u64>(bit & 7)) & ((1 << k) - 1); // k ≤ 24
  slowGapEnd = bit + k;
  return (quotient << k) | low;
}

/**
 * Batch 1 with the row index: rows whose input is 0 are skipped. Each gap is decoded from one unaligned 8-byte
 * load at its bit offset (no decoder state to carry or re-seek, few live values), then applied at once.
 */
function denseFromRiceRows(t: Tensor, index: usize, x: usize, out: usize, n: u32): void {
  let k = t.riceK, k64 = <u64>k;
  let lowMask: u64 = (<u64>1 << k64) - 1;
  let stream = t.positions, data = t.data, table = t.table, bits = t.bits, mask: u32 = (1 << bits) - 1;
  let e = index;
  for (let row: u32 = 0; row < n; row++, e += ROW_ENTRY_BYTES) {
    let xr = load<f32>(x + (<usize>row << 2));
    let first = load<u32>(e, 4);
    let count = load<u32>(e, ROW_ENTRY_BYTES + 4) - first;
    if (xr == 0 || count == 0) continue;
    let bit = load<u32>(e);
    let col = load<i32>(e, 8) - 1;
    let codeBit = first * bits;
    for (let j: u32 = 0; j < count; j++) {
      let word = load<u64>(stream + <usize>(bit >>> 3)) >> <u64>(bit & 7); // ≥ 57 valid bits
      let zeros = <u64>ctz(word);
      let gap: u32;
      if (zeros + k64 < 56) {
        gap = <u32>((zeros << k64) | ((word >> (zeros + 1)) & lowMask));
        bit += <u32>zeros + 1 + k;
      } else {
        gap = slowGapAt(stream, bit, k);
        bit = slowGapEnd;
      }
      col += <i32>gap + 1;
      let o = out + (<usize>col << 2);
      store<f32>(o, load<f32>(o) + xr * load<f32>(table + (<usize>codeAt(data, codeBit, mask) << 2)));
      codeBit += bits;
    }
  }
}

export function denseFromRice(op: Op, t: Tensor, x: usize, out: usize, batch: u32, n: u32, m: u32): void {
  if (batch == 1 && op.rowIndex != 0) {
    denseFromRiceRows(t, op.rowIndex, x, out, n);
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
