// OP_DENSE: out[b, o] = bias[o] + Σ_i x[b, i] · W[i, o], with x flattened to N per sample and W [N, M].
// Dense path: accumulateRows2 over the f32 weights, two samples per pass. Compressed path: walks the nonzeros (i, o)
// in flat [N, M] order and does out[b, o] += x[b, i] · w for the whole batch per decoded nonzero (dense_sparse.ts
// for the Rice and bitmap forms; the chunk walker for the rest).

import { ENC_SPARSE_BITMAP, ENC_SPARSE_RICE, ERR_NONE } from '../../formats/constants';
import { E_OUT_SHAPE, E_W_SHAPE } from '../errors';
import { Op, Tensor } from '../model';
import { chunkPosition, chunkValue, walkBegin, walkChunk } from '../walk';
import { checkBias, inputValue, outputValue, requireWeight, shapeFail, weightTensor } from './common';
import { denseFromBitmap, denseFromRice, prepareDenseSparse } from './dense_sparse';
import { accumulateRows, accumulateRows2 } from './matvec';
import { fillRows } from './vector';

export function prepareDense(op: Op, index: u32): i32 {
  let code = requireWeight(op, index, 2);
  if (code != ERR_NONE) return code;
  let t = weightTensor(op);
  let inputSize = inputValue(op, 0).size;
  if (t.d0 != inputSize) return shapeFail(op, index, E_W_SHAPE, t.d0, inputSize);
  let outputSize = outputValue(op).size;
  if (outputSize != t.d1) return shapeFail(op, index, E_OUT_SHAPE, outputSize, t.d1);
  op.inSize = <i32>inputSize;
  op.outC = <i32>t.d1;
  return checkBias(op, index, t.d1);
}

/** Load-time preparation of the compressed path (weight not decoded): the Rice row index. False on ERR_MEMORY. */
export function prepareDenseCompressed(op: Op, t: Tensor): bool {
  return prepareDenseSparse(op, t, <u32>op.inSize, <u32>op.outC);
}

export function evalDense(op: Op, x: usize, out: usize, batch: u32): void {
  let n = op.inSize, m = op.outC;
  fillRows(out, op.biasValues, m, batch);
  let inBytes = <usize>n << 2, outBytes = <usize>m << 2;
  if (op.weights != 0) {
    // Two samples per pass share every weight load.
    let b: u32 = 0;
    for (; b + 2 <= batch; b += 2) {
      let o = out + <usize>b * outBytes, xb = x + <usize>b * inBytes;
      accumulateRows2(o, o + outBytes, xb, xb + inBytes, op.weights, n, m);
    }
    if (b < batch) accumulateRows(out + <usize>b * outBytes, x + <usize>b * inBytes, op.weights, n, m);
    return;
  }
  let t = changetype<Tensor>(op.weightTensor);
  if (t.encoding == ENC_SPARSE_RICE) {
    denseFromRice(op, t, x, out, batch, n, m);
    return;
  }
  if (t.encoding == ENC_SPARSE_BITMAP) {
    denseFromBitmap(t, x, out, batch, n, m);
    return;
  }
  // Dense codebook or f16 forced to run compressed: the generic walker.
  let columns = <u32>m;
  // (row, column) of each nonzero, advanced from the previous one: no division, O(N + nnz) steps per walk.
  let row: u32 = 0, rowStart: u32 = 0;
  walkBegin(t);
  while (true) {
    let count = walkChunk();
    if (count == 0) break;
    for (let j: u32 = 0; j < count; j++) {
      let position = chunkPosition(j);
      let w = chunkValue(j);
      while (position - rowStart >= columns) {
        rowStart += columns;
        row++;
      }
      let o = out + (<usize>(position - rowStart) << 2);
      let xi = x + (<usize>row << 2);
      if (batch == 1) {
        store<f32>(o, load<f32>(o) + load<f32>(xi) * w);
      } else {
        for (let b: u32 = 0; b < batch; b++) {
          store<f32>(o, load<f32>(o) + load<f32>(xi) * w);
          o += outBytes;
          xi += inBytes;
        }
      }
    }
  }
}
