// Rice(k) gap decoding (formats/README.md): each gap is q = gap >> k zero bits, a one bit, then the k low bits,
// LSB first. The runtime's one Rice decoder: tensor.ts validates every stream with it at load, one gap at a time;
// the chunk walker (walk.ts) reads the validated streams with it a chunk of gaps at a time, and the batch-1
// compressed dense kernel (kernels/dense_sparse.ts) row by row, applying each gap as it is decoded.
//
// The state is a 64-bit buffer of undecoded bits (LSB first, fewer than 64), the count of bits in it, and the next
// byte to load. A seek loads 8 bytes and keeps 49 to 56 bits; a refill adds 32 bits whenever fewer than 32 are
// buffered, so every shift is < 64 and a gap whose code fits in the buffer costs one count-zeros and two shifts.
// Loads read at most 8 bytes past the stream's end (the file block is followed by 16 bytes of padding); in a
// damaged stream the long-unary path stops at the end instead of reading on, and leaves the bit address past it.

import { codeAt } from './codes';

let riceNext: usize = 0;
let riceBuffer: u64 = 0;
let riceAvail: u64 = 0;

/** Starts decoding at bit address `at` (byte address · 8 + bit index): the gap whose code starts there comes next. */
@inline export function riceSeek(at: u64): void {
  let byte = <usize>(at >> 3);
  let skip = at & 7;
  riceBuffer = (load<u64>(byte) & 0x00FF_FFFF_FFFF_FFFF) >> skip;
  riceAvail = 56 - skip;
  riceNext = byte + 7;
}

/** Bit address of the next undecoded bit (past the stream's end after a damaged stream ran out). */
export function riceBitAddress(): u64 {
  return (<u64>riceNext << 3) - riceAvail;
}

/**
 * Decodes the next `count` Rice(k) gaps into `gaps` (u32 each). `end` is the byte after the stream. A gap that does
 * not fit a u32 (only in a damaged stream) is stored as 0xFFFFFFFF; a stream that ends inside a gap's unary part
 * stores 0xFFFFFFFF for it and leaves riceBitAddress() past the end.
 */
export function riceGaps(gaps: usize, count: u32, k: u64, end: usize): void {
  riceLoop(false, 0, gaps, count, k, end, 0, 0, 0, 0, 0, 0);
}

/**
 * The batch-1 compressed dense kernel's row (kernels/dense_sparse.ts): the `count` gaps from bit address `at` are the
 * row's nonzeros, each one column after the previous plus its gap, starting from the column before `column`; each
 * adds x · table[code] there, codes read from `data` at code bit `codeBit` (b = `bits`). The stream must be valid
 * (checked at load).
 */
@inline export function riceAccumulateRow(
  at: u64, count: u32, k: u64, end: usize, column: usize, x: f32, data: usize, codeBit: u32, bits: u32, table: usize,
): void {
  riceLoop(true, at, 0, count, k, end, column, x, data, codeBit, bits, table);
}

/**
 * The decoder loop, inlined into riceGaps (accumulate = false: from the decoder's state, gap j goes to gaps[j]) and
 * riceAccumulateRow (accumulate = true: from bit address `at`, each gap moves `column`, a pointer into an f32 row,
 * and adds x · table[code] there), so each compiles to its own tight loop. The inner loop decodes the gaps whose
 * code fits in the buffer and has no call: V8 then keeps its values in registers. A longer code (a long unary part)
 * goes to riceLongGap.
 */
@inline function riceLoop(
  accumulate: bool, at: u64, gaps: usize, count: u32, k: u64, end: usize, column: usize, x: f32, data: usize,
  codeBit: u32, bits: u32, table: usize,
): void {
  let lowMask: u64 = (<u64>1 << k) - 1;
  let mask: u32 = (1 << bits) - 1;
  let next = riceNext, buffer = riceBuffer, avail = riceAvail;
  if (accumulate) { // seek to `at`, as riceSeek does
    next = <usize>(at >> 3);
    buffer = (load<u64>(next) & 0x00FF_FFFF_FFFF_FFFF) >> (at & 7);
    avail = 56 - (at & 7);
    next += 7;
  }
  let j: u32 = 0;
  while (true) {
    for (; j < count; j++) {
      if (avail < 32) {
        buffer |= <u64>load<u32>(next) << avail;
        next += 4;
        avail += 32;
      }
      let zeros = <u64>ctz(buffer); // 64 when the buffer is empty
      let used = zeros + 1 + k;
      if (used > avail) break; // the code goes past the buffer
      let gap = <u32>((zeros << k) | ((buffer >> (zeros + 1)) & lowMask));
      buffer >>= used;
      avail -= used;
      column = takeGap(accumulate, gaps, j, gap, column, x, data, codeBit, mask, table);
      codeBit += bits;
    }
    if (j == count) break;
    riceNext = next;
    riceBuffer = buffer;
    riceAvail = avail;
    let gap = riceLongGap(k, end);
    next = riceNext;
    buffer = riceBuffer;
    avail = riceAvail;
    column = takeGap(accumulate, gaps, j, gap, column, x, data, codeBit, mask, table);
    codeBit += bits;
    j++;
  }
  if (!accumulate) {
    riceNext = next;
    riceBuffer = buffer;
    riceAvail = avail;
  }
}

/** What riceLoop does with gap j; returns the new column pointer (accumulate mode). */
@inline function takeGap(
  accumulate: bool, gaps: usize, j: u32, gap: u32, column: usize, x: f32, data: usize, codeBit: u32, mask: u32,
  table: usize,
): usize {
  if (!accumulate) {
    store<u32>(gaps + (<usize>j << 2), gap);
    return column;
  }
  column += (<usize>gap + 1) << 2;
  let code = codeAt(data, codeBit, mask);
  store<f32>(column, load<f32>(column) + x * load<f32>(table + (<usize>code << 2)));
  return column;
}

/**
 * The next gap when its code does not fit in the buffer: counts whole buffers of zeros, then finishes the gap with a
 * refilled buffer. Saturates at 0xFFFFFFFF; a damaged stream with no one bit before `end` gives 0xFFFFFFFF and
 * leaves riceBitAddress() past the end (and every later gap then reads zeros: also past the end).
 */
function riceLongGap(k: u64, end: usize): u32 {
  let next = riceNext, buffer = riceBuffer, avail = riceAvail;
  let quotient: u64 = 0;
  while (buffer == 0) {
    quotient += avail;
    if (next >= end) { // every bit up to `next` was a zero: a damaged stream, with no one bit before its end
      riceNext = end + 8;
      riceBuffer = 0;
      riceAvail = 0;
      return 0xFFFF_FFFF;
    }
    buffer = <u64>load<u32>(next);
    next += 4;
    avail = 32;
  }
  let zeros = <u64>ctz(buffer);
  quotient += zeros;
  buffer >>= zeros + 1;
  avail -= zeros + 1;
  if (avail < 32) {
    buffer |= <u64>load<u32>(next) << avail;
    next += 4;
    avail += 32;
  }
  let gap = quotient >= <u64>(0xFFFF_FFFF >> <u32>k) ? 0xFFFF_FFFF : <u32>((quotient << k) | (buffer & ((<u64>1 << k) - 1)));
  riceNext = next;
  riceBuffer = buffer >> k;
  riceAvail = avail - k;
  return gap;
}
