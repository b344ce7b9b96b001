// OP_UP_SAMPLING2D: x [H, W, C], params [SH, SW], out [H·SH, W·SW, C], nearest neighbour: out[h, w] =
// x[h / SH, w / SW]. Per input row: the first of its SH output rows takes each input pixel SW times, and the other
// SH − 1 rows copy that row.

import { ERR_NONE, OP_UP_SAMPLING2D } from '../../formats/constants';
import { Op, opParam } from '../model';
import { registerKernel } from '../registry';
import { requireImageOutput, requireNoWeights, requireParams, takeImageInput } from './common';
import { copyFloats } from './vector';

export function registerUpSampling2d(): void {
  registerKernel(OP_UP_SAMPLING2D, 1, 1, prepareUpSampling2d, evalUpSampling2d);
}

/** Sets op.strideH / op.strideW to the factors SH, SW. */
function prepareUpSampling2d(op: Op, index: u32): i32 {
  let code = requireNoWeights(op, index);
  if (code == ERR_NONE) code = requireParams(op, index, 2, 1);
  if (code == ERR_NONE) code = takeImageInput(op, index);
  if (code != ERR_NONE) return code;
  code = requireImageOutput(op, index, <u64>op.inH * opParam(op, 0), <u64>op.inW * opParam(op, 1), <u64>op.inC);
  if (code != ERR_NONE) return code;
  op.strideH = opParam(op, 0);
  op.strideW = opParam(op, 1);
  return ERR_NONE;
}

function evalUpSampling2d(op: Op, x: usize, out: usize, batch: u32): void {
  let channels = <u32>op.inC;
  let pixelBytes = <usize>channels << 2;
  let rowFloats = <u32>op.outW * channels;
  let rowOut = <usize>rowFloats << 2;
  let rows = <u32>op.inH * batch;
  let sh = op.strideH, sw = op.strideW;
  for (let r: u32 = 0; r < rows; r++) {
    let first = out;
    for (let w = 0; w < op.inW; w++) {
      for (let k: u32 = 0; k < sw; k++) {
        copyFloats(out, x, channels);
        out += pixelBytes;
      }
      x += pixelBytes;
    }
    for (let k: u32 = 1; k < sh; k++) {
      copyFloats(out, first, rowFloats);
      out += rowOut;
    }
  }
}
