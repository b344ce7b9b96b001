// OP_MULTIPLY: out = x0 · x1 · … · x(k−1), elementwise over inputs of equal element count.

import { OP_MULTIPLY } from '../../formats/constants';
import { MAX_OP_INPUTS, Op, opInput } from '../model';
import { valuePointer } from '../planner';
import { registerKernel } from '../registry';
import { prepareMerge } from './common';
import { multiplyInto } from './vector';

export function registerMultiply(): void {
  registerKernel(OP_MULTIPLY, 2, MAX_OP_INPUTS, prepareMerge, evalMultiply);
}

function evalMultiply(op: Op, first: usize, out: usize, batch: u32): void {
  let count = <u32>op.inSize * batch;
  memory.copy(out, first, <usize>count << 2);
  for (let k: u32 = 1; k < op.inputCount; k++) multiplyInto(out, valuePointer(opInput(op, k)), count);
}
