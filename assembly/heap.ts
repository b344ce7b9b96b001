// The heap: one bump allocator over linear memory, with marks instead of frees.
//
//   __heap_base ─► [ file bytes (from alloc) | pad ] [ model tables, decoded weights, ... ] [ arena ] [ test-hook buffers ]
//                  ^ heapBase                  ^ fileMark (index.ts)                      ^ arenaStart (planner.ts)
//
// `alloc` resets the heap to its base (dropping any model), `load` resets it to the end of the file block, and
// `plan` resets it to the start of the arena, so repeated loads and plans into one instance reuse memory.
// Nothing is ever freed otherwise. Every block is 16-byte aligned (v128 loads and f32 stores never straddle).
//
// Memory limit: the host may cap the heap top (setMemoryLimit), in whole 64 KiB pages, so linear memory never grows
// past the cap. Every entry point that allocates first computes the heap top it will reach (its "need") from
// declared sizes and refuses with E_MEMORY_LIMIT before allocating anything (checkNeed). allocBytes enforces the cap
// too, as a last resort that a correct pre-check never reaches: it then reports E_GROW, as if memory could not grow.

import { ERR_MEMORY, ERR_NONE } from '../formats/constants';
import { E_GROW, E_MEMORY_LIMIT, fail, needsLimit } from './errors';

export const heapBase: usize = (__heap_base + 15) & ~<usize>15;
export let heapTop: usize = heapBase;

/** The highest heap top a wasm32 memory holds (65535 pages): the limit when the host sets none. */
export const ADDRESS_SPACE_TOP: u64 = 0xFFFF_0000;
/** The cap on the heap top in bytes, a whole number of 64 KiB pages. */
export let memoryLimit: u64 = ADDRESS_SPACE_TOP;
/** The heap top the last pre-check computed (what the call needs, or would have needed when refused). */
export let memoryNeed: u64 = 0;

/** Sets the cap on linear memory to `bytes` rounded down to whole pages; 0 = none (ADDRESS_SPACE_TOP). */
export function setMemoryLimitBytes(bytes: u32): void {
  memoryLimit = bytes == 0 ? ADDRESS_SPACE_TOP : <u64>(bytes & ~0xFFFF);
}

/** Bytes allocBytes takes for a block of `bytes`: rounded up to 16. */
@inline export function blockBytes(bytes: u64): u64 {
  return (bytes + 15) & ~<u64>15;
}

/** Records `need` (a heap top, in bytes) as a refusal: ERR_MEMORY, "memory limit exceeded: needs N bytes, limit is M bytes". */
export function refuseNeed(need: u64): i32 {
  memoryNeed = min(need, <u64>i64.MAX_VALUE);
  fail(ERR_MEMORY, E_MEMORY_LIMIT, -1);
  return needsLimit(memoryNeed, memoryLimit);
}

/** The pre-check: records `need` (the heap top a call will reach) and refuses it when it passes the limit. */
export function checkNeed(need: u64): i32 {
  if (need > memoryLimit) return refuseNeed(need);
  memoryNeed = need;
  return ERR_NONE;
}

/** Moves the top of the heap back to `mark` (a value heapTop had earlier). */
export function resetHeap(mark: usize): void {
  heapTop = mark;
}

/**
 * Reserves `bytes` bytes at the top of the heap, growing memory as needed. Returns 0 and records ERR_MEMORY when
 * memory cannot grow or the block would pass the limit (the heap is unchanged then). The block is not cleared: use
 * allocZeroed for that.
 */
export function allocBytes(bytes: u64): usize {
  let end: u64 = <u64>heapTop + blockBytes(bytes);
  let pagesNeeded = <i32>((end + 0xFFFF) >> 16);
  let pagesHave = memory.size();
  if (end > memoryLimit || (pagesNeeded > pagesHave && memory.grow(pagesNeeded - pagesHave) < 0)) {
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
