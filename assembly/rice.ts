// Rice(k) gap decoding (formats/README.md): each gap is q = gap >> k zero bits, a one bit, then the k low bits,
// LSB first. The runtime's one Rice decoder: tensor.ts validates every stream with it at load, one gap at a time;
// the chunk walker (walk.ts) and the compressed dense kernel at batch > 1 (kernels/dense_sparse.ts) read the
// validated streams with it a chunk of gaps at a time, and that kernel at batch 1 row by row, applying each gap as
// it is decoded.
//
// Between calls the decoder's state is one bit address (byte address · 8 + bit index): where the next gap's code
// starts. A call seeks there, loading 8 bytes into a 64-bit buffer of undecoded bits (LSB first; 57 to 64 of them,
// the bits above them 0), and refills 32 bits whenever fewer than 32 are buffered, so every shift is < 64 and a gap
// whose code fits in the buffer costs one count-zeros and two shifts. A longer code goes to riceLongGap, and the
// loop seeks again after it: nothing but the bit address lives across that call, so V8 keeps the loop in registers.
// Loads read at most 8 bytes past the stream's end (the file block is followed by 16 bytes of padding); in a
// damaged stream the long-unary path stops at the end instead of reading on, and leaves the bit address past it.

import { codeAtBit } from './codes';

/** Bit address of the next undecoded gap. */
let riceAt: u64 = 0;

/** Starts decoding at bit address `at`: the gap whose code starts there comes next. */
export function riceSeek(at: u64): void {
  riceAt = at;
}

/** Bit address of the next undecoded bit (past the stream's end after a damaged stream ran out). */
export function riceBitAddress(): u64 {
  return riceAt;
}

/**
 * Decodes the next `count` Rice(k) gaps into `gaps` (u32 each). `end` is the byte after the stream. A gap that does
 * not fit a u32 (only in a damaged stream) is stored as 0xFFFFFFFF; a stream that ends inside a gap's unary part
 * stores 0xFFFFFFFF for it and leaves riceBitAddress() past the end.
 */
export function riceGaps(gaps: usize, count: u32, k: u64, end: usize): void {
  riceAt = riceLoop(false, riceAt, <u64>gaps, <u64>gaps + (<u64>count << 2), 4, k, end, 0, 0, 0, 0);
}

/**
 * The batch-1 compressed dense kernel's row (kernels/dense_sparse.ts): the gaps from bit address `at` are the row's
 * nonzeros, one per code from bit address `codeBit` to `codeEnd` (b bits each, read with `mask` = 2^b − 1); each
 * nonzero is one column after the previous plus its gap, starting from the column before `column`, and adds
 * x · table[code] there. The stream must be valid (checked at load).
 */
@inline export function riceAccumulateRow(
  at: u64, codeBit: u64, codeEnd: u64, bits: u64, mask: u32, k: u64, end: usize, column: usize, x: f32, table: usize,
): void {
  riceLoop(true, at, codeBit, codeEnd, bits, k, end, column, x, mask, table);
}

/**
 * The decoder loop, inlined into riceGaps (accumulate = false: each gap is stored at the cursor, a pointer into
 * `gaps`) and riceAccumulateRow (accumulate = true: each gap moves `column`, a pointer into an f32 row, and adds
 * x · table[code] there, the cursor being the code's bit address), so each compiles to its own tight loop. From bit
 * address `at`, the cursor moves by `step` up to `stop`; returns the bit address after the last gap. The inner loop
 * decodes the gaps whose code fits in the buffer and has no call.
 */
@inline function riceLoop(
  accumulate: bool, at: u64, cursor: u64, stop: u64, step: u64, k: u64, end: usize, column: usize, x: f32, mask: u32,
  table: usize,
): u64 {
  let lowMask: u64 = (<u64>1 << k) - 1;
  while (true) {
    let next = <usize>(at >> 3);
    let buffer = load<u64>(next) >> (at & 7);
    let avail: u64 = 64 - (at & 7);
    next += 8;
    for (; cursor < stop; cursor += step) {
      if (avail < 32) {
        buffer |= <u64>load<u32>(next) << avail;
        next += 4;
        avail += 32;
      }
      let zeros = <u64>ctz(buffer); // 64 when the buffer is empty
      let used = zeros + 1 + k;
      if (used >= avail) break; // the code reaches the buffer's end (so every shift here stays < 64)
      let gap = <u32>((zeros << k) | ((buffer >> (zeros + 1)) & lowMask));
      buffer >>= used;
      avail -= used;
      column = takeGap(accumulate, cursor, gap, column, x, mask, table);
    }
    at = (<u64>next << 3) - avail;
    if (cursor >= stop) return at;
    let gap = riceLongGap(at, k, end);
    at = riceAt;
    column = takeGap(accumulate, cursor, gap, column, x, mask, table);
    cursor += step;
  }
}

/**
 * What riceLoop does with a gap: stores it at address `cursor` (decode), or applies it with the code at bit address
 * `cursor` (accumulate; returns the new column).
 */
@inline function takeGap(accumulate: bool, cursor: u64, gap: u32, column: usize, x: f32, mask: u32, table: usize): usize {
  if (!accumulate) {
    store<u32>(<usize>cursor, gap);
    return column;
  }
  column += (<usize>gap + 1) << 2;
  let code = codeAtBit(cursor, mask);
  store<f32>(column, load<f32>(column) + x * load<f32>(table + (<usize>code << 2)));
  return column;
}

/**
 * The gap whose code starts at bit address `at` when it may not fit in one buffer: counts whole words of zeros,
 * then finishes the gap with a refilled buffer; leaves the bit address after it in riceAt. Saturates at 0xFFFFFFFF;
 * a damaged stream with no one bit before `end` gives 0xFFFFFFFF and leaves riceAt past the end.
 */
function riceLongGap(at: u64, k: u64, end: usize): u32 {
  let next = <usize>(at >> 3);
  let buffer = load<u64>(next) >> (at & 7);
  let avail: u64 = 64 - (at & 7);
  next += 8;
  let quotient: u64 = 0;
  while (buffer == 0) {
    quotient += avail;
    if (next >= end) { // every bit up to `next` was a zero: a damaged stream, with no one bit before its end
      riceAt = <u64>(end + 8) << 3;
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
  riceAt = (<u64>next << 3) - avail + k;
  return quotient >= <u64>(0xFFFF_FFFF >> <u32>k) ? 0xFFFF_FFFF : <u32>((quotient << k) | (buffer & ((<u64>1 << k) - 1)));
}
