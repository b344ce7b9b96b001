// OP_MAX_POOL2D: x [H, W, C] → out [OH, OW, C], the maximum over the valid cells of each window
// (same padding never lets a padded cell win, as in TensorFlow). Three loops, chosen at prepare from the geometry
// (the same choice in both builds, so a model needs the same paths of any runtime):
//   PATH_POOL_2X2     2 × 2 windows with stride 2 and no padding cell, 4 channels or more;
//   PATH_POOL_WINDOW  any other window, 4 channels or more;
//   PATH_POOL_CELLS   fewer than 4 channels: pool2d.ts's loop, one window cell at a time.
// The first two are the SIMD build's; the scalar build runs all three as pool2d.ts's loop.

import { ERR_NONE, OP_MAX_POOL2D, PATH_POOL_2X2, PATH_POOL_CELLS, PATH_POOL_WINDOW } from '../../formats/constants';
import { pathBuilt } from '../features';
import { Op } from '../model';
import { registerKernel } from '../registry';
import { evalPool, preparePool, takePoolPath } from './pool2d';

export function registerMaxPool2d(): void {
  registerKernel(OP_MAX_POOL2D, 1, 1, prepareMaxPool2d, evalMaxPool2d);
}

function prepareMaxPool2d(op: Op, index: u32): i32 {
  let code = preparePool(op, index);
  if (code != ERR_NONE) return code;
  let path = PATH_POOL_CELLS;
  if (op.inC >= 4) {
    let plain2x2 = op.windowH == 2 && op.windowW == 2 && op.strideH == 2 && op.strideW == 2 && op.padTop == 0 &&
      op.padLeft == 0 && op.outH * 2 <= op.inH && op.outW * 2 <= op.inW;
    path = plain2x2 ? PATH_POOL_2X2 : PATH_POOL_WINDOW;
  }
  return takePoolPath(op, index, path);
}

/**
 * Max pooling, SIMD build with at least 4 channels: per output pixel and block of 4 channels, the maximum of the
 * window's valid cells is kept in a register (no per-cell calls or stores). The last block overlaps the one
 * before when C is not a multiple of 4: taking a maximum twice changes nothing.
 */
function evalMaxPoolSimd(op: Op, x: usize, out: usize, batch: u32): void {
  let inH = op.inH, inW = op.inW, channels = op.inC;
  let outH = op.outH, outW = op.outW;
  let strideH = <i32>op.strideH, strideW = <i32>op.strideW;
  let padTop = op.padTop, padLeft = op.padLeft;
  let pixelBytes = <usize>channels << 2, rowBytes = <usize>inW * pixelBytes;
  let lastBlock = <usize>(channels - 4) << 2;
  let o = out;
  for (let b: u32 = 0; b < batch; b++) {
    let xb = x + <usize>b * <usize>inH * rowBytes;
    for (let oh = 0; oh < outH; oh++) {
      let top = oh * strideH - padTop;
      let ih0 = max(top, 0), ih1 = min(top + op.windowH, inH);
      for (let ow = 0; ow < outW; ow++) {
        let left = ow * strideW - padLeft;
        let iw0 = max(left, 0), iw1 = min(left + op.windowW, inW);
        let first = xb + <usize>ih0 * rowBytes + <usize>iw0 * pixelBytes;
        let cellsW = iw1 - iw0;
        for (let block: usize = 0; ; block += 16) {
          if (block > lastBlock) block = lastBlock;
          let acc = v128.load(first + block);
          let row = first + block;
          if (cellsW == 2) { // the common 2-wide window, without the inner loop
            for (let ih = ih0; ih < ih1; ih++) {
              acc = f32x4.pmax(f32x4.pmax(acc, v128.load(row)), v128.load(row + pixelBytes));
              row += rowBytes;
            }
          } else {
            for (let ih = ih0; ih < ih1; ih++) {
              let cell = row;
              for (let iw = 0; iw < cellsW; iw++) {
                acc = f32x4.pmax(acc, v128.load(cell));
                cell += pixelBytes;
              }
              row += rowBytes;
            }
          }
          v128.store(o + block, acc);
          if (block == lastBlock) break;
        }
        o += pixelBytes;
      }
    }
  }
}

/**
 * The most common pool, 2 × 2 with stride 2 and every window inside the input (no padding cell), SIMD build with
 * at least 4 channels: the four cells of each channel block are loaded and reduced without loops.
 */
function evalMaxPool2x2Simd(op: Op, x: usize, out: usize, batch: u32): void {
  let inW = op.inW, channels = op.inC;
  let pixelBytes = <usize>channels << 2, rowBytes = <usize>inW * pixelBytes;
  let lastBlock = <usize>(channels - 4) << 2;
  let o = out;
  for (let b: u32 = 0; b < batch; b++) {
    let xb = x + <usize>b * <usize>op.inH * rowBytes;
    for (let oh = 0; oh < op.outH; oh++) {
      let p = xb + (<usize>(oh << 1)) * rowBytes;
      for (let ow = 0; ow < op.outW; ow++, p += pixelBytes << 1, o += pixelBytes) {
        for (let block: usize = 0; ; block += 16) {
          if (block > lastBlock) block = lastBlock;
          let q = p + block;
          // Same order as the general loop: (0, 0), (0, 1), (1, 0), (1, 1).
          let acc = f32x4.pmax(v128.load(q), v128.load(q + pixelBytes));
          acc = f32x4.pmax(f32x4.pmax(acc, v128.load(q + rowBytes)), v128.load(q + rowBytes + pixelBytes));
          v128.store(o + block, acc);
          if (block == lastBlock) break;
        }
      }
    }
  }
}

function evalMaxPool2d(op: Op, x: usize, out: usize, batch: u32): void {
  if (ASC_FEATURE_SIMD && pathBuilt(PATH_POOL_2X2) && op.path == PATH_POOL_2X2) {
    evalMaxPool2x2Simd(op, x, out, batch);
  } else if (ASC_FEATURE_SIMD && pathBuilt(PATH_POOL_WINDOW) && op.path == PATH_POOL_WINDOW) {
    evalMaxPoolSimd(op, x, out, batch);
  } else if (!ASC_FEATURE_SIMD || pathBuilt(PATH_POOL_CELLS)) {
    evalPool(op, x, out, batch, false);
  } // else unreachable: load refused a pool this build has no loop for
}
