// OP_RESCALE: out = x · scale + offset, elementwise over any shape; the bias slot (decoded to f32) holds
// [scale, offset]. f32 multiply then add, as tfjs computes it (no fused multiply-add in wasm).

import { OP_RESCALE } from '../../formats/constants';
import { Op } from '../model';
import { registerKernel } from '../registry';
import { prepareBiasConstants } from './common';

export function registerRescale(): void {
  registerKernel(OP_RESCALE, 1, 1, prepareRescale, evalRescale);
}

function prepareRescale(op: Op, index: u32): i32 {
  return prepareBiasConstants(op, index, 2);
}

function evalRescale(op: Op, x: usize, out: usize, batch: u32): void {
  let scale = load<f32>(op.denseBias), offset = load<f32>(op.denseBias, 4);
  let end = out + (<usize>(<u32>op.inSize * batch) << 2);
  if (ASC_FEATURE_SIMD) {
    let s = f32x4.splat(scale), o = f32x4.splat(offset);
    for (; out + 16 <= end; out += 16, x += 16) v128.store(out, f32x4.add(f32x4.mul(v128.load(x), s), o));
  }
  for (; out < end; out += 4, x += 4) store<f32>(out, load<f32>(x) * scale + offset);
}
