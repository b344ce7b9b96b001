// The compressed path of depthwise conv2d, and of conv2d at low density (see prepare.ts; conv2d_sparse.ts shares
// the helpers here). The op's arena scratch holds the input transposed to planar
// [C, H, W] and the output accumulated as planar [M, OH, OW] (per sample, for the whole batch). Each decoded
// nonzero (kh, kw, c, m) then adds w · x to every output pixel of channel m whose window puts (kh, kw) inside the
// input: for each valid output row, one contiguous run of output pixels reads one run of input pixels (contiguous
// when the column stride is 1, so the SIMD build does it 4 pixels at a time). The valid output range per kh / kw
// is computed once per nonzero. At the end the planar output goes back to [OH, OW, M]. conv_compressed.ts walks the
// nonzeros: planarBegin transposes and sets the bias, planarApply adds one nonzero, planarEnd transposes back. The
// compressed transposed conv (conv2d_transpose.ts) runs the same way with planarApplyTransposed, which scatters each
// run of input pixels into the output at the column stride.

import { Op } from '../model';
import { scratchPointer } from '../planner';

/** Scratch floats per sample the compressed path needs: planar input + planar output. */
export function planarScratchFloats(op: Op): u32 {
  return <u32>(op.inH * op.inW * op.inC) + <u32>(op.outH * op.outW * op.outC);
}

/**
 * dst[c·dstPitch + r] = src[r·srcPitch + c] for r < rows, c < cols (pitches in floats): a block transpose. The SIMD
 * build moves 4 × 4 blocks with shuffles; edges go one float at a time.
 */
export function transposeBlock(src: usize, srcPitch: i32, dst: usize, dstPitch: i32, rows: i32, cols: i32): void {
  let srcRow = <usize>srcPitch << 2, dstRow = <usize>dstPitch << 2;
  let r0 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; r0 + 4 <= rows; r0 += 4) {
      let c0 = 0;
      for (; c0 + 4 <= cols; c0 += 4) {
        let s = src + <usize>r0 * srcRow + (<usize>c0 << 2);
        let a = v128.load(s), bb = v128.load(s + srcRow);
        let c = v128.load(s + srcRow * 2), d = v128.load(s + srcRow * 3);
        let ab0 = v128.shuffle<f32>(a, bb, 0, 4, 1, 5), ab1 = v128.shuffle<f32>(a, bb, 2, 6, 3, 7);
        let cd0 = v128.shuffle<f32>(c, d, 0, 4, 1, 5), cd1 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
        let t = dst + <usize>c0 * dstRow + (<usize>r0 << 2);
        v128.store(t, v128.shuffle<f32>(ab0, cd0, 0, 1, 4, 5));
        v128.store(t + dstRow, v128.shuffle<f32>(ab0, cd0, 2, 3, 6, 7));
        v128.store(t + dstRow * 2, v128.shuffle<f32>(ab1, cd1, 0, 1, 4, 5));
        v128.store(t + dstRow * 3, v128.shuffle<f32>(ab1, cd1, 2, 3, 6, 7));
      }
      for (let r = r0; r < r0 + 4; r++) {
        for (let c = c0; c < cols; c++) {
          store<f32>(dst + <usize>c * dstRow + (<usize>r << 2), load<f32>(src + <usize>r * srcRow + (<usize>c << 2)));
        }
      }
    }
  }
  for (let r = r0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      store<f32>(dst + <usize>c * dstRow + (<usize>r << 2), load<f32>(src + <usize>r * srcRow + (<usize>c << 2)));
    }
  }
}

/** dst[c][r] = src[r][c] for a rows × cols matrix of f32, for each of `batch` matrices stored back to back. */
export function transpose(src: usize, dst: usize, rows: i32, cols: i32, batch: u32): void {
  let size = <usize>(rows * cols) << 2;
  for (let b: u32 = 0; b < batch; b++) {
    transposeBlock(src, cols, dst, rows, rows, cols);
    src += size;
    dst += size;
  }
}

/** Each of the `channels` planes of `pixels` floats starts as bias[c] (0 without bias), for `batch` samples. */
export function fillPlanes(dst: usize, bias: usize, pixels: i32, channels: i32, batch: u32): void {
  for (let b: u32 = 0; b < batch; b++) {
    for (let c = 0; c < channels; c++) {
      let value: f32 = bias != 0 ? load<f32>(bias + (<usize>c << 2)) : 0;
      let p = 0;
      if (ASC_FEATURE_SIMD) {
        let v = f32x4.splat(value);
        for (; p + 4 <= pixels; p += 4) v128.store(dst + (<usize>p << 2), v);
      }
      for (; p < pixels; p++) store<f32>(dst + (<usize>p << 2), value);
      dst += <usize>pixels << 2;
    }
  }
}

/**
 * dst[j · dstStep] += w · src[j · srcStep] for j < count (steps in floats): a gather (conv) or a scatter (transposed
 * conv) along a row. The SIMD build goes 4 at a time when both steps are 1.
 */
@inline export function addScaledRun(dst: usize, dstStep: i32, src: usize, srcStep: i32, w: f32, count: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    if (dstStep == 1 && srcStep == 1) {
      let wv = f32x4.splat(w);
      for (; j + 4 <= count; j += 4) {
        let at = <usize>j << 2;
        v128.store(dst + at, f32x4.add(v128.load(dst + at), f32x4.mul(wv, v128.load(src + at))));
      }
    }
  }
  let dstBytes = <usize>dstStep << 2, srcBytes = <usize>srcStep << 2;
  let d = dst + <usize>j * dstBytes, s = src + <usize>j * srcBytes;
  for (; j < count; j++) {
    store<f32>(d, load<f32>(d) + w * load<f32>(s));
    d += dstBytes;
    s += srcBytes;
  }
}

/** First output index o with o·stride + k − pad ≥ 0. */
@inline export function firstValid(k: i32, pad: i32, stride: i32): i32 {
  let shift = pad - k;
  return shift <= 0 ? 0 : stride == 1 ? shift : (shift + stride - 1) / stride;
}

/** One past the last output index o with o·stride + k − pad < size (at most outSize). */
@inline export function endValid(k: i32, pad: i32, stride: i32, size: i32, outSize: i32): i32 {
  let limit = size + pad - k;
  return limit <= 0 ? 0 : min(stride == 1 ? limit : (limit + stride - 1) / stride, outSize);
}

// The run's state, set by planarBegin for planarApply and planarEnd.
let planarIn: usize = 0, planarOut: usize = 0;
let inSample: usize = 0, outSample: usize = 0, inRowStep: usize = 0, outRowStep: usize = 0;
let inH: i32 = 0, inW: i32 = 0, outH: i32 = 0, outW: i32 = 0, inPixels: i32 = 0, outPixels: i32 = 0;
let strideH: i32 = 0, strideW: i32 = 0, padTop: i32 = 0, padLeft: i32 = 0;
let samples: u32 = 0;

/** The input to planar [C, H, W] and the planar output [M, OH, OW] to the bias, per sample. */
export function planarBegin(op: Op, x: usize, batch: u32): void {
  inH = op.inH; inW = op.inW; outH = op.outH; outW = op.outW;
  strideH = <i32>op.strideH; strideW = <i32>op.strideW; padTop = op.padTop; padLeft = op.padLeft;
  inPixels = inH * inW;
  outPixels = outH * outW;
  planarIn = scratchPointer(op.scratchOffset);
  planarOut = planarIn + (<usize>(inPixels * op.inC) * batch << 2);
  transpose(x, planarIn, inPixels, op.inC, batch);
  fillPlanes(planarOut, op.denseBias, outPixels, op.outC, batch);
  inSample = <usize>(inPixels * op.inC) << 2;
  outSample = <usize>(outPixels * op.outC) << 2;
  inRowStep = <usize>(strideH * inW) << 2;
  outRowStep = <usize>outW << 2;
  samples = batch;
}

/**
 * One nonzero w at tap (ky, kx) of input channel c: w · x added to every output pixel of `outChannel` whose window
 * puts the tap inside the input, one run of pixels per valid output row.
 */
@inline export function planarApply(c: i32, ky: i32, kx: i32, outChannel: i32, w: f32): void {
  let oh0 = firstValid(ky, padTop, strideH), oh1 = endValid(ky, padTop, strideH, inH, outH);
  let ow0 = firstValid(kx, padLeft, strideW), ow1 = endValid(kx, padLeft, strideW, inW, outW);
  let run = ow1 - ow0;
  if (oh0 >= oh1 || run <= 0) return;
  let iw0 = ow0 * strideW + kx - padLeft;
  let ih0 = oh0 * strideH + ky - padTop;
  let inRows = planarIn + (<usize>(c * inPixels + ih0 * inW + iw0) << 2);
  let outRows = planarOut + (<usize>(outChannel * outPixels + oh0 * outW + ow0) << 2);
  for (let b: u32 = 0; b < samples; b++) {
    let src = inRows, dst = outRows;
    for (let oh = oh0; oh < oh1; oh++) {
      addScaledRun(dst, 1, src, strideW, w, run);
      src += inRowStep;
      dst += outRowStep;
    }
    inRows += inSample;
    outRows += outSample;
  }
}

/**
 * Transposed conv (conv2d_transpose.ts): one nonzero w at tap (kh, kw) of input channel c adds w · x to output
 * channel `outChannel` at every input pixel whose tap lands inside the output, one run per valid input row (output
 * column step SW). planarBegin's state serves with the roles of input and output swapped in the geometry.
 */
@inline export function planarApplyTransposed(c: i32, kh: i32, kw: i32, outChannel: i32, w: f32): void {
  let ih0 = firstValid(kh, padTop, strideH), ih1 = endValid(kh, padTop, strideH, outH, inH);
  let iw0 = firstValid(kw, padLeft, strideW), iw1 = endValid(kw, padLeft, strideW, outW, inW);
  let run = iw1 - iw0;
  if (ih0 >= ih1 || run <= 0) return;
  let oh0 = ih0 * strideH + kh - padTop;
  let ow0 = iw0 * strideW + kw - padLeft;
  let inRows = planarIn + (<usize>(c * inPixels + ih0 * inW + iw0) << 2);
  let outRows = planarOut + (<usize>(outChannel * outPixels + oh0 * outW + ow0) << 2);
  let inRow = <usize>inW << 2, outRow = <usize>(strideH * outW) << 2;
  for (let b: u32 = 0; b < samples; b++) {
    let src = inRows, dst = outRows;
    for (let ih = ih0; ih < ih1; ih++) {
      addScaledRun(dst, strideW, src, 1, w, run);
      src += inRow;
      dst += outRow;
    }
    inRows += inSample;
    outRows += outSample;
  }
}

/** The planar output back to [OH, OW, M] per sample. */
export function planarEnd(op: Op, out: usize, batch: u32): void {
  transpose(planarOut, out, op.outC, outPixels, batch);
}
