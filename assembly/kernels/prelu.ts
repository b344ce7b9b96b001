// OP_PRELU: out = x < 0 ? alpha · x : x, elementwise over any shape; alpha (the bias slot, always decoded to f32) is
// per channel [C] (the last axis) or per element [size], so element i takes alpha[i mod length]. The SIMD build does
// 4 elements per step with a compare and a select.

import { ERR_MALFORMED, ERR_NONE, OP_PRELU } from '../../formats/constants';
import { E_B_SHAPE, E_NEEDS_WEIGHT, E_NO_WEIGHTS_HERE, E_OUT_SHAPE } from '../errors';
import { Op, dimOf, tensorAt } from '../model';
import { registerKernel } from '../registry';
import { inputValue, opFail, outputValue, shapeFail } from './common';

export function registerPrelu(): void {
  registerKernel(OP_PRELU, 1, 1, preparePrelu, evalPrelu);
}

/** Alpha is [C] or [size] of the input; the output has the input's size. Sets op.inSize and op.outC (alpha's length). */
function preparePrelu(op: Op, index: u32): i32 {
  if (op.weightRef != 0) return opFail(op, index, ERR_MALFORMED, E_NO_WEIGHTS_HERE);
  if (op.biasRef == 0) return opFail(op, index, ERR_MALFORMED, E_NEEDS_WEIGHT);
  let input = inputValue(op, 0);
  let size = input.size;
  let channels = dimOf(changetype<usize>(input), input.rank - 1);
  let alpha = tensorAt(op.biasRef - 1);
  if (alpha.rank != 1 || (alpha.d0 != channels && alpha.d0 != size)) return shapeFail(op, index, E_B_SHAPE, alpha.n, channels);
  let outputSize = outputValue(op).size;
  if (outputSize != size) return shapeFail(op, index, E_OUT_SHAPE, outputSize, size);
  op.inSize = <i32>size;
  op.outC = <i32>alpha.d0;
  return ERR_NONE;
}

function evalPrelu(op: Op, x: usize, out: usize, batch: u32): void {
  let period = <usize>op.outC << 2;
  let end = out + (<usize>(<u32>op.inSize * batch) << 2);
  let alpha = op.denseBias;
  while (out < end) { // one stretch of `period` bytes per alpha vector
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) {
      let zero = f32x4.splat(0);
      for (; i + 16 <= period; i += 16) {
        let v = v128.load(x + i);
        v128.store(out + i, v128.bitselect(f32x4.mul(v, v128.load(alpha + i)), v, f32x4.lt(v, zero)));
      }
    }
    for (; i < period; i += 4) {
      let v = load<f32>(x + i);
      store<f32>(out + i, v < 0 ? v * load<f32>(alpha + i) : v);
    }
    x += period;
    out += period;
  }
}
