// Prepare: per-op shape checks and geometry (each kernel's prepare), then the weights each op runs from, in two
// steps around the memory pre-check: prepareOps chooses each weight's exec and counts the heap bytes it needs
// (loadHeapBytes) without allocating; allocateWeights then allocates and decodes exactly that.
//
// Weights per compressible op (dense, conv2d, depthwise), chosen once per tensor:
//   EXEC_DENSE       decode to f32 at load (ENC_F32 is used in place when 4-byte aligned, else copied);
//   EXEC_COMPRESSED  run from the file's bytes: positions + codes + the codebook table (ENC_F32 runs the dense
//                    kernel over its own bytes: that is its compressed form);
//   EXEC_AUTO        compressed when stored sparse (bitmap / Rice) with density ≤ the op's threshold (4% dense, 20% conv),
//                    else dense.
// Biases are always decoded to f32 (they are small).

import {
  ENC_F32, ENC_SPARSE_BITMAP, ENC_SPARSE_RICE, ERR_NONE, EXEC_AUTO, EXEC_COMPRESSED, EXEC_DENSE, OP_ACTIVATION,
  OP_ADD, OP_AVG_POOL2D, OP_CONV2D, OP_DENSE, OP_DEPTHWISE_CONV2D, OP_GLOBAL_AVG_POOL2D, OP_GLOBAL_MAX_POOL2D,
  OP_MAX_POOL2D, SPARSE_EXEC_MAX_DENSITY_PERMILLE_CONV, SPARSE_EXEC_MAX_DENSITY_PERMILLE_DENSE,
} from '../formats/constants';
import { errCode } from './errors';
import { allocBytes, blockBytes } from './heap';
import { Op, Tensor, dimOf, opAt, opCount, tensorAt, tensorCount, valueAt } from './model';
import { prepareActivation } from './kernels/activation';
import { prepareAdd } from './kernels/add';
import { prepareAvgPool2d } from './kernels/avg_pool2d';
import {
  allocatePatchScratch, patchScratchBytes, prepareConv2d, prepareConvCompressed, requestPatchScratch, resetPatchScratch,
} from './kernels/conv2d';
import { prepareDense, prepareDenseCompressed } from './kernels/dense';
import { denseSparseBytes } from './kernels/dense_sparse';
import { prepareDepthwiseConv2d } from './kernels/depthwise_conv2d';
import { prepareGlobalPool2d } from './kernels/global_pool2d';
import { preparePool } from './kernels/max_pool2d';
import { prepareReshape } from './kernels/reshape';
import { buildCodebookTable, codebookTableBytes } from './tensor';
import { CHUNK_BYTES, allocateChunkBuffers, decodeInto } from './walk';

function prepareOp(op: Op, index: u32): i32 {
  switch (op.type) {
    case OP_DENSE: return prepareDense(op, index);
    case OP_CONV2D: return prepareConv2d(op, index);
    case OP_DEPTHWISE_CONV2D: return prepareDepthwiseConv2d(op, index);
    case OP_MAX_POOL2D: return preparePool(op, index);
    case OP_AVG_POOL2D: return prepareAvgPool2d(op, index);
    case OP_GLOBAL_AVG_POOL2D:
    case OP_GLOBAL_MAX_POOL2D: return prepareGlobalPool2d(op, index);
    case OP_ACTIVATION: return prepareActivation(op, index);
    case OP_ADD: return prepareAdd(op, index);
    default: return prepareReshape(op, index);
  }
}

/** Heap bytes of the weights prepareOps counted: decoded weights and biases, Rice row indexes. */
let weightBytes: u64 = 0;
/** Tensor.dense of a tensor prepareOps counted for decoding, until allocateWeights decodes it. */
const DECODE_PENDING: usize = 1;

function chooseExec(t: Tensor, mode: u32, opType: u32): u32 {
  if (t.encoding == ENC_F32) return EXEC_DENSE;
  if (mode != EXEC_AUTO) return mode;
  let sparse = t.encoding == ENC_SPARSE_BITMAP || t.encoding == ENC_SPARSE_RICE;
  let limit: u64 = opType == OP_DENSE ? SPARSE_EXEC_MAX_DENSITY_PERMILLE_DENSE : SPARSE_EXEC_MAX_DENSITY_PERMILLE_CONV;
  return sparse && <u64>t.nnz * 1000 <= <u64>t.n * limit ? EXEC_COMPRESSED : EXEC_DENSE;
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

/** Chooses how op's weight runs and counts or requests the memory it needs at load. Allocates nothing. */
function planWeights(op: Op, mode: u32): void {
  if (op.weight != 0) {
    let t = tensorAt(op.weight - 1);
    if (t.exec == 0) t.exec = chooseExec(t, mode, op.type);
    op.weightTensor = changetype<usize>(t);
    if (t.exec == EXEC_DENSE) {
      claimDense(t, mode == EXEC_COMPRESSED);
      if (op.type == OP_CONV2D) requestPatchScratch(<u32>(op.windowH * op.windowW * op.inC));
    } else if (op.type == OP_DENSE) {
      weightBytes += denseSparseBytes(t, <u32>op.inSize);
    } else {
      prepareConvCompressed(op, t);
    }
  }
  if (op.bias != 0) claimDense(tensorAt(op.bias - 1), true);
}

/**
 * Prepares every op: shapes and geometry, exec choice per weight, scratch requests, softmax axis. Allocates
 * nothing: loadHeapBytes() then gives what allocateWeights will take.
 */
export function prepareOps(mode: u32): i32 {
  weightBytes = 0;
  resetPatchScratch();
  for (let i: u32 = 0; i < opCount; i++) {
    let op = opAt(i);
    let code = prepareOp(op, i);
    if (code != ERR_NONE) return code;
    planWeights(op, mode);
    let output = valueAt(op.output);
    op.lastAxis = <i32>dimOf(changetype<usize>(output), output.rank - 1);
  }
  return ERR_NONE;
}

/** Heap bytes allocateWeights takes: codebook tables, chunk buffers, weights and biases, row indexes, patch scratch. */
export function loadHeapBytes(): u64 {
  let bytes = weightBytes + CHUNK_BYTES + patchScratchBytes();
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
    if (op.weight != 0) {
      let t = changetype<Tensor>(op.weightTensor);
      if (t.exec == EXEC_DENSE) {
        op.weights = denseValues(t);
        if (op.weights == 0) return errCode;
      } else if (op.type == OP_DENSE && !prepareDenseCompressed(op, t)) {
        return errCode;
      }
    }
    if (op.bias != 0) {
      op.biasValues = denseValues(tensorAt(op.bias - 1));
      if (op.biasValues == 0) return errCode;
    }
  }
  return allocatePatchScratch() ? ERR_NONE : errCode;
}
