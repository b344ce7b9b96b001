// OP_MAXIMUM: out = max(x0, x1, …, x(k−1)), branch-free (f32x4.pmax), elementwise over inputs of equal element count.

import { OP_MAXIMUM } from '../../formats/constants';
import { MAX_OP_INPUTS, Op, opInput } from '../model';
import { valuePointer } from '../planner';
import { registerKernel } from '../registry';
import { prepareMerge } from './common';
import { maxInto } from './vector';

export function registerMaximum(): void {
  registerKernel(OP_MAXIMUM, 2, MAX_OP_INPUTS, prepareMerge, evalMaximum);
}

function evalMaximum(op: Op, first: usize, out: usize, batch: u32): void {
  let count = <u32>op.inSize * batch;
  memory.copy(out, first, <usize>count << 2);
  for (let k: u32 = 1; k < op.inputCount; k++) maxInto(out, valuePointer(opInput(op, k)), count);
}
