// OP_CONCAT: two or more inputs joined along the per-sample axis params[0]. Every input has the output's dims but
// along that axis, so with `outer` = the product of the dims before it, each input is `outer` blocks of
// (its dim along the axis) × (the dims after it) floats, and the output takes one block of each input in turn,
// outer × batch times.

import { ERR_MALFORMED, ERR_NONE, OP_CONCAT } from '../../formats/constants';
import { E_IN_SHAPE, E_PARAMS } from '../errors';
import { MAX_OP_INPUTS, Op, dimOf, opInput, opParam, valueAt } from '../model';
import { valuePointer } from '../planner';
import { registerKernel } from '../registry';
import { inputValue, opFail, outputValue, requireNoWeights, requireParams, shapeFail } from './common';
import { copyFloats } from './vector';

export function registerConcat(): void {
  registerKernel(OP_CONCAT, 2, MAX_OP_INPUTS, prepareConcat, evalConcat);
}

/** Checks the shapes along and off the axis; sets op.inSize to `outer` (per sample). */
function prepareConcat(op: Op, index: u32): i32 {
  let code = requireNoWeights(op, index);
  if (code == ERR_NONE) code = requireParams(op, index, 1, 0);
  if (code != ERR_NONE) return code;
  let output = outputValue(op);
  let outRecord = changetype<usize>(output);
  let axis = opParam(op, 0);
  if (axis >= output.rank) return opFail(op, index, ERR_MALFORMED, E_PARAMS);
  let total: u64 = 0;
  for (let k: u32 = 0; k < op.inputCount; k++) {
    let input = inputValue(op, k);
    let record = changetype<usize>(input);
    if (input.rank != output.rank) return shapeFail(op, index, E_IN_SHAPE, input.rank, output.rank);
    for (let d: u32 = 0; d < output.rank; d++) {
      if (d != axis && dimOf(record, d) != dimOf(outRecord, d)) return shapeFail(op, index, E_IN_SHAPE, dimOf(record, d), dimOf(outRecord, d));
    }
    total += dimOf(record, axis);
  }
  if (total != <u64>dimOf(outRecord, axis)) return shapeFail(op, index, E_IN_SHAPE, total, dimOf(outRecord, axis));
  let outer: u32 = 1;
  for (let d: u32 = 0; d < axis; d++) outer *= dimOf(outRecord, d);
  op.inSize = <i32>outer;
  return ERR_NONE;
}

function evalConcat(op: Op, first: usize, out: usize, batch: u32): void {
  let blocks = <u32>op.inSize * batch;
  for (let o: u32 = 0; o < blocks; o++) {
    for (let k: u32 = 0; k < op.inputCount; k++) {
      let v = opInput(op, k);
      let block = valueAt(v).size / <u32>op.inSize;
      let src = k == 0 ? first : valuePointer(v);
      copyFloats(out, src + (<usize>o * block << 2), block);
      out += <usize>block << 2;
    }
  }
}
