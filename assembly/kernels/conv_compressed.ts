// The compressed path of conv2d and depthwise conv2d (weight not decoded): which kernel runs the op, chosen once at
// prepare from the geometry and the weight's density, and the dispatch to it at run.
//   PATH_CONV_SHIFTED  stride 1: each nonzero is one contiguous run over shifted planes (conv_shifted.ts);
//   PATH_CONV_IM2COL   strided conv2d with at least IM2COL_MIN_REUSE nonzeros per im2col row: the sparse weight
//                      times im2col tiles (conv2d_sparse.ts);
//   PATH_CONV_PLANAR   the rest (strided depthwise, strided conv2d at low density): each nonzero applied to planar
//                      rows of the input (conv_planar.ts); it runs any stride, so it also stands in for a path a
//                      tailored runtime lacks (features.ts).
// Each path's scratch is op scratch in the arena (op.scratchFloats, floats per sample).

import { OP_CONV2D, OP_CONV2D_TRANSPOSE, PATH_CONV_IM2COL, PATH_CONV_PLANAR, PATH_CONV_SHIFTED } from '../../formats/constants';
import { CTX_PATH, MISSING_PATH, notBuilt } from '../errors';
import { opBuilt, pathBuilt } from '../features';
import { Op, Tensor } from '../model';
import { chunkPosition, chunkRow, chunkValue, walkChunk, walkMatrix } from '../walk';
import { conv2dSparseScratchFloats, evalConv2dSparse } from './conv2d_sparse';
import { planarApply, planarApplyTransposed, planarBegin, planarEnd, planarScratchFloats } from './conv_planar';
import { prepareShifted, shiftedApply, shiftedBegin, shiftedEnd, shiftedPlanesApply } from './conv_shifted';

/**
 * A strided compressed conv2d runs on im2col tiles when it has at least this many nonzeros per im2col row
 * (nnz ≥ this · KH·KW·C), else tap by tap on planar rows: gathering a row costs about as much as applying two
 * nonzeros to it.
 */
const IM2COL_MIN_REUSE: u64 = 2;

/**
 * Chooses op.path and sets its arena scratch (op.scratchFloats, op.tilePixels). Allocates nothing. False after
 * recording the error when this build has none of the paths the op can take.
 */
export function prepareConvCompressed(op: Op, index: u32, t: Tensor): bool {
  op.tilePixels = 0;
  let preferred = PATH_CONV_PLANAR;
  if (shiftedPlanesApply(op)) preferred = PATH_CONV_SHIFTED;
  else if (op.type == OP_CONV2D && <u64>t.nonzeros >= <u64>(op.windowH * op.windowW * op.inC) * IM2COL_MIN_REUSE) preferred = PATH_CONV_IM2COL;
  if (pathBuilt(PATH_CONV_SHIFTED) && preferred == PATH_CONV_SHIFTED) {
    prepareShifted(op);
  } else if (pathBuilt(PATH_CONV_IM2COL) && preferred == PATH_CONV_IM2COL) {
    op.scratchFloats = conv2dSparseScratchFloats(op);
  } else if (pathBuilt(PATH_CONV_PLANAR)) {
    preferred = PATH_CONV_PLANAR;
    op.scratchFloats = planarScratchFloats(op);
  } else {
    notBuilt(MISSING_PATH, CTX_PATH, preferred, op.msgOffset, index);
    return false;
  }
  op.path = preferred;
  op.paths |= 1 << preferred;
  return true;
}

/**
 * Runs the op's compressed path (prepareConvCompressed chose it) into `out`, bias included: conv2d (depthwise =
 * false: weight [KH, KW, C, M]) or depthwise conv2d (weight [KH, KW, C, D], out channel c·D + d). The shifted and
 * planar paths share this walk over the nonzeros: the weight as a [KH·KW·C, inner] matrix (inner = M or D), each
 * nonzero's row (kh·KW + kw)·C + c split into (kh, kw, c). The compressed conv2dTranspose (weight [KH, KW, C, M],
 * always the planar path) takes the same walk, each nonzero scattered by planarApplyTransposed.
 */
export function evalConvCompressed(op: Op, x: usize, out: usize, batch: u32, depthwise: bool): void {
  if (pathBuilt(PATH_CONV_IM2COL) && op.path == PATH_CONV_IM2COL) {
    evalConv2dSparse(op, x, out, batch);
    return;
  }
  if (!pathBuilt(PATH_CONV_SHIFTED) && !pathBuilt(PATH_CONV_PLANAR)) return; // unreachable: load refused it
  let shifted = pathBuilt(PATH_CONV_SHIFTED) && op.path == PATH_CONV_SHIFTED;
  let transposed = opBuilt(OP_CONV2D_TRANSPOSE) && op.type == OP_CONV2D_TRANSPOSE;
  if (shifted) shiftedBegin(op, x, batch);
  else if (pathBuilt(PATH_CONV_PLANAR)) planarBegin(op, x, batch);
  let inner = depthwise ? op.depth : op.outC;
  let channels = op.inC, kernelW = op.windowW;
  // (ky, kx, c) of the previous nonzero's row, advanced to each row by carries (rows only grow): no division.
  let row: u32 = 0, ky = 0, kx = 0, c = 0;
  walkMatrix(changetype<Tensor>(op.weightRecord), <u32>inner);
  for (let count = walkChunk(); count != 0; count = walkChunk()) {
    for (let j: u32 = 0; j < count; j++) {
      for (let target = chunkRow(j); row < target; row++) {
        if (++c == channels) {
          c = 0;
          if (++kx == kernelW) {
            kx = 0;
            ky++;
          }
        }
      }
      let m = <i32>chunkPosition(j);
      let outChannel = depthwise ? c * inner + m : m;
      if (shifted) shiftedApply(c, ky, kx, outChannel, chunkValue(j));
      else if (pathBuilt(PATH_CONV_PLANAR)) {
        if (transposed) planarApplyTransposed(c, ky, kx, outChannel, chunkValue(j));
        else planarApply(c, ky, kx, outChannel, chunkValue(j));
      }
    }
  }
  if (shifted) shiftedEnd(op, out, batch);
  else if (pathBuilt(PATH_CONV_PLANAR)) planarEnd(op, out, batch);
}
