// OP_CONV2D_TRANSPOSE: x [H, W, C], weight [KH, KW, C, M], out [OH, OW, M] (Keras' deconv length: 'same' H·SH,
// 'valid' H·SH + max(KH − SH, 0)). Each input pixel (ih, iw) adds x[ih, iw, :] · w[kh, kw, :, :] to output pixel
// (ih·SH + kh − pad_top, iw·SW + kw − pad_left) for every tap that lands inside the output; the pads are those of the
// conv2d whose input gradient this is (same: pad_total = max((H − 1)·SH + KH − OH, 0), top = floor(total / 2)).
// Dense path: per input pixel and tap, one matrix-vector product [C] × [C, M] added to the output pixel.
// Compressed path (PATH_CONV_PLANAR): the input transposed to planar [C, H, W] and the output accumulated as planar
// [M, OH, OW] in the op's arena scratch; each nonzero (kh, kw, c, m) adds w · (a run of input pixels of channel c) to
// every input row's output row, at output column step SW; then the planar output goes back to [OH, OW, M]. The walk
// over the nonzeros is conv_compressed.ts's, each one applied by conv_planar.ts's planarApplyTransposed.

import {
  ERR_NONE, EXEC_COMPRESSED, OP_CONV2D_TRANSPOSE, PAD_SAME, PATH_CONV_PLANAR, PATH_DECODED,
  SPARSE_EXEC_MAX_DENSITY_PERMILLE_CONV,
} from '../../formats/constants';
import { CTX_PATH, MISSING_PATH, notBuilt } from '../errors';
import { pathBuilt } from '../features';
import { Op, Tensor } from '../model';
import { PLAN_REFUSED, registerCompressed, registerKernel } from '../registry';
import { checkBias, prepareConvWeight, requireImageOutput, takeStrides, weightOf } from './common';
import { evalConvCompressed } from './conv_compressed';
import { planarScratchFloats } from './conv_planar';
import { accumulateRows } from './matvec';
import { fillRows } from './vector';

export function registerConv2dTranspose(): void {
  registerKernel(OP_CONV2D_TRANSPOSE, 1, 1, prepareConv2dTranspose, evalConv2dTranspose);
  registerCompressed(OP_CONV2D_TRANSPOSE, SPARSE_EXEC_MAX_DENSITY_PERMILLE_CONV, planConv2dTranspose, null);
}

/** Output length along one axis (Keras' deconv length) and the pad before it. */
function transposedLength(input: u64, kernel: u64, stride: u64, padding: u32): u64 {
  if (padding == PAD_SAME) return input * stride;
  return input * stride + (kernel > stride ? kernel - stride : 0);
}

function transposedPadBefore(input: u64, kernel: u64, stride: u64, out: u64, padding: u32): i32 {
  if (padding != PAD_SAME) return 0;
  let span = (input - 1) * stride + kernel;
  return span > out ? <i32>((span - out) >> 1) : 0;
}

/** Weight [KH, KW, C, M] over [H, W, C]; strides; output [OH, OW, M]; bias [M]. Sets the geometry. */
function prepareConv2dTranspose(op: Op, index: u32): i32 {
  let code = prepareConvWeight(op, index);
  if (code == ERR_NONE) code = takeStrides(op, index);
  if (code != ERR_NONE) return code;
  let t = weightOf(op);
  let strideH = <u64>op.strideH, strideW = <u64>op.strideW;
  let outH = transposedLength(op.inH, t.d0, strideH, op.padding);
  let outW = transposedLength(op.inW, t.d1, strideW, op.padding);
  code = requireImageOutput(op, index, outH, outW, t.d3);
  if (code != ERR_NONE) return code;
  op.padTop = transposedPadBefore(op.inH, t.d0, strideH, outH, op.padding);
  op.padLeft = transposedPadBefore(op.inW, t.d1, strideW, outW, op.padding);
  return checkBias(op, index, t.d3);
}

/** The compressed path's scratch: planar input + planar output, per sample. */
function planConv2dTranspose(op: Op, index: u32, t: Tensor): u64 {
  if (t.exec != EXEC_COMPRESSED) return 0;
  if (!pathBuilt(PATH_CONV_PLANAR)) {
    notBuilt(MISSING_PATH, CTX_PATH, PATH_CONV_PLANAR, op.msgOffset, index);
    return PLAN_REFUSED;
  }
  op.scratchFloats = planarScratchFloats(op);
  op.path = PATH_CONV_PLANAR;
  op.paths |= 1 << PATH_CONV_PLANAR;
  return 0;
}

function evalConv2dTranspose(op: Op, x: usize, out: usize, batch: u32): void {
  if (pathBuilt(PATH_DECODED) && op.denseWeight != 0) evalDense(op, x, out, batch);
  else if (pathBuilt(PATH_CONV_PLANAR)) evalConvCompressed(op, x, out, batch, false);
}

function evalDense(op: Op, x: usize, out: usize, batch: u32): void {
  let inH = op.inH, inW = op.inW, inC = op.inC, outH = op.outH, outW = op.outW, outC = op.outC;
  let kernelH = op.windowH, kernelW = op.windowW;
  let strideH = <i32>op.strideH, strideW = <i32>op.strideW;
  fillRows(out, op.denseBias, outC, <u32>(outH * outW) * batch);
  let tapBytes = <usize>(inC * outC) << 2;
  let pixelIn = <usize>inC << 2, pixelOut = <usize>outC << 2;
  for (let b: u32 = 0; b < batch; b++) {
    let ob = out + <usize>b * <usize>(outH * outW) * pixelOut;
    for (let ih = 0; ih < inH; ih++) {
      let top = ih * strideH - op.padTop;
      let kh0 = max(0, -top), kh1 = min(kernelH, outH - top);
      for (let iw = 0; iw < inW; iw++) {
        let left = iw * strideW - op.padLeft;
        let kw0 = max(0, -left), kw1 = min(kernelW, outW - left);
        for (let kh = kh0; kh < kh1; kh++) {
          for (let kw = kw0; kw < kw1; kw++) {
            let o = ob + <usize>((top + kh) * outW + left + kw) * pixelOut;
            accumulateRows(o, x, op.denseWeight + <usize>(kh * kernelW + kw) * tapBytes, inC, outC);
          }
        }
        x += pixelIn;
      }
    }
  }
}
