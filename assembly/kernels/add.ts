// OP_ADD: out = x0 + x1 + … + x(k−1), elementwise over inputs of equal element count.

import { ERR_NONE, OP_ADD } from '../../formats/constants';
import { E_IN_SHAPE } from '../errors';
import { MAX_OP_INPUTS, Op, opInput, valueAt } from '../model';
import { valuePointer } from '../planner';
import { registerKernel } from '../registry';
import { outputValue, requireNoWeights, shapeFail } from './common';
import { addInto } from './vector';

export function registerAdd(): void {
  registerKernel(OP_ADD, 2, MAX_OP_INPUTS, prepareAdd, evalAdd);
}

function prepareAdd(op: Op, index: u32): i32 {
  let code = requireNoWeights(op, index);
  if (code != ERR_NONE) return code;
  let size = outputValue(op).size;
  for (let k: u32 = 0; k < op.inputCount; k++) {
    let inputSize = valueAt(opInput(op, k)).size;
    if (inputSize != size) return shapeFail(op, index, E_IN_SHAPE, inputSize, size);
  }
  op.inSize = <i32>size;
  return ERR_NONE;
}

function evalAdd(op: Op, first: usize, out: usize, batch: u32): void {
  let count = <u32>op.inSize * batch;
  memory.copy(out, first, <usize>count << 2);
  for (let k: u32 = 1; k < op.inputCount; k++) addInto(out, valuePointer(opInput(op, k)), count);
}
