// OP_ZERO_PAD2D: x [H, W, C], params [top, bottom, left, right], out [top + H + bottom, left + W + right, C]: the
// input in the middle, zeros around it. Per sample: the top and bottom rows are zero-filled in one run each; each
// input row is copied once, between its left and right runs of zeros.

import { ERR_NONE, OP_ZERO_PAD2D } from '../../formats/constants';
import { Op, opParam } from '../model';
import { registerKernel } from '../registry';
import { requireImageOutput, requireNoWeights, requireParams, takeImageInput } from './common';
import { copyFloats } from './vector';

export function registerZeroPad2d(): void {
  registerKernel(OP_ZERO_PAD2D, 1, 1, prepareZeroPad2d, evalZeroPad2d);
}

/** Sets op.padTop and op.padLeft (bottom and right follow from the output size). */
function prepareZeroPad2d(op: Op, index: u32): i32 {
  let code = requireNoWeights(op, index);
  if (code == ERR_NONE) code = requireParams(op, index, 4, 0);
  if (code == ERR_NONE) code = takeImageInput(op, index);
  if (code != ERR_NONE) return code;
  let outH = <u64>op.inH + opParam(op, 0) + opParam(op, 1);
  let outW = <u64>op.inW + opParam(op, 2) + opParam(op, 3);
  code = requireImageOutput(op, index, outH, outW, <u64>op.inC);
  if (code != ERR_NONE) return code;
  op.padTop = <i32>opParam(op, 0);
  op.padLeft = <i32>opParam(op, 2);
  return ERR_NONE;
}

function evalZeroPad2d(op: Op, x: usize, out: usize, batch: u32): void {
  let rowFloats = <u32>(op.inW * op.inC);
  let rowIn = <usize>rowFloats << 2;
  let rowOut = <usize>(op.outW * op.outC) << 2;
  let left = <usize>(op.padLeft * op.inC) << 2;
  let right = rowOut - rowIn - left;
  let top = <usize>op.padTop * rowOut;
  let bottom = <usize>(op.outH - op.inH - op.padTop) * rowOut;
  for (let b: u32 = 0; b < batch; b++) {
    memory.fill(out, 0, top);
    out += top;
    for (let h = 0; h < op.inH; h++) {
      memory.fill(out, 0, left);
      copyFloats(out + left, x, rowFloats);
      memory.fill(out + left + rowIn, 0, right);
      out += rowOut;
      x += rowIn;
    }
    memory.fill(out, 0, bottom);
    out += bottom;
  }
}
