// OP_MINIMUM: out = min(x0, x1, …, x(k−1)), branch-free (f32x4.pmin), elementwise over inputs of equal element count.

import { OP_MINIMUM } from '../../formats/constants';
import { MAX_OP_INPUTS, Op, opInput } from '../model';
import { valuePointer } from '../planner';
import { registerKernel } from '../registry';
import { prepareMerge } from './common';
import { minInto } from './vector';

export function registerMinimum(): void {
  registerKernel(OP_MINIMUM, 2, MAX_OP_INPUTS, prepareMerge, evalMinimum);
}

function evalMinimum(op: Op, first: usize, out: usize, batch: u32): void {
  let count = <u32>op.inSize * batch;
  memory.copy(out, first, <usize>count << 2);
  for (let k: u32 = 1; k < op.inputCount; k++) minInto(out, valuePointer(opInput(op, k)), count);
}
