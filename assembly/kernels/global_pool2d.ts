// OP_GLOBAL_AVG_POOL2D and OP_GLOBAL_MAX_POOL2D: x [H, W, C] → out [C], the mean or maximum over all H·W pixels.

import { ERR_NONE, OP_GLOBAL_AVG_POOL2D, OP_GLOBAL_MAX_POOL2D } from '../../formats/constants';
import { E_OUT_SHAPE } from '../errors';
import { Op } from '../model';
import { registerKernel } from '../registry';
import { outputValue, requireNoWeights, shapeFail, takeImageInput } from './common';
import { addInto, copyFloats, maxInto, scaleInPlace } from './vector';

export function registerGlobalAvgPool2d(): void {
  registerKernel(OP_GLOBAL_AVG_POOL2D, 1, 1, prepareGlobalPool2d, evalGlobalAvgPool2d);
}

export function registerGlobalMaxPool2d(): void {
  registerKernel(OP_GLOBAL_MAX_POOL2D, 1, 1, prepareGlobalPool2d, evalGlobalMaxPool2d);
}

function prepareGlobalPool2d(op: Op, index: u32): i32 {
  let code = requireNoWeights(op, index);
  if (code == ERR_NONE) code = takeImageInput(op, index);
  if (code != ERR_NONE) return code;
  let outputSize = outputValue(op).size;
  if (outputSize != <u32>op.inC) return shapeFail(op, index, E_OUT_SHAPE, outputSize, op.inC);
  op.outC = op.inC;
  return ERR_NONE;
}

function evalGlobalAvgPool2d(op: Op, x: usize, out: usize, batch: u32): void {
  evalGlobalPool2d(op, x, out, batch, true);
}

function evalGlobalMaxPool2d(op: Op, x: usize, out: usize, batch: u32): void {
  evalGlobalPool2d(op, x, out, batch, false);
}

function evalGlobalPool2d(op: Op, x: usize, out: usize, batch: u32, average: bool): void {
  let channels = op.inC;
  let pixels = op.inH * op.inW;
  let pixelBytes = <usize>channels << 2;
  for (let b: u32 = 0; b < batch; b++) {
    copyFloats(out, x, <u32>channels);
    x += pixelBytes;
    for (let p = 1; p < pixels; p++) {
      if (average) addInto(out, x, <u32>channels);
      else maxInto(out, x, <u32>channels);
      x += pixelBytes;
    }
    if (average) scaleInPlace(out, <u32>channels, 1.0 / <f32>pixels);
    out += pixelBytes;
  }
}
