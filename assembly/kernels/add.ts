// OP_ADD: out = x0 + x1 + … + x(k−1), elementwise over inputs of equal element count.

import { OP_ADD } from '../../formats/constants';
import { MAX_OP_INPUTS, Op, opInput } from '../model';
import { valuePointer } from '../planner';
import { registerKernel } from '../registry';
import { prepareMerge } from './common';
import { addInto } from './vector';

export function registerAdd(): void {
  registerKernel(OP_ADD, 2, MAX_OP_INPUTS, prepareMerge, evalAdd);
}

function evalAdd(op: Op, first: usize, out: usize, batch: u32): void {
  let count = <u32>op.inSize * batch;
  memory.copy(out, first, <usize>count << 2);
  for (let k: u32 = 1; k < op.inputCount; k++) addInto(out, valuePointer(opInput(op, k)), count);
}
