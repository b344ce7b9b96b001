// Walks the stored values of a validated tensor in flat position order, a chunk at a time: positions (u32) and
// f32 values go to small buffers the caller owns, so kernels loop over plain arrays and the bit-level decoding
// lives here once (codes: codes.ts; Rice gaps: rice.ts). Codes are looked up in the tensor's f32 table. Dense forms
// (ENC_CODEBOOK, ENC_F16) skip values whose bits are +0. ENC_F32 is never walked: kernels use its bytes in place
// and decode copies them.
//
// walkMatrix begins a walk that also splits each position p of a [rows, columns] matrix into its row and column,
// advanced from the previous position by carries (a division only when a gap skips two rows or more): the one
// place the compressed kernels turn flat positions into coordinates.
//
// Reads use 4- and 8-byte loads that may look up to 8 bytes past a field; load keeps 16 bytes of padding after
// the file, and only bits that belong to the field are ever used.

import { ENC_CODEBOOK, ENC_F16, ENC_F32, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE } from '../formats/constants';
import { codeAt } from './codes';
import { f16ToF32 } from './f16';
import { encodingBuilt } from './features';
import { allocBytes } from './heap';
import { Tensor } from './model';
import { riceGaps, riceSeek } from './rice';

/** Entries per chunk; the chunk buffers hold this many u32 positions (columns), u32 rows and f32 values. */
export const WALK_CHUNK: u32 = 256;

/** The chunk buffers (allocated once per load, 3 KB in all). */
export let chunkPositions: usize = 0;
export let chunkValues: usize = 0;
export let chunkRows: usize = 0;

/** Position of entry `j` of the current chunk (its column, in a walkMatrix walk). */
@inline export function chunkPosition(j: u32): u32 {
  return load<u32>(chunkPositions + (<usize>j << 2));
}

/** Row of entry `j` of the current chunk of a walkMatrix walk. */
@inline export function chunkRow(j: u32): u32 {
  return load<u32>(chunkRows + (<usize>j << 2));
}

/** Value of entry `j` of the current chunk. */
@inline export function chunkValue(j: u32): f32 {
  return load<f32>(chunkValues + (<usize>j << 2));
}

/** Heap bytes of the chunk buffers. */
export const CHUNK_BYTES: u64 = <u64>WALK_CHUNK * 12;

export function allocateChunkBuffers(): bool {
  chunkPositions = allocBytes(CHUNK_BYTES);
  chunkValues = chunkPositions + (<usize>WALK_CHUNK << 2);
  chunkRows = chunkValues + (<usize>WALK_CHUNK << 2);
  return chunkPositions != 0;
}

let walkEncoding: u32 = 0;
let walkLeft: u32 = 0;
let walkTable: usize = 0;
let walkData: usize = 0;
let walkBits: u32 = 0;
/** Bit position of the next code (< 2^31: at most 2^28 codes of 8 bits). */
let walkCodeBit: u32 = 0;
/** Dense forms: next flat position. Rice: the position after the previous one. */
let walkNext: u32 = 0;
/** Bitmap: the current 64-bit word (bits already taken cleared), its address and the position of its bit 0. */
let walkStream: usize = 0;
let walkWord: u64 = 0;
let walkWordBase: u32 = 0;
let walkRiceK: u32 = 0;
let walkStreamEnd: usize = 0;
/** walkMatrix: the width, and the row and first position of the row of the previous entry. */
let splitColumns: u32 = 0;
let splitRow: u32 = 0;
let splitRowStart: u32 = 0;

/** Starts a walk over tensor `t` (any encoding but ENC_F32). */
export function walkBegin(t: Tensor): void {
  walkEncoding = t.encoding;
  walkLeft = t.encoding == ENC_CODEBOOK || t.encoding == ENC_F16 ? t.n : t.nnz;
  walkTable = t.table;
  walkData = t.data;
  walkBits = t.bits;
  walkCodeBit = 0;
  walkNext = 0;
  walkStream = t.positions;
  walkWordBase = 0;
  walkWord = t.encoding == ENC_SPARSE_BITMAP && walkLeft > 0 ? load<u64>(walkStream) : 0;
  walkRiceK = t.riceK;
  walkStreamEnd = t.positions + t.positionsLength;
  if (encodingBuilt(ENC_SPARSE_RICE) && t.encoding == ENC_SPARSE_RICE) riceSeek(<u64>t.positions << 3);
  splitColumns = 0;
}

/** Starts a walk over tensor `t` seen as a [rows, columns] matrix: walkChunk also fills each entry's row and column. */
export function walkMatrix(t: Tensor, columns: u32): void {
  walkBegin(t);
  splitColumns = columns;
  splitRow = 0;
  splitRowStart = 0;
}

/**
 * Writes up to WALK_CHUNK (position, value) pairs to the chunk buffers; returns how many (0 when done). In a
 * walkMatrix walk each position then becomes its column, and its row goes to chunkRows.
 */
export function walkChunk(): u32 {
  let count = walkValues();
  if (splitColumns != 0) splitPositions(count);
  return count;
}

/** Splits the chunk's positions into (row, column) by carries from the previous entry. */
function splitPositions(count: u32): void {
  let columns = splitColumns, row = splitRow, rowStart = splitRowStart;
  for (let j: u32 = 0; j < count; j++) {
    let at = <usize>j << 2;
    let column = load<u32>(chunkPositions + at) - rowStart;
    if (column >= columns) {
      let rows = column < columns << 1 ? 1 : column / columns;
      row += rows;
      rowStart += rows * columns;
      column -= rows * columns;
    }
    store<u32>(chunkPositions + at, column);
    store<u32>(chunkRows + at, row);
  }
  splitRow = row;
  splitRowStart = rowStart;
}

function walkValues(): u32 {
  let positionsOut = chunkPositions;
  let valuesOut = chunkValues;
  let count: u32 = 0;
  let left = walkLeft;
  if (left == 0) return 0;
  let encoding = walkEncoding;
  let data = walkData;
  let next = walkNext;
  if (encodingBuilt(ENC_F16) && encoding == ENC_F16) {
    while (count < WALK_CHUNK && left > 0) {
      let half = <u32>load<u16>(data + (<usize>next << 1));
      if ((half & 0xFFFF) != 0) {
        store<u32>(positionsOut + (<usize>count << 2), next);
        store<f32>(valuesOut + (<usize>count << 2), f16ToF32(half));
        count++;
      }
      next++;
      left--;
    }
    walkNext = next;
    walkLeft = left;
    return count;
  }
  let table = walkTable;
  let bits = walkBits;
  let mask: u32 = (1 << bits) - 1;
  let codeBit = walkCodeBit;
  if (encodingBuilt(ENC_CODEBOOK) && encoding == ENC_CODEBOOK) {
    while (count < WALK_CHUNK && left > 0) {
      let code = codeAt(data, codeBit, mask);
      codeBit += bits;
      let value = load<f32>(table + (<usize>code << 2));
      if (reinterpret<u32>(value) != 0) {
        store<u32>(positionsOut + (<usize>count << 2), next);
        store<f32>(valuesOut + (<usize>count << 2), value);
        count++;
      }
      next++;
      left--;
    }
    walkNext = next;
  } else if (encodingBuilt(ENC_SPARSE_BITMAP) && encoding == ENC_SPARSE_BITMAP) {
    let word = walkWord;
    let base = walkWordBase;
    let stream = walkStream;
    while (count < WALK_CHUNK && left > 0) {
      while (word == 0) {
        stream += 8;
        base += 64;
        word = load<u64>(stream);
      }
      let position = base + <u32>ctz(word);
      word &= word - 1;
      let code = codeAt(data, codeBit, mask);
      codeBit += bits;
      store<u32>(positionsOut + (<usize>count << 2), position);
      store<f32>(valuesOut + (<usize>count << 2), load<f32>(table + (<usize>code << 2)));
      count++;
      left--;
    }
    walkWord = word;
    walkWordBase = base;
    walkStream = stream;
  } else if (encodingBuilt(ENC_SPARSE_RICE) && encoding == ENC_SPARSE_RICE) {
    // A chunk of gaps, then positions (previous + 1 + gap) and codes.
    count = min(left, WALK_CHUNK);
    riceGaps(positionsOut, count, <u64>walkRiceK, walkStreamEnd);
    for (let j: u32 = 0; j < count; j++) {
      let at = <usize>j << 2;
      let position = next + load<u32>(positionsOut + at);
      next = position + 1;
      store<u32>(positionsOut + at, position);
      let code = codeAt(data, codeBit, mask);
      codeBit += bits;
      store<f32>(valuesOut + at, load<f32>(table + (<usize>code << 2)));
    }
    left -= count;
    walkNext = next;
  }
  walkCodeBit = codeBit;
  walkLeft = left;
  return count;
}

/** Writes the n dense f32 values of validated tensor `t` to `dst`, bit-exact with formats' decodeTensor. */
export function decodeInto(t: Tensor, dst: usize): void {
  let n = <usize>t.n;
  if (encodingBuilt(ENC_F32) && t.encoding == ENC_F32) {
    memory.copy(dst, t.data, n << 2);
    return;
  }
  if (encodingBuilt(ENC_F16) && t.encoding == ENC_F16) {
    for (let i: usize = 0; i < n; i++) store<f32>(dst + (i << 2), f16ToF32(load<u16>(t.data + (i << 1))));
    return;
  }
  memory.fill(dst, 0, n << 2);
  walkBegin(t);
  while (true) {
    let count = walkChunk();
    if (count == 0) break;
    for (let j: u32 = 0; j < count; j++) {
      store<f32>(dst + (<usize>chunkPosition(j) << 2), chunkValue(j));
    }
  }
}
