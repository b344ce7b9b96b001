// OP_RESCALE: out = x · scale + offset, elementwise over any shape; the bias slot (decoded to f32) holds
// [scale, offset]. f32 multiply then add, as tfjs computes it (no fused multiply-add in wasm).

import { ERR_MALFORMED, ERR_NONE, OP_RESCALE } from '../../formats/constants';
import { E_B_SHAPE, E_NEEDS_WEIGHT, E_NO_WEIGHTS_HERE, E_OUT_SHAPE } from '../errors';
import { Op, tensorAt } from '../model';
import { registerKernel } from '../registry';
import { inputValue, opFail, outputValue, shapeFail } from './common';

export function registerRescale(): void {
  registerKernel(OP_RESCALE, 1, 1, prepareRescale, evalRescale);
}

function prepareRescale(op: Op, index: u32): i32 {
  if (op.weightRef != 0) return opFail(op, index, ERR_MALFORMED, E_NO_WEIGHTS_HERE);
  if (op.biasRef == 0) return opFail(op, index, ERR_MALFORMED, E_NEEDS_WEIGHT);
  let p = tensorAt(op.biasRef - 1);
  if (p.rank != 1 || p.d0 != 2) return shapeFail(op, index, E_B_SHAPE, p.n, 2);
  let size = inputValue(op, 0).size, outputSize = outputValue(op).size;
  if (outputSize != size) return shapeFail(op, index, E_OUT_SHAPE, outputSize, size);
  op.inSize = <i32>size;
  return ERR_NONE;
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
