// OP_CONV2D: x [H, W, C], weight [KH, KW, C, M], out [OH, OW, M] (TensorFlow valid/same geometry).
// Dense path: per output pixel, the window is gathered into a [KH, KW, C] patch (zeros outside the input), and
// the weight [KH·KW·C, M] times the patch is one matrix-vector product; two pixels per pass.
// Compressed path: conv_shifted.ts with stride 1 (each nonzero one contiguous run over shifted planes); strided:
// conv2d_sparse.ts (the sparse weight times im2col tiles of the input) when the weight is dense enough to reuse each
// gathered row, else conv_planar.ts (each nonzero applied to planar rows of the input).

import { ERR_NONE, OP_CONV2D } from '../../formats/constants';
import { allocBytes, blockBytes } from '../heap';
import { Op, Tensor } from '../model';
import { checkBias, prepareConvWeight, prepareWindow, weightTensor } from './common';
import { conv2dSparseScratchFloats, evalConv2dSparse } from './conv2d_sparse';
import { evalPlanarCompressed, planarScratchFloats } from './conv_planar';
import { evalShiftedCompressed, prepareShifted, shiftedPlanesApply } from './conv_shifted';
import { accumulateRows, accumulateRows2 } from './matvec';
import { copyFloats, fillRows } from './vector';

export function prepareConv2d(op: Op, index: u32): i32 {
  let code = prepareConvWeight(op, index);
  if (code != ERR_NONE) return code;
  let t = weightTensor(op);
  code = prepareWindow(op, index, t.d3);
  if (code != ERR_NONE) return code;
  return checkBias(op, index, t.d3);
}

/**
 * A strided compressed conv2d runs as sparse weight × im2col tiles (conv2d_sparse.ts) when it has at least this
 * many nonzeros per im2col row (nnz ≥ this · KH·KW·C), else tap by tap on planar rows (conv_planar.ts): gathering a
 * row costs about as much as applying two nonzeros to it.
 */
const IM2COL_MIN_REUSE: u64 = 2;

/**
 * Prepare of the compressed path of conv2d and depthwise conv2d (op.weights = 0): chooses the kernel and sets its
 * arena scratch (op.scratchFloats, floats per sample). Stride 1: shifted planes (conv_shifted.ts); else conv2d with
 * enough nonzeros per im2col row: im2col tiles (sets op.tilePixels); else planar rows. Allocates nothing.
 */
export function prepareConvCompressed(op: Op, t: Tensor): void {
  op.tilePixels = 0;
  if (shiftedPlanesApply(op)) {
    prepareShifted(op);
  } else if (op.type == OP_CONV2D && <u64>t.nonzeros >= <u64>(op.windowH * op.windowW * op.inC) * IM2COL_MIN_REUSE) {
    op.scratchFloats = conv2dSparseScratchFloats(op);
  } else {
    op.scratchFloats = planarScratchFloats(op);
  }
}

/** Scratch for two patches of the largest dense-path conv, allocated once at load (see requestPatchScratch). */
let patchScratch: usize = 0;
let patchScratchFloats: u32 = 0;

/** Drops the previous load's requests. */
export function resetPatchScratch(): void {
  patchScratchFloats = 0;
}

/** Prepare-time request: a dense-path conv needs two patches of `floats` floats. */
export function requestPatchScratch(floats: u32): void {
  patchScratchFloats = max(patchScratchFloats, floats * 2);
}

/** Heap bytes allocatePatchScratch will take for the requests so far. */
export function patchScratchBytes(): u64 {
  return blockBytes(<u64>patchScratchFloats << 2);
}

/** Allocates the requested patch scratch (once per load, after every op is prepared). */
export function allocatePatchScratch(): bool {
  patchScratch = patchScratchFloats > 0 ? allocBytes(<u64>patchScratchFloats << 2) : 0;
  return patchScratchFloats == 0 || patchScratch != 0;
}

/** Copies the window of output pixel (top, left) into `patch` as [KH, KW, C], zeros where it leaves the input. */
function gatherPatch(op: Op, xb: usize, patch: usize, top: i32, left: i32): void {
  let inH = op.inH, inW = op.inW, channels = op.inC, kernelW = op.windowW;
  let rowFloats = kernelW * channels;
  let kw0 = max(0, -left), kw1 = min(kernelW, inW - left);
  for (let kh = 0; kh < op.windowH; kh++) {
    let row = patch + (<usize>(kh * rowFloats) << 2);
    let ih = top + kh;
    if (ih < 0 || ih >= inH || kw1 <= kw0) {
      memory.fill(row, 0, <usize>rowFloats << 2);
      continue;
    }
    if (kw0 > 0) memory.fill(row, 0, <usize>(kw0 * channels) << 2);
    copyFloats(row + (<usize>(kw0 * channels) << 2), xb + (<usize>((ih * inW + left + kw0) * channels) << 2),
      <u32>((kw1 - kw0) * channels));
    if (kw1 < kernelW) memory.fill(row + (<usize>(kw1 * channels) << 2), 0, <usize>((kernelW - kw1) * channels) << 2);
  }
}

export function evalConv2d(op: Op, x: usize, out: usize, batch: u32): void {
  let weights = op.weights;
  if (weights == 0) {
    if (shiftedPlanesApply(op)) evalShiftedCompressed(op, x, out, batch, false);
    else if (op.tilePixels > 0) evalConv2dSparse(op, x, out, batch);
    else evalPlanarCompressed(op, x, out, batch, false);
    return;
  }
  let outH = op.outH, outW = op.outW, outC = op.outC;
  let strideH = <i32>op.strideH, strideW = <i32>op.strideW;
  fillRows(out, op.biasValues, outC, <u32>(outH * outW) * batch);
  // Per output pixel: gather its window into a patch (im2col for one pixel), then one matrix-vector product over
  // all KH·KW·C weight rows; two pixels per pass share the weight loads.
  let depth = op.windowH * op.windowW * op.inC;
  let patch0 = patchScratch, patch1 = patchScratch + (<usize>depth << 2);
  let pixelBytes = <usize>outC << 2;
  let inBytes = <usize>(op.inH * op.inW * op.inC) << 2;
  let o = out;
  for (let b: u32 = 0; b < batch; b++) {
    let xb = x + <usize>b * inBytes;
    for (let oh = 0; oh < outH; oh++) {
      let top = oh * strideH - op.padTop;
      let ow = 0;
      for (; ow + 2 <= outW; ow += 2) {
        let left = ow * strideW - op.padLeft;
        gatherPatch(op, xb, patch0, top, left);
        gatherPatch(op, xb, patch1, top, left + strideW);
        accumulateRows2(o, o + pixelBytes, patch0, patch1, weights, depth, outC);
        o += pixelBytes << 1;
      }
      if (ow < outW) {
        gatherPatch(op, xb, patch0, top, ow * strideW - op.padLeft);
        accumulateRows(o, patch0, weights, depth, outC);
        o += pixelBytes;
      }
    }
  }
}
