// OP_AVG_POOL2D: x [H, W, C] → out [OH, OW, C], the mean over the valid cells of each window
// (with same padding the divisor is the number of valid cells, as in TensorFlow): pool2d.ts's loop.

import { OP_AVG_POOL2D } from '../../formats/constants';
import { Op } from '../model';
import { registerKernel } from '../registry';
import { evalPool, preparePool } from './pool2d';

export function registerAvgPool2d(): void {
  registerKernel(OP_AVG_POOL2D, 1, 1, preparePool, evalAvgPool2d);
}

function evalAvgPool2d(op: Op, x: usize, out: usize, batch: u32): void {
  evalPool(op, x, out, batch, true);
}
