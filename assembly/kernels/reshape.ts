// OP_RESHAPE: same elements, new per-sample shape. A reshape without activation shares its input's buffer (the
// planner aliases them) and does nothing at run; with an activation it copies, and the run loop activates the copy.

import { Op } from '../model';
import { prepareSameSize } from './common';

@inline export function prepareReshape(op: Op, index: u32): i32 {
  return prepareSameSize(op, index);
}

export function evalReshape(op: Op, x: usize, out: usize, batch: u32): void {
  if (x != out) memory.copy(out, x, (<usize>op.inSize * batch) << 2);
}
