// OP_CONV2D: x [H, W, C], weight [KH, KW, C, M], out [OH, OW, M] (TensorFlow valid/same geometry).
// Dense path: per output pixel, the window is gathered into a [KH, KW, C] patch (zeros outside the input), and
// the weight [KH·KW·C, M] times the patch is one matrix-vector product; two pixels per pass.
// Compressed path: conv_compressed.ts (shifted planes with stride 1; strided: im2col tiles when the weight is dense
// enough to reuse each gathered row, else planar rows).

import {
  ERR_NONE, EXEC_DENSE, OP_CONV2D, PATH_DECODED, SPARSE_EXEC_MAX_DENSITY_PERMILLE_CONV,
} from '../../formats/constants';
import { pathBuilt } from '../features';
import { Op, Tensor } from '../model';
import { PLAN_REFUSED, registerCompressed, registerKernel } from '../registry';
import { requestSharedScratch, sharedScratch } from '../shared_scratch';
import { checkBias, prepareConvWeight, prepareWindow, weightOf } from './common';
import { evalConvCompressed, prepareConvCompressed } from './conv_compressed';
import { accumulateRows, accumulateRows2 } from './matvec';
import { copyFloats, fillRows } from './vector';

export function registerConv2d(): void {
  registerKernel(OP_CONV2D, 1, 1, prepareConv2d, evalConv2d);
  registerCompressed(OP_CONV2D, SPARSE_EXEC_MAX_DENSITY_PERMILLE_CONV, planConv2d, null);
}

function prepareConv2d(op: Op, index: u32): i32 {
  let code = prepareConvWeight(op, index);
  if (code != ERR_NONE) return code;
  let t = weightOf(op);
  code = prepareWindow(op, index, t.d3);
  if (code != ERR_NONE) return code;
  return checkBias(op, index, t.d3);
}

/** After the weight's exec is chosen: the dense path gathers two patches into the shared scratch. */
function planConv2d(op: Op, index: u32, t: Tensor): u64 {
  if (pathBuilt(PATH_DECODED) && t.exec == EXEC_DENSE) requestSharedScratch(<u32>(op.windowH * op.windowW * op.inC) * 2);
  else if (!prepareConvCompressed(op, index, t)) return PLAN_REFUSED;
  return 0;
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

function evalConv2d(op: Op, x: usize, out: usize, batch: u32): void {
  let weights = op.denseWeight;
  if (!pathBuilt(PATH_DECODED) || weights == 0) {
    evalConvCompressed(op, x, out, batch, false);
    return;
  }
  let outH = op.outH, outW = op.outW, outC = op.outC;
  let strideH = <i32>op.strideH, strideW = <i32>op.strideW;
  fillRows(out, op.denseBias, outC, <u32>(outH * outW) * batch);
  // Per output pixel: gather its window into a patch (im2col for one pixel), then one matrix-vector product over
  // all KH·KW·C weight rows; two pixels per pass share the weight loads.
  let depth = op.windowH * op.windowW * op.inC;
  let patch0 = sharedScratch, patch1 = sharedScratch + (<usize>depth << 2);
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
