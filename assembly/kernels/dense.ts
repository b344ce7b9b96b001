// OP_DENSE: out[b, o] = bias[o] + Σ_i x[b, i] · W[i, o], with x flattened to N per sample and W [N, M].
// Dense path: accumulateRows2 over the f32 weights, two samples per pass. Compressed path: the Rice form row by row
// through its row index, at batch 1 skipping rows whose input is 0, and the bitmap form so at batch 1
// (dense_sparse.ts); otherwise the chunk walker gives the nonzeros (i, o) in flat [N, M] order and
// out[b, o] += x[b, i] · w runs for the whole batch per nonzero.

import {
  ENC_SPARSE_BITMAP, ENC_SPARSE_RICE, ERR_NONE, EXEC_COMPRESSED, OP_DENSE, PATH_DECODED, PATH_DENSE_COMPRESSED,
  SPARSE_EXEC_MAX_DENSITY_PERMILLE_DENSE,
} from '../../formats/constants';
import { CTX_PATH, E_OUT_SHAPE, E_W_SHAPE, MISSING_PATH, notBuilt } from '../errors';
import { Op, Tensor } from '../model';
import { PLAN_REFUSED, registerCompressed, registerKernel } from '../registry';
import { encodingBuilt, pathBuilt } from '../features';
import { chunkPosition, chunkRow, chunkValue, walkChunk, walkMatrix } from '../walk';
import { checkBias, inputValue, outputValue, requireWeight, shapeFail, weightOf } from './common';
import { denseFromBitmap, denseFromRiceRows, denseFromRiceRowsBatch, denseSparseBytes, prepareDenseSparse } from './dense_sparse';
import { accumulateRows, accumulateRows2 } from './matvec';
import { fillRows } from './vector';

export function registerDense(): void {
  registerKernel(OP_DENSE, 1, 1, prepareDense, evalDense);
  registerCompressed(OP_DENSE, SPARSE_EXEC_MAX_DENSITY_PERMILLE_DENSE, planDense, allocateDense);
}

function prepareDense(op: Op, index: u32): i32 {
  let code = requireWeight(op, index, 2);
  if (code != ERR_NONE) return code;
  let t = weightOf(op);
  let inputSize = inputValue(op, 0).size;
  if (t.d0 != inputSize) return shapeFail(op, index, E_W_SHAPE, t.d0, inputSize);
  let outputSize = outputValue(op).size;
  if (outputSize != t.d1) return shapeFail(op, index, E_OUT_SHAPE, outputSize, t.d1);
  op.inSize = <i32>inputSize;
  op.outC = <i32>t.d1;
  return checkBias(op, index, t.d1);
}

/** Heap bytes of the compressed path at load: the Rice row index (dense_sparse.ts). */
function planDense(op: Op, index: u32, t: Tensor): u64 {
  if (t.exec != EXEC_COMPRESSED) return 0;
  if (!pathBuilt(PATH_DENSE_COMPRESSED)) {
    notBuilt(MISSING_PATH, CTX_PATH, PATH_DENSE_COMPRESSED, op.msgOffset, index);
    return PLAN_REFUSED;
  }
  op.paths |= 1 << PATH_DENSE_COMPRESSED;
  return denseSparseBytes(t, <u32>op.inSize);
}

/** Load-time preparation of the compressed path (weight not decoded): the Rice row index. False on ERR_MEMORY. */
function allocateDense(op: Op, t: Tensor): bool {
  return !pathBuilt(PATH_DENSE_COMPRESSED) || t.exec != EXEC_COMPRESSED || prepareDenseSparse(op, t, <u32>op.inSize, <u32>op.outC);
}

function evalDense(op: Op, x: usize, out: usize, batch: u32): void {
  let n = op.inSize, m = op.outC;
  fillRows(out, op.denseBias, m, batch);
  let inBytes = <usize>n << 2, outBytes = <usize>m << 2;
  if (pathBuilt(PATH_DECODED) && op.denseWeight != 0) {
    // Two samples per pass share every weight load.
    let b: u32 = 0;
    for (; b + 2 <= batch; b += 2) {
      let o = out + <usize>b * outBytes, xb = x + <usize>b * inBytes;
      accumulateRows2(o, o + outBytes, xb, xb + inBytes, op.denseWeight, n, m);
    }
    if (b < batch) accumulateRows(out + <usize>b * outBytes, x + <usize>b * inBytes, op.denseWeight, n, m);
    return;
  }
  if (!pathBuilt(PATH_DENSE_COMPRESSED)) return; // unreachable: load refused a weight this build cannot run
  let t = changetype<Tensor>(op.weightRecord);
  if (encodingBuilt(ENC_SPARSE_RICE) && t.encoding == ENC_SPARSE_RICE && op.kernelBuffer != 0) {
    if (batch == 1) denseFromRiceRows(t, op.kernelBuffer, x, out, n);
    else denseFromRiceRowsBatch(t, op.kernelBuffer, x, out, n, m, batch);
    return;
  }
  if (batch == 1) {
    if (encodingBuilt(ENC_SPARSE_BITMAP) && t.encoding == ENC_SPARSE_BITMAP) {
      denseFromBitmap(t, x, out, n, m);
      return;
    }
  }
  // Any stored form at any batch: the walker gives each nonzero's (row, column), and the whole batch takes it.
  walkMatrix(t, m);
  for (let count = walkChunk(); count != 0; count = walkChunk()) {
    for (let j: u32 = 0; j < count; j++) {
      addToColumn(out + (<usize>chunkPosition(j) << 2), x + (<usize>chunkRow(j) << 2), chunkValue(j), batch, inBytes, outBytes);
    }
  }
}

/** out[b, column] += x[b, row] · w for every sample, from o = &out[0, column] and xi = &x[0, row]. */
@inline function addToColumn(o: usize, xi: usize, w: f32, batch: u32, inBytes: usize, outBytes: usize): void {
  for (let b: u32 = 0; b < batch; b++) {
    store<f32>(o, load<f32>(o) + load<f32>(xi) * w);
    o += outBytes;
    xi += inBytes;
  }
}
