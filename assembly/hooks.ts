// Test hooks of the general runtime: a second entry file, compiled into build/sqz.wasm and build/sqz-scalar.wasm
// (asconfig.json) but not into the runtimes `sqz runtime` tailors to models (compiler/runtime_build/), which run
// models and nothing else. Neither is used by run.

import { ERR_INPUT, ERR_NONE, ERR_STATE } from '../formats/constants';
import { E_NOT_LOADED, E_TENSOR_INDEX, clearError, fail, gotExpected } from './errors';
import { allocBytes, blockBytes, checkNeed, heapTop } from './heap';
import { loaded, tensorAt, tensorCount as modelTensorCount } from './model';
import { anyBuffersOverlap } from './planner';
import { decodeInto } from './walk';

/** 1 if two buffers live at the same time overlap in the arena (a planner bug), else 0. */
export function planOverlaps(): i32 {
  return loaded ? anyBuffersOverlap() : 0;
}

/**
 * Decodes tensor t to n dense f32 at a fresh heap block and returns its address (0 on error). The block lasts until
 * the next plan, alloc or load.
 */
export function decodeTensor(t: u32): usize {
  clearError();
  if (!loaded) {
    fail(ERR_STATE, E_NOT_LOADED, -1);
    return 0;
  }
  if (t >= modelTensorCount) {
    fail(ERR_INPUT, E_TENSOR_INDEX, -1);
    gotExpected(t, modelTensorCount);
    return 0;
  }
  let bytes = <u64>tensorAt(t).n << 2;
  if (checkNeed(<u64>heapTop + blockBytes(bytes)) != ERR_NONE) return 0;
  let dst = allocBytes(bytes);
  if (dst != 0) decodeInto(tensorAt(t), dst);
  return dst;
}
