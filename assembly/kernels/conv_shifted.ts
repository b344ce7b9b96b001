// The compressed path of conv2d and depthwise conv2d with stride 1 ("shifted planes"). With stride 1, output
// pixel (oh, ow) reads input pixel (oh + kh − padTop, ow + kw − padLeft) through tap (kh, kw). So if the input
// channel is laid out as a zero-padded plane of Hp × Wp (Hp = OH + KH − 1, Wp = OW + KW − 1) and the output channel
// as a plane of OH rows with the same pitch Wp, tap (kh, kw) of every output pixel of a sample reads the input
// plane shifted by kh·Wp + kw: one contiguous run of (OH − 1)·Wp + OW floats. Each nonzero (kh, kw, c, m) is then
// a single out[m][i] += w · in[c][i + kh·Wp + kw] over that run (4 floats per step in the SIMD build), with no
// per-row set-up; the Wp − OW columns at the end of each output row are junk and never copied out.
//   1. the input goes to planar [C][batch][Hp][Wp], zero-padded (a one-channel valid conv reads x in place);
//   2. the output planes [M][batch][OH][Wp] start as the bias;
//   3. each stored nonzero adds its run, per sample;
//   4. the valid OW columns of each output row go back to [batch, OH, OW, M].
// The scratch (both plane sets) is planned in the arena. conv_compressed.ts walks the nonzeros: shiftedBegin does
// steps 1–2, shiftedApply step 3 for one nonzero, shiftedEnd step 4.

import { Op } from '../model';
import { scratchPointer } from '../planner';
import { fillPlanes, transposeBlock } from './conv_planar';

@inline function paddedH(op: Op): i32 {
  return op.outH + op.windowH - 1;
}

@inline function paddedW(op: Op): i32 {
  return op.outW + op.windowW - 1;
}

/** Whether the input can be read in place: one channel and no padding, so x already is the padded plane. */
@inline function inputInPlace(op: Op): bool {
  return op.inC == 1 && paddedH(op) == op.inH && paddedW(op) == op.inW;
}

/**
 * dst[j] += w · src[j] for j < count. The SIMD build does 16 floats per step with pointer increments and constant
 * offsets (V8 folds those into the addressing: fewer instructions per vector than indexed addressing).
 */
@inline function addScaled(dst: usize, src: usize, w: f32, count: i32): void {
  let end = dst + (<usize>count << 2);
  if (ASC_FEATURE_SIMD) {
    let wv = f32x4.splat(w);
    for (let end16 = dst + (<usize>(count & ~15) << 2); dst < end16; dst += 64, src += 64) {
      v128.store(dst, f32x4.add(v128.load(dst), f32x4.mul(wv, v128.load(src))));
      v128.store(dst, f32x4.add(v128.load(dst, 16), f32x4.mul(wv, v128.load(src, 16))), 16);
      v128.store(dst, f32x4.add(v128.load(dst, 32), f32x4.mul(wv, v128.load(src, 32))), 32);
      v128.store(dst, f32x4.add(v128.load(dst, 48), f32x4.mul(wv, v128.load(src, 48))), 48);
    }
    for (let end4 = end - 12; dst < end4; dst += 16, src += 16) {
      v128.store(dst, f32x4.add(v128.load(dst), f32x4.mul(wv, v128.load(src))));
    }
  }
  for (; dst < end; dst += 4, src += 4) store<f32>(dst, load<f32>(dst) + w * load<f32>(src));
}

/** Whether the shifted-plane path applies (stride 1 both ways). */
export function shiftedPlanesApply(op: Op): bool {
  return op.strideH == 1 && op.strideW == 1;
}

/** Prepare: the arena scratch per sample, padded input planes (unless read in place) + output planes of pitch Wp. */
export function prepareShifted(op: Op): void {
  let wp = paddedW(op);
  let input = inputInPlace(op) ? 0 : <u32>(op.inC * paddedH(op) * wp);
  op.scratchFloats = input + <u32>(op.outC * op.outH * wp);
}

// The run's state, set by shiftedBegin for shiftedApply and shiftedEnd.
let planesIn: usize = 0, planesOut: usize = 0;
let inPlaneBytes: usize = 0, outPlaneBytes: usize = 0, inStep: usize = 0, outStep: usize = 0;
let pitch: i32 = 0, runLength: i32 = 0, samples: u32 = 0;

/** Steps 1 and 2: the input to padded planes (unless read in place), the output planes to the bias. */
export function shiftedBegin(op: Op, x: usize, batch: u32): void {
  let inH = op.inH, inW = op.inW, inC = op.inC, outH = op.outH;
  let hp = paddedH(op), wp = paddedW(op);
  let inSample = hp * wp, outSample = outH * wp;
  inPlaneBytes = <usize>(inSample * <i32>batch) << 2;
  outPlaneBytes = <usize>(outSample * <i32>batch) << 2;
  let scratch = scratchPointer(op.scratchOffset);
  planesIn = x;
  planesOut = scratch;
  if (!inputInPlace(op)) {
    planesIn = scratch;
    planesOut = scratch + <usize>inC * inPlaneBytes;
    if (op.padTop != 0 || op.padLeft != 0 || hp != inH || wp != inW) memory.fill(planesIn, 0, <usize>inC * inPlaneBytes);
    let rowBytes = <usize>(inW * inC) << 2;
    for (let b: u32 = 0; b < batch; b++) {
      for (let ih = 0; ih < inH; ih++) {
        let src = x + (<usize>(<i32>b * inH + ih)) * rowBytes;
        let dst = planesIn + (<usize>(<i32>b * inSample + (ih + op.padTop) * wp + op.padLeft) << 2);
        transposeBlock(src, inC, dst, inSample * <i32>batch, inW, inC);
      }
    }
  }
  fillPlanes(planesOut, op.denseBias, outSample * <i32>batch, op.outC, 1);
  pitch = wp;
  runLength = (outH - 1) * wp + op.outW;
  inStep = <usize>inSample << 2;
  outStep = <usize>outSample << 2;
  samples = batch;
}

/** Step 3 for one nonzero w at tap (ky, kx) of input channel c, adding to output channel `outChannel`. */
@inline export function shiftedApply(c: i32, ky: i32, kx: i32, outChannel: i32, w: f32): void {
  let src = planesIn + <usize>c * inPlaneBytes + (<usize>(ky * pitch + kx) << 2);
  let dst = planesOut + <usize>outChannel * outPlaneBytes;
  for (let b: u32 = 0; b < samples; b++) {
    addScaled(dst, src, w, runLength);
    src += inStep;
    dst += outStep;
  }
}

/** Step 4: the valid columns of each output row, [M][OW] blocks → [OW][M]. */
export function shiftedEnd(op: Op, out: usize, batch: u32): void {
  let outH = op.outH, outW = op.outW, outC = op.outC, wp = paddedW(op);
  let outSample = outH * wp;
  let pixelRowBytes = <usize>(outW * outC) << 2;
  let o = out;
  for (let b: u32 = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      transposeBlock(planesOut + (<usize>(<i32>b * outSample + oh * wp) << 2), outSample * <i32>batch, o, outC, outC, outW);
      o += pixelRowBytes;
    }
  }
}
