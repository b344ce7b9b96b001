// OP_AVG_POOL2D: x [H, W, C] → out [OH, OW, C], the mean over the valid cells of each window
// (with same padding the divisor is the number of valid cells, as in TensorFlow). Shares max_pool2d's loop.

import { Op } from '../model';
import { evalPool, preparePool } from './max_pool2d';

export function prepareAvgPool2d(op: Op, index: u32): i32 {
  return preparePool(op, index);
}

export function evalAvgPool2d(op: Op, x: usize, out: usize, batch: u32): void {
  evalPool(op, x, out, batch, true);
}
