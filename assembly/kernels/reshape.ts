// OP_RESHAPE: same elements, new per-sample shape. A reshape without activation shares its input's buffer (the
// planner aliases them) and does nothing at run; with an activation it copies, and the run loop activates the copy.

import { ERR_NONE } from '../../formats/constants';
import { E_OUT_SHAPE } from '../errors';
import { Op } from '../model';
import { inputValue, outputValue, requireNoWeights, shapeFail } from './common';

export function prepareReshape(op: Op, index: u32): i32 {
  let code = requireNoWeights(op, index);
  if (code != ERR_NONE) return code;
  let size = inputValue(op, 0).size;
  let outputSize = outputValue(op).size;
  if (outputSize != size) return shapeFail(op, index, E_OUT_SHAPE, outputSize, size);
  op.inSize = <i32>size;
  return ERR_NONE;
}

export function evalReshape(op: Op, x: usize, out: usize, batch: u32): void {
  if (x != out) memory.copy(out, x, (<usize>op.inSize * batch) << 2);
}
