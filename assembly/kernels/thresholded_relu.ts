// OP_THRESHOLDED_RELU: out = x > theta ? x : 0, elementwise over any shape; the bias slot (decoded to f32) holds
// [theta]. The SIMD build keeps the lanes above theta with a compare and an and.

import { ERR_MALFORMED, ERR_NONE, OP_THRESHOLDED_RELU } from '../../formats/constants';
import { E_B_SHAPE, E_NEEDS_WEIGHT, E_NO_WEIGHTS_HERE, E_OUT_SHAPE } from '../errors';
import { Op, tensorAt } from '../model';
import { registerKernel } from '../registry';
import { inputValue, opFail, outputValue, shapeFail } from './common';

export function registerThresholdedRelu(): void {
  registerKernel(OP_THRESHOLDED_RELU, 1, 1, prepareThresholdedRelu, evalThresholdedRelu);
}

function prepareThresholdedRelu(op: Op, index: u32): i32 {
  if (op.weightRef != 0) return opFail(op, index, ERR_MALFORMED, E_NO_WEIGHTS_HERE);
  if (op.biasRef == 0) return opFail(op, index, ERR_MALFORMED, E_NEEDS_WEIGHT);
  let theta = tensorAt(op.biasRef - 1);
  if (theta.rank != 1 || theta.d0 != 1) return shapeFail(op, index, E_B_SHAPE, theta.n, 1);
  let size = inputValue(op, 0).size, outputSize = outputValue(op).size;
  if (outputSize != size) return shapeFail(op, index, E_OUT_SHAPE, outputSize, size);
  op.inSize = <i32>size;
  return ERR_NONE;
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
