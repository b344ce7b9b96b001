// OP_THRESHOLDED_RELU: out = x > theta ? x : 0, elementwise over any shape; the bias slot (decoded to f32) holds
// [theta]. The SIMD build keeps the lanes above theta with a compare and an and.

import { OP_THRESHOLDED_RELU } from '../../formats/constants';
import { Op } from '../model';
import { registerKernel } from '../registry';
import { prepareBiasConstants } from './common';

export function registerThresholdedRelu(): void {
  registerKernel(OP_THRESHOLDED_RELU, 1, 1, prepareThresholdedRelu, evalThresholdedRelu);
}

function prepareThresholdedRelu(op: Op, index: u32): i32 {
  return prepareBiasConstants(op, index, 1);
}

function evalThresholdedRelu(op: Op, x: usize, out: usize, batch: u32): void {
  let theta = load<f32>(op.denseBias);
  let end = out + (<usize>(<u32>op.inSize * batch) << 2);
  if (ASC_FEATURE_SIMD) {
    let t = f32x4.splat(theta);
    for (; out + 16 <= end; out += 16, x += 16) {
      let v = v128.load(x);
      v128.store(out, v128.and(v, f32x4.gt(v, t)));
    }
  }
  for (; out < end; out += 4, x += 4) {
    let v = load<f32>(x);
    store<f32>(out, v > theta ? v : 0);
  }
}
