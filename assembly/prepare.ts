// Prepare: per-op shape checks and geometry (each kernel's prepare, through the registry), then the weights each op
// runs from, in two steps around the memory pre-check: prepareOps chooses each weight's exec and counts the heap
// bytes it needs (loadHeapBytes) without allocating; allocateWeights then allocates and decodes exactly that.
//
// Weights of ops with a weight slot, chosen once per tensor:
//   EXEC_DENSE       decode to f32 at load (ENC_F32 is used in place when 4-byte aligned, else copied);
//   EXEC_COMPRESSED  run from the file's bytes: positions + codes + the codebook table (ENC_F32 runs the dense
//                    kernel over its own bytes: that is its compressed form); only ops whose kernel registered a
//                    compressed path (registry.ts registerCompressed), others decode;
//   EXEC_AUTO        compressed when stored sparse (bitmap / Rice) with density ≤ the op's limit (4% dense, 20% conv),
//                    else dense; always compressed in a runtime built without the decoded path (PATH_DECODED).
// Each path a weight takes is recorded in op.paths; one this build lacks (features.ts) is refused, naming it.
// The bias slot's tensor is always decoded to f32 (it is small).

import {
  ENC_F32, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE, ERR_NONE, EXEC_AUTO, EXEC_COMPRESSED, EXEC_DENSE, PATH_DECODED,
} from '../formats/constants';
import { CTX_PATH, MISSING_PATH, errCode, notBuilt } from './errors';
import { pathBuilt } from './features';
import { allocBytes, blockBytes } from './heap';
import { Op, Tensor, dimOf, opAt, opCount, tensorAt, tensorCount, valueAt } from './model';
import { Kernel, PLAN_REFUSED, allocateWith, planWith, prepareWith } from './registry';
import { allocateSharedScratch, resetSharedScratch, sharedScratchBytes } from './shared_scratch';
import { buildCodebookTable, codebookTableBytes } from './tensor';
import { CHUNK_BYTES, allocateChunkBuffers, decodeInto } from './walk';

/** Heap bytes of the weights prepareOps counted: decoded weights and biases, the compressed paths' load bytes. */
let weightBytes: u64 = 0;
/** Tensor.dense of a tensor prepareOps counted for decoding, until allocateWeights decodes it. */
const DECODE_PENDING: usize = 1;

function chooseExec(t: Tensor, mode: u32, kernel: Kernel): u32 {
  if (t.encoding == ENC_F32 || kernel.sparseLimitPermille == 0) return EXEC_DENSE;
  if (mode != EXEC_AUTO) return mode;
  if (!pathBuilt(PATH_DECODED)) return EXEC_COMPRESSED; // a runtime without the decoded path runs what it can
  let sparse = t.encoding == ENC_SPARSE_BITMAP || t.encoding == ENC_SPARSE_RICE;
  return sparse && <u64>t.nnz * 1000 <= <u64>t.n * kernel.sparseLimitPermille ? EXEC_COMPRESSED : EXEC_DENSE;
}

/** t's dense f32 values will be its own bytes (ENC_F32 when aligned or `inPlace`) or a copy decoded once: counted here. */
function claimDense(t: Tensor, inPlace: bool): void {
  if (t.dense != 0) return;
  if (t.encoding == ENC_F32 && (inPlace || (t.data & 3) == 0)) {
    t.dense = t.data;
  } else {
    t.dense = DECODE_PENDING;
    weightBytes += blockBytes(<u64>t.n << 2);
  }
}

/**
 * Chooses how op's weight runs and counts or requests the memory it needs at load. Allocates nothing. Refuses a
 * path this build lacks (the decoded one here, the compressed ones in the kernel's plan hook).
 */
function planWeights(op: Op, index: u32, kernel: Kernel, mode: u32): i32 {
  if (op.weightRef != 0) {
    let t = tensorAt(op.weightRef - 1);
    if (t.exec == 0) t.exec = chooseExec(t, mode, kernel);
    op.weightRecord = changetype<usize>(t);
    if (t.exec == EXEC_DENSE) {
      if (!pathBuilt(PATH_DECODED)) return notBuilt(MISSING_PATH, CTX_PATH, PATH_DECODED, op.msgOffset, index);
      op.paths |= 1 << PATH_DECODED;
      claimDense(t, mode == EXEC_COMPRESSED);
    }
    let bytes = planWith(kernel, op, index, t);
    if (bytes == PLAN_REFUSED) return errCode;
    weightBytes += bytes;
  }
  if (op.biasRef != 0) claimDense(tensorAt(op.biasRef - 1), true);
  return ERR_NONE;
}

/**
 * Prepares every op: shapes and geometry, exec choice per weight, scratch requests, softmax axis. Allocates
 * nothing: loadHeapBytes() then gives what allocateWeights will take.
 */
export function prepareOps(mode: u32): i32 {
  weightBytes = 0;
  resetSharedScratch();
  for (let i: u32 = 0; i < opCount; i++) {
    let op = opAt(i);
    let kernel = changetype<Kernel>(op.kernel);
    let code = prepareWith(kernel, op, i);
    if (code == ERR_NONE) code = planWeights(op, i, kernel, mode);
    if (code != ERR_NONE) return code;
    let output = valueAt(op.output);
    op.lastAxis = <i32>dimOf(changetype<usize>(output), output.rank - 1);
  }
  return ERR_NONE;
}

/** Heap bytes allocateWeights takes: codebook tables, chunk buffers, weights and biases, the compressed paths' buffers, shared scratch. */
export function loadHeapBytes(): u64 {
  let bytes = weightBytes + CHUNK_BYTES + sharedScratchBytes();
  for (let i: u32 = 0; i < tensorCount; i++) bytes += codebookTableBytes(tensorAt(i));
  return bytes;
}

/** The dense values claimDense counted, decoding them on first use. 0 on ERR_MEMORY. */
function denseValues(t: Tensor): usize {
  if (t.dense == DECODE_PENDING) {
    let dst = allocBytes(<u64>t.n << 2);
    if (dst == 0) return 0;
    decodeInto(t, dst);
    t.dense = dst;
  }
  return t.dense;
}

/** Allocates and fills what prepareOps counted (after the memory pre-check): exactly loadHeapBytes(). */
export function allocateWeights(): i32 {
  for (let i: u32 = 0; i < tensorCount; i++) {
    if (!buildCodebookTable(tensorAt(i))) return errCode;
  }
  if (!allocateChunkBuffers()) return errCode;
  for (let i: u32 = 0; i < opCount; i++) {
    let op = opAt(i);
    if (op.weightRef != 0) {
      let t = changetype<Tensor>(op.weightRecord);
      if (t.exec == EXEC_DENSE) {
        op.denseWeight = denseValues(t);
        if (op.denseWeight == 0) return errCode;
      }
      if (!allocateWith(changetype<Kernel>(op.kernel), op, t)) return errCode;
    }
    if (op.biasRef != 0) {
      op.denseBias = denseValues(tensorAt(op.biasRef - 1));
      if (op.denseBias == 0) return errCode;
    }
  }
  return allocateSharedScratch() ? ERR_NONE : errCode;
}
