// OP_DEPTHWISE_CONV2D: x [H, W, C], weight [KH, KW, C, D], out [OH, OW, C·D] with out channel q = c·D + d
// reading input channel c. The weight's flat index is (kh·KW + kw)·C·D + q, so per window tap the weights of all
// output channels are contiguous. Dense path: per pixel and tap, out[q] += x[q / D] · w[q] (vectorised when D = 1).
// Compressed path: each nonzero (kh, kw, c, d) adds x·w over the output pixels of channel c·D + d, on shifted
// planes with stride 1, else on planar rows (conv_compressed.ts).

import {
  ERR_NONE, EXEC_COMPRESSED, OP_DEPTHWISE_CONV2D, PATH_DECODED, SPARSE_EXEC_MAX_DENSITY_PERMILLE_CONV,
} from '../../formats/constants';
import { pathBuilt } from '../features';
import { Op, Tensor } from '../model';
import { PLAN_REFUSED, registerCompressed, registerKernel } from '../registry';
import { checkBias, prepareConvWeight, prepareWindow, weightOf } from './common';
import { evalConvCompressed, prepareConvCompressed } from './conv_compressed';
import { fillRows, multiplyAccumulate } from './vector';

export function registerDepthwiseConv2d(): void {
  registerKernel(OP_DEPTHWISE_CONV2D, 1, 1, prepareDepthwiseConv2d, evalDepthwiseConv2d);
  registerCompressed(OP_DEPTHWISE_CONV2D, SPARSE_EXEC_MAX_DENSITY_PERMILLE_CONV, planDepthwiseConv2d, null);
}

function planDepthwiseConv2d(op: Op, index: u32, t: Tensor): u64 {
  return t.exec == EXEC_COMPRESSED && !prepareConvCompressed(op, index, t) ? PLAN_REFUSED : 0;
}

function prepareDepthwiseConv2d(op: Op, index: u32): i32 {
  let code = prepareConvWeight(op, index);
  if (code != ERR_NONE) return code;
  let t = weightOf(op);
  op.depth = <i32>t.d3;
  let channels = <u64>t.d2 * t.d3;
  code = prepareWindow(op, index, channels);
  if (code != ERR_NONE) return code;
  return checkBias(op, index, <u32>channels);
}

function evalDepthwiseConv2d(op: Op, x: usize, out: usize, batch: u32): void {
  let weights = op.denseWeight;
  if (!pathBuilt(PATH_DECODED) || weights == 0) {
    evalConvCompressed(op, x, out, batch, true);
    return;
  }
  let inH = op.inH, inW = op.inW, inC = op.inC;
  let outH = op.outH, outW = op.outW, outC = op.outC, depth = op.depth;
  let kernelH = op.windowH, kernelW = op.windowW;
  let strideH = <i32>op.strideH, strideW = <i32>op.strideW;
  fillRows(out, op.denseBias, outC, <u32>(outH * outW) * batch);
  let inBytes = <usize>(inH * inW * inC) << 2;
  let o = out;
  for (let b: u32 = 0; b < batch; b++) {
    let xb = x + <usize>b * inBytes;
    for (let oh = 0; oh < outH; oh++) {
      let top = oh * strideH - op.padTop;
      let kh0 = max(0, -top), kh1 = min(kernelH, inH - top);
      for (let ow = 0; ow < outW; ow++) {
        let left = ow * strideW - op.padLeft;
        let kw0 = max(0, -left), kw1 = min(kernelW, inW - left);
        for (let kh = kh0; kh < kh1; kh++) {
          for (let kw = kw0; kw < kw1; kw++) {
            let xp = xb + (<usize>(((top + kh) * inW + left + kw) * inC) << 2);
            let wp = weights + (<usize>((kh * kernelW + kw) * outC) << 2);
            if (depth == 1) {
              multiplyAccumulate(o, xp, wp, outC);
              continue;
            }
            for (let c = 0; c < inC; c++) {
              let xc = load<f32>(xp + (<usize>c << 2));
              for (let q = c * depth, qEnd = q + depth; q < qEnd; q++) {
                let at = <usize>q << 2;
                store<f32>(o + at, load<f32>(o + at) + xc * load<f32>(wp + at));
              }
            }
          }
        }
        o += <usize>outC << 2;
      }
    }
  }
}
