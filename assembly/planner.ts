// Static memory plan for activation values and op scratch: one arena, offsets chosen once at load by liveness,
// greedy by size (the TensorFlow Lite Micro GreedyMemoryPlanner's method).
//
// The algorithm:
//   1. Each value written by an op or given as a model input is a buffer; a reshape without activation shares its
//      input's buffer (Value.alias), so the group is one buffer whose life spans all its members. Each op that
//      asked for scratch at prepare (Op.scratchFloats) adds a buffer live during that op only.
//   2. A value's buffer is live from the op that writes it (0 for model inputs) to the last op that reads it
//      (op count for model outputs, so they survive to the end of run), both ends included. An op's output and
//      its inputs are therefore live at the same time and never share memory.
//   3. Sizes are per sample, rounded up to 4 floats (16 bytes) so every buffer is v128-aligned.
//   4. Buffers are placed largest first (ties: earlier first, then lower index). Each goes at the lowest offset
//      where it overlaps no already placed buffer that is live at the same time: walk the placed buffers in
//      offset order, skipping those not live together with it, and stop at the first gap big enough.
//   5. The arena is the largest end offset. Offsets are in floats per sample, so a plan for batch B is the same
//      layout with every offset and size multiplied by B: `plan(B)` only resizes the arena.
//
// The planner works on a table of buffers (size, first, last, offset), plus the sort order and an offset-ordered
// linked list (24 bytes per value and op in all). Parse allocates them with the records (allocatePlanTable), so the
// memory pre-check counts them and planning allocates nothing; the overlap check reuses them.

import { ERR_NONE } from '../formats/constants';
import { errCode } from './errors';
import { ADDRESS_SPACE_TOP, allocBytes, blockBytes, heapTop, refuseNeed, resetHeap } from './heap';
import { PRODUCER_NONE, opAt, opCount, valueAt, valueCount } from './model';

/** Arena floats per sample of batch 1. */
export let arenaFloats: u32 = 0;
/** Start of the arena in memory and the batch it was sized for. */
export let arenaStart: usize = 0;
export let plannedBatch: u32 = 0;

// Buffer table entries: 16 bytes each; entry i < valueCount is value i, entry valueCount + k is op k's scratch.
const ENTRY_BYTES: usize = 16;
const SIZE: usize = 0, FIRST: usize = 4, LAST: usize = 8, OFFSET: usize = 12;
let table: usize = 0;
/** Placement order (u32 entry indices) and the offset-ordered list (i32 next entry, -1 ends it). */
let order: usize = 0;
let next: usize = 0;

/** Heap bytes of the planner's table for `count` values and ops. */
export function planTableBytes(count: u32): u64 {
  return blockBytes(<u64>count * ENTRY_BYTES) + (blockBytes(<u64>count << 2) << 1);
}

/** Allocates the planner's table for `count` values and ops (planTableBytes). False on ERR_MEMORY. */
export function allocatePlanTable(count: u32): bool {
  table = allocBytes(<u64>count * ENTRY_BYTES);
  order = allocBytes(<u64>count << 2);
  next = allocBytes(<u64>count << 2);
  return errCode == ERR_NONE;
}

@inline function entry(i: u32): usize {
  return table + <usize>i * ENTRY_BYTES;
}

@inline function sizeOf(i: u32): u32 {
  return load<u32>(entry(i), SIZE);
}

@inline function liveTogether(a: u32, b: u32): bool {
  return load<i32>(entry(a), FIRST) <= load<i32>(entry(b), LAST) &&
    load<i32>(entry(b), FIRST) <= load<i32>(entry(a), LAST);
}

/** Fills the buffer table from the records (size 0 = not a buffer), offsets from Value.offset / Op.scratchOffset. */
function buildTable(): u32 {
  let count = valueCount + opCount;
  for (let v: u32 = 0; v < valueCount; v++) {
    let value = valueAt(v);
    let isBuffer = value.producer != PRODUCER_NONE && value.alias == v;
    store<u32>(entry(v), isBuffer ? (value.size + 3) & ~3 : 0, SIZE);
    store<i32>(entry(v), max(value.producer, 0), FIRST);
    store<i32>(entry(v), value.lastUse, LAST);
    store<u32>(entry(v), value.offset, OFFSET);
  }
  // A group's life ends at the last use of any member.
  for (let v: u32 = 0; v < valueCount; v++) {
    let value = valueAt(v);
    if (value.producer == PRODUCER_NONE || value.alias == v) continue;
    let root = entry(value.alias);
    store<i32>(root, max(load<i32>(root, LAST), value.lastUse), LAST);
  }
  for (let k: u32 = 0; k < opCount; k++) {
    let op = opAt(k);
    let e = entry(valueCount + k);
    store<u32>(e, (op.scratchFloats + 3) & ~3, SIZE);
    store<i32>(e, <i32>k, FIRST);
    store<i32>(e, <i32>k, LAST);
    store<u32>(e, op.scratchOffset, OFFSET);
  }
  return count;
}

/** Comes `a` before `b` in placement order? Larger first, then earlier, then lower index. */
function placedBefore(a: u32, b: u32): bool {
  let sa = sizeOf(a), sb = sizeOf(b);
  if (sa != sb) return sa > sb;
  let fa = load<i32>(entry(a), FIRST), fb = load<i32>(entry(b), FIRST);
  if (fa != fb) return fa < fb;
  return a < b;
}

/** Plans every buffer: fills Value.offset (aliases too), Op.scratchOffset and arenaFloats. */
export function planBuffers(): i32 {
  let count = buildTable();
  // Step 4: insertion sort of the buffers into placement order.
  let buffers: u32 = 0;
  for (let i: u32 = 0; i < count; i++) {
    if (sizeOf(i) == 0) continue;
    let j = buffers;
    while (j > 0 && placedBefore(i, load<u32>(order + (<usize>(j - 1) << 2)))) {
      store<u32>(order + (<usize>j << 2), load<u32>(order + (<usize>(j - 1) << 2)));
      j--;
    }
    store<u32>(order + (<usize>j << 2), i);
    buffers++;
  }
  // Placed buffers form a list sorted by offset: `head`, then next[i]; -1 ends it.
  let head: i32 = -1;
  let total: u32 = 0;
  for (let n: u32 = 0; n < buffers; n++) {
    let i = load<u32>(order + (<usize>n << 2));
    let size = sizeOf(i);
    let candidate: u32 = 0;
    for (let at = head; at >= 0; at = load<i32>(next + (<usize>at << 2))) {
      if (!liveTogether(i, <u32>at)) continue;
      let offset = load<u32>(entry(<u32>at), OFFSET);
      if (offset >= candidate + size) break;
      candidate = max(candidate, offset + sizeOf(<u32>at));
    }
    // Offsets times 4 bytes must stay inside a wasm32 memory (this also keeps them far from u32 overflow).
    let arenaEnd = <u64>heapTop + ((<u64>candidate + size) << 2);
    if (arenaEnd > ADDRESS_SPACE_TOP) return refuseNeed(arenaEnd);
    store<u32>(entry(i), candidate, OFFSET);
    // Insert after the last placed buffer whose offset is ≤ candidate, keeping the list sorted.
    let previous: i32 = -1;
    let after = head;
    while (after >= 0 && load<u32>(entry(<u32>after), OFFSET) <= candidate) {
      previous = after;
      after = load<i32>(next + (<usize>after << 2));
    }
    store<i32>(next + (<usize>i << 2), after);
    if (previous < 0) head = <i32>i;
    else store<i32>(next + (<usize>previous << 2), <i32>i);
    total = max(total, candidate + size);
  }
  // Write the plan back; aliases take their group's offset.
  for (let v: u32 = 0; v < valueCount; v++) {
    let value = valueAt(v);
    if (value.producer != PRODUCER_NONE) value.offset = load<u32>(entry(value.alias), OFFSET);
  }
  for (let k: u32 = 0; k < opCount; k++) opAt(k).scratchOffset = load<u32>(entry(valueCount + k), OFFSET);
  arenaFloats = total;
  return ERR_NONE;
}

/** Arena bytes for `batch` samples (a multiple of 16: buffers are whole v128s). */
export function arenaBytesFor(batch: u32): u64 {
  return <u64>arenaFloats * batch << 2;
}

/** Allocates the arena for `batch` samples at the top of the heap (after resetting the heap to `mark`). */
export function sizeArena(mark: usize, batch: u32): i32 {
  resetHeap(mark);
  let start = allocBytes(arenaBytesFor(batch));
  if (start == 0) return errCode;
  arenaStart = start;
  plannedBatch = batch;
  return ERR_NONE;
}

export function forgetArena(): void {
  arenaStart = 0;
  plannedBatch = 0;
  arenaFloats = 0;
}

/** Address of value `v`'s buffer for the planned batch. */
@inline export function valuePointer(v: u32): usize {
  return arenaStart + (<usize>valueAt(v).offset * plannedBatch << 2);
}

/** Address of op `k`'s scratch (Op.scratchFloats per sample × the planned batch). */
@inline export function scratchPointer(scratchOffset: u32): usize {
  return arenaStart + (<usize>scratchOffset * plannedBatch << 2);
}

/**
 * Debug check (TFLM's DoAnyBuffersOverlap): 1 if two buffers live at the same time share memory, else 0.
 * O(buffers²); for tests.
 */
export function anyBuffersOverlap(): i32 {
  let count = buildTable();
  let result = 0;
  for (let a: u32 = 0; result == 0 && a < count; a++) {
    if (sizeOf(a) == 0) continue;
    let startA = load<u32>(entry(a), OFFSET);
    for (let b = a + 1; b < count; b++) {
      if (sizeOf(b) == 0 || !liveTogether(a, b)) continue;
      let startB = load<u32>(entry(b), OFFSET);
      if (startA < startB + sizeOf(b) && startB < startA + sizeOf(a)) {
        result = 1;
        break;
      }
    }
  }
  return result;
}
