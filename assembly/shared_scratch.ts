// One scratch block that ops ask for at prepare and share at run (ops run one at a time): today the dense path of
// conv2d, which gathers two patches of KH·KW·C floats. It is sized to the largest request and allocated once per
// load, after the memory pre-check (prepare.ts counts it in loadHeapBytes).

import { allocBytes, blockBytes } from './heap';

/** The block (valid from allocateSharedScratch to the next load), 0 when nothing asked for it. */
export let sharedScratch: usize = 0;
let requestedFloats: u32 = 0;

/** Drops the previous load's requests. */
export function resetSharedScratch(): void {
  requestedFloats = 0;
}

/** Prepare-time request: the op needs `floats` floats of shared scratch at run. */
export function requestSharedScratch(floats: u32): void {
  requestedFloats = max(requestedFloats, floats);
}

/** Heap bytes allocateSharedScratch takes for the requests so far. */
export function sharedScratchBytes(): u64 {
  return blockBytes(<u64>requestedFloats << 2);
}

/** Allocates the requested block (once per load, after every op is prepared). False on ERR_MEMORY. */
export function allocateSharedScratch(): bool {
  sharedScratch = requestedFloats > 0 ? allocBytes(<u64>requestedFloats << 2) : 0;
  return requestedFloats == 0 || sharedScratch != 0;
}
