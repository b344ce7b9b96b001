// OP_RESHAPE: same elements, new per-sample shape. A reshape without activation shares its input's buffer (the
// planner aliases them) and does nothing at run; with an activation it copies, and the run loop activates the copy.

import { OP_RESHAPE } from '../../formats/constants';
import { Op } from '../model';
import { registerKernel } from '../registry';
import { prepareSameSize } from './common';

export function registerReshape(): void {
  registerKernel(OP_RESHAPE, 1, 1, prepareSameSize, evalReshape);
}

function evalReshape(op: Op, x: usize, out: usize, batch: u32): void {
  if (x != out) memory.copy(out, x, (<usize>op.inSize * batch) << 2);
}
