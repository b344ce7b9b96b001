// OP_AVG_POOL2D: x [H, W, C] → out [OH, OW, C], the mean over the valid cells of each window
// (with same padding the divisor is the number of valid cells, as in TensorFlow): pool2d.ts's loop (PATH_POOL_CELLS).

import { ERR_NONE, OP_AVG_POOL2D, PATH_POOL_CELLS } from '../../formats/constants';
import { Op } from '../model';
import { registerKernel } from '../registry';
import { evalPool, preparePool, takePoolPath } from './pool2d';

export function registerAvgPool2d(): void {
  registerKernel(OP_AVG_POOL2D, 1, 1, prepareAvgPool2d, evalAvgPool2d);
}

function prepareAvgPool2d(op: Op, index: u32): i32 {
  let code = preparePool(op, index);
  return code != ERR_NONE ? code : takePoolPath(op, index, PATH_POOL_CELLS);
}

function evalAvgPool2d(op: Op, x: usize, out: usize, batch: u32): void {
  evalPool(op, x, out, batch, true);
}
