// OP_CROP2D: x [H, W, C], params [top, bottom, left, right], out [H − top − bottom, W − left − right, C]: the
// window of the input that is left, one row copy per output row.

import { ERR_NONE, OP_CROP2D } from '../../formats/constants';
import { E_OUT_SHAPE } from '../errors';
import { Op, opParam } from '../model';
import { registerKernel } from '../registry';
import { requireImageOutput, requireNoWeights, requireParams, shapeFail, takeImageInput } from './common';
import { copyFloats } from './vector';

export function registerCrop2d(): void {
  registerKernel(OP_CROP2D, 1, 1, prepareCrop2d, evalCrop2d);
}

/** Sets op.padTop and op.padLeft to the rows and columns cut before the window. */
function prepareCrop2d(op: Op, index: u32): i32 {
  let code = requireNoWeights(op, index);
  if (code == ERR_NONE) code = requireParams(op, index, 4, 0);
  if (code == ERR_NONE) code = takeImageInput(op, index);
  if (code != ERR_NONE) return code;
  let cutH = <u64>opParam(op, 0) + opParam(op, 1), cutW = <u64>opParam(op, 2) + opParam(op, 3);
  if (cutH >= <u64>op.inH) return shapeFail(op, index, E_OUT_SHAPE, cutH, op.inH - 1);
  if (cutW >= <u64>op.inW) return shapeFail(op, index, E_OUT_SHAPE, cutW, op.inW - 1);
  code = requireImageOutput(op, index, <u64>op.inH - cutH, <u64>op.inW - cutW, <u64>op.inC);
  if (code != ERR_NONE) return code;
  op.padTop = <i32>opParam(op, 0);
  op.padLeft = <i32>opParam(op, 2);
  return ERR_NONE;
}

function evalCrop2d(op: Op, x: usize, out: usize, batch: u32): void {
  let channels = op.inC;
  let rowFloats = <u32>(op.outW * channels);
  let rowOut = <usize>rowFloats << 2;
  let rowIn = <usize>(op.inW * channels) << 2;
  let inBytes = <usize>op.inH * rowIn;
  let first = <usize>op.padTop * rowIn + (<usize>(op.padLeft * channels) << 2);
  for (let b: u32 = 0; b < batch; b++) {
    let src = x + first;
    for (let h = 0; h < op.outH; h++) {
      copyFloats(out, src, rowFloats);
      out += rowOut;
      src += rowIn;
    }
    x += inBytes;
  }
}
