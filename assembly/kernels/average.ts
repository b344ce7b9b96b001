// OP_AVERAGE: out = (x0 + x1 + … + x(k−1)) · (1 / k), elementwise over inputs of equal element count (the sum, then
// one multiply by the f32 reciprocal, as tfjs-layers' Average computes it).

import { OP_AVERAGE } from '../../formats/constants';
import { MAX_OP_INPUTS, Op, opInput } from '../model';
import { valuePointer } from '../planner';
import { registerKernel } from '../registry';
import { prepareMerge } from './common';
import { addInto, scaleInPlace } from './vector';

export function registerAverage(): void {
  registerKernel(OP_AVERAGE, 2, MAX_OP_INPUTS, prepareMerge, evalAverage);
}

function evalAverage(op: Op, first: usize, out: usize, batch: u32): void {
  let count = <u32>op.inSize * batch;
  memory.copy(out, first, <usize>count << 2);
  for (let k: u32 = 1; k < op.inputCount; k++) addInto(out, valuePointer(opInput(op, k)), count);
  scaleInPlace(out, count, <f32>1 / <f32>op.inputCount);
}
