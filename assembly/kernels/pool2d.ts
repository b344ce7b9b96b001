// The window loop shared by max pooling (max_pool2d.ts) and average pooling (avg_pool2d.ts): x [H, W, C] →
// out [OH, OW, C], each output the maximum or the mean over the valid cells of its window (same padding never lets
// a padded cell win or count, as in TensorFlow). This loop, one window cell at a time, is PATH_POOL_CELLS; the SIMD
// build runs max pools of 4 channels or more through faster loops (max_pool2d.ts), and each pool records the loop it
// takes at prepare (takePoolPath), so a tailored runtime holds only the loops its models use.

import { ERR_MALFORMED, ERR_NONE } from '../../formats/constants';
import { CTX_PATH, E_ATTR_COUNT, E_ATTR_RANGE, MISSING_PATH, notBuilt } from '../errors';
import { pathBuilt } from '../features';
import { Op } from '../model';
import { opFail, prepareWindow, requireNoWeights, takeImageInput } from './common';
import { addInto, copyFloats, maxInto, scaleInPlace } from './vector';

/** Prepare of both pools: the kernel attribute gives the window. */
export function preparePool(op: Op, index: u32): i32 {
  let code = requireNoWeights(op, index);
  if (code == ERR_NONE) code = takeImageInput(op, index);
  if (code != ERR_NONE) return code;
  if (op.kernelCount != 2) return opFail(op, index, ERR_MALFORMED, E_ATTR_COUNT);
  // 0 wraps to 0xFFFFFFFF, so one unsigned compare per side refuses 0 and anything above 0xFFFF.
  if (op.kernelH - 1 >= 0xFFFF || op.kernelW - 1 >= 0xFFFF) return opFail(op, index, ERR_MALFORMED, E_ATTR_RANGE);
  op.windowH = <i32>op.kernelH;
  op.windowW = <i32>op.kernelW;
  return prepareWindow(op, index, <u64>op.inC);
}

/** Records `path` (PATH_POOL_*) as the pooling loop op runs through, or refuses it when this build lacks it. */
export function takePoolPath(op: Op, index: u32, path: u32): i32 {
  if (!pathBuilt(path)) return notBuilt(MISSING_PATH, CTX_PATH, path, op.msgOffset, index);
  op.path = path;
  op.paths |= 1 << path;
  return ERR_NONE;
}

/** Max (average = false) or mean over the valid cells (average = true) of each window. */
export function evalPool(op: Op, x: usize, out: usize, batch: u32, average: bool): void {
  let inH = op.inH, inW = op.inW, channels = <u32>op.inC;
  let outH = op.outH, outW = op.outW;
  let strideH = <i32>op.strideH, strideW = <i32>op.strideW;
  let padTop = op.padTop, padLeft = op.padLeft;
  let pixelBytes = <usize>channels << 2;
  let o = out;
  for (let b: u32 = 0; b < batch; b++) {
    let xb = x + <usize>b * <usize>(inH * inW) * pixelBytes;
    for (let oh = 0; oh < outH; oh++) {
      let top = oh * strideH - padTop;
      let ih0 = max(top, 0), ih1 = min(top + op.windowH, inH);
      for (let ow = 0; ow < outW; ow++) {
        let left = ow * strideW - padLeft;
        let iw0 = max(left, 0), iw1 = min(left + op.windowW, inW);
        copyFloats(o, xb + <usize>(ih0 * inW + iw0) * pixelBytes, channels);
        for (let ih = ih0; ih < ih1; ih++) {
          for (let iw = ih == ih0 ? iw0 + 1 : iw0; iw < iw1; iw++) {
            let xp = xb + <usize>(ih * inW + iw) * pixelBytes;
            if (average) addInto(o, xp, channels);
            else maxInto(o, xp, channels);
          }
        }
        if (average) scaleInPlace(o, channels, 1.0 / <f32>((ih1 - ih0) * (iw1 - iw0)));
        o += pixelBytes;
      }
    }
  }
}

