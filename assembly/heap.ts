// The heap: one bump allocator over linear memory, with marks instead of frees.
//
//   __heap_base ─► [ file bytes (from alloc) | pad ] [ model tables, decoded weights, ... ] [ arena ] [ test-hook buffers ]
//                  ^ heapBase                  ^ fileTop                                  ^ arenaStart
//
// `alloc` resets the heap to its base (dropping any model), `load` resets it to the end of the file block, and
// `plan` resets it to the start of the arena, so repeated loads and plans into one instance reuse memory.
// Nothing is ever freed otherwise. Every block is 16-byte aligned (v128 loads and f32 stores never straddle).

import { ERR_MEMORY } from '../formats/constants';
import { E_GROW, fail } from './errors';

export const heapBase: usize = (__heap_base + 15) & ~<usize>15;
export let heapTop: usize = heapBase;

/** Moves the top of the heap back to `mark` (a value heapTop had earlier). */
export function resetHeap(mark: usize): void {
  heapTop = mark;
}

/**
 * Reserves `bytes` bytes at the top of the heap, growing memory as needed. Returns 0 and records ERR_MEMORY when
 * memory cannot grow (the heap is unchanged then). The block is not cleared: use allocZeroed for that.
 */
export function allocBytes(bytes: u64): usize {
  let end: u64 = <u64>heapTop + ((bytes + 15) & ~<u64>15);
  if (end > 0xFFFF_0000) {
    fail(ERR_MEMORY, E_GROW, -1);
    return 0;
  }
  let pagesNeeded = <i32>((end + 0xFFFF) >> 16);
  let pagesHave = memory.size();
  if (pagesNeeded > pagesHave && memory.grow(pagesNeeded - pagesHave) < 0) {
    fail(ERR_MEMORY, E_GROW, -1);
    return 0;
  }
  let ptr = heapTop;
  heapTop = <usize>end;
  return ptr;
}

/** allocBytes, then fills the block with zeros (memory is reused between loads, so it may hold old data). */
export function allocZeroed(bytes: u64): usize {
  let ptr = allocBytes(bytes);
  if (ptr != 0) memory.fill(ptr, 0, <usize>bytes);
  return ptr;
}
