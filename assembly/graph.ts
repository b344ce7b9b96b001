// Graph checks after parsing: value shapes, model inputs/outputs, and the op list in execution order
// (every value read was written earlier, each value written once), recording each value's producer and last use
// for the planner, and each op's kernel (registry.ts). Per-op shape rules live in the kernels' prepare functions.

import {
  ACT_COUNT, ACT_LINEAR, ACT_RELU_CLIP, ERR_MALFORMED, ERR_NONE, ERR_SHAPE, ERR_UNSUPPORTED, OP_COUNT, OP_RESHAPE,
  PAD_SAME,
} from '../formats/constants';
import {
  CTX_ACTIVATION, CTX_OP, CTX_OP_TYPE, CTX_VALUE, E_ACTIVATION, E_CLIP, E_DIM_ZERO, E_EMPTY_SHAPE, E_DUP_INPUT,
  E_KERNEL_TWICE, E_NO_INPUTS, E_OP_ARITY, E_OP_TYPE, E_OUTPUT_UNWRITTEN, E_PADDING,
  E_READ_BEFORE_WRITE, E_TENSOR_INDEX, E_TOO_BIG, E_VALUE_INDEX, E_WRITTEN_TWICE, MISSING_ACTIVATION, MISSING_OP,
  context, fail, gotExpected, notBuilt,
} from './errors';
import { activationBuilt, opBuilt } from './features';
import {
  MAX_VALUE_ELEMENTS, PRODUCER_INPUT, PRODUCER_NONE, dimOf, inputCount, modelInput, modelOutput, opAt, opCount,
  opInput, outputCount, tensorCount, valueAt, valueCount,
} from './model';
import { kernelOf, registeredTwice } from './registry';

function checkValueShapes(): i32 {
  for (let i: u32 = 0; i < valueCount; i++) {
    let value = valueAt(i);
    let record = changetype<usize>(value);
    if (value.rank == 0) {
      fail(ERR_SHAPE, E_EMPTY_SHAPE, value.msgOffset);
      return context(CTX_VALUE, i);
    }
    let size: u64 = 1;
    for (let d: u32 = 0; d < value.rank; d++) {
      let dim = dimOf(record, d);
      if (dim == 0) {
        fail(ERR_SHAPE, E_DIM_ZERO, value.msgOffset);
        return context(CTX_VALUE, i);
      }
      size *= dim;
      if (size > MAX_VALUE_ELEMENTS) {
        fail(ERR_UNSUPPORTED, E_TOO_BIG, value.msgOffset);
        return context(CTX_VALUE, i);
      }
    }
    value.size = <u32>size;
    value.producer = PRODUCER_NONE;
    value.lastUse = -1;
    value.alias = i;
  }
  return ERR_NONE;
}

/** The op's type and activation: known, and built into this runtime. Sets op.kernel. */
function checkOpCodes(index: u32): i32 {
  let op = opAt(index);
  let at = op.msgOffset;
  let kernel = kernelOf(op.type);
  if (kernel == null) {
    if (op.type != 0 && op.type < <u32>OP_COUNT && !opBuilt(op.type)) return notBuilt(MISSING_OP, CTX_OP_TYPE, op.type, at, index);
    fail(ERR_UNSUPPORTED, E_OP_TYPE, at);
    gotExpected(op.type, OP_COUNT - 1);
    return context(CTX_OP, index);
  }
  op.kernel = changetype<usize>(kernel);
  if (op.activation >= <u32>ACT_COUNT) {
    fail(ERR_UNSUPPORTED, E_ACTIVATION, at);
    return context(CTX_OP, index);
  }
  if (!activationBuilt(op.activation)) return notBuilt(MISSING_ACTIVATION, CTX_ACTIVATION, op.activation, at, index);
  return ERR_NONE;
}

function checkOp(index: u32): i32 {
  let code = checkOpCodes(index);
  if (code != ERR_NONE) return code;
  let op = opAt(index);
  let at = op.msgOffset;
  let kernel = kernelOf(op.type)!;
  if (op.activation == ACT_RELU_CLIP && isNaN(op.clipMax)) {
    fail(ERR_MALFORMED, E_CLIP, at);
    return context(CTX_OP, index);
  }
  if (op.padding > <u32>PAD_SAME) {
    fail(ERR_UNSUPPORTED, E_PADDING, at);
    return context(CTX_OP, index);
  }
  if (op.outputCount != 1 || op.inputCount < kernel.minInputs || op.inputCount > kernel.maxInputs) {
    fail(ERR_MALFORMED, E_OP_ARITY, at);
    return context(CTX_OP, index);
  }
  if (op.weightRef > tensorCount || op.biasRef > tensorCount) {
    fail(ERR_MALFORMED, E_TENSOR_INDEX, at);
    gotExpected(max(op.weightRef, op.biasRef) - 1, tensorCount);
    return context(CTX_OP, index);
  }
  for (let k: u32 = 0; k < op.inputCount; k++) {
    let v = opInput(op, k);
    if (v >= valueCount) {
      fail(ERR_MALFORMED, E_VALUE_INDEX, at);
      gotExpected(v, valueCount);
      return context(CTX_OP, index);
    }
    let value = valueAt(v);
    if (value.producer == PRODUCER_NONE) {
      fail(ERR_MALFORMED, E_READ_BEFORE_WRITE, at);
      context(CTX_OP, index);
      return context(CTX_VALUE, v);
    }
    value.lastUse = <i32>index;
  }
  let out = op.output;
  if (out >= valueCount) {
    fail(ERR_MALFORMED, E_VALUE_INDEX, at);
    gotExpected(out, valueCount);
    return context(CTX_OP, index);
  }
  let outValue = valueAt(out);
  if (outValue.producer != PRODUCER_NONE) {
    fail(ERR_MALFORMED, E_WRITTEN_TWICE, at);
    context(CTX_OP, index);
    return context(CTX_VALUE, out);
  }
  outValue.producer = <i32>index;
  outValue.lastUse = <i32>index;
  // A linear reshape writes nothing: its output shares its input's buffer.
  if (op.type == OP_RESHAPE && op.activation == ACT_LINEAR) outValue.alias = valueAt(opInput(op, 0)).alias;
  return ERR_NONE;
}

/** Validates the graph and fills Value.size, producer, lastUse and alias, and Op.kernel. */
export function checkGraph(): i32 {
  if (registeredTwice != 0) {
    fail(ERR_UNSUPPORTED, E_KERNEL_TWICE, -1);
    return context(CTX_OP_TYPE, registeredTwice);
  }
  let code = checkValueShapes();
  if (code != ERR_NONE) return code;
  if (inputCount == 0 || outputCount == 0) return fail(ERR_MALFORMED, E_NO_INPUTS, -1);
  for (let i: u32 = 0; i < inputCount; i++) {
    let v = modelInput(i);
    if (v >= valueCount) {
      fail(ERR_MALFORMED, E_VALUE_INDEX, -1);
      return gotExpected(v, valueCount);
    }
    let value = valueAt(v);
    if (value.producer != PRODUCER_NONE) {
      fail(ERR_MALFORMED, E_DUP_INPUT, -1);
      return context(CTX_VALUE, v);
    }
    value.producer = PRODUCER_INPUT;
  }
  for (let i: u32 = 0; i < opCount; i++) {
    code = checkOp(i);
    if (code != ERR_NONE) return code;
  }
  for (let i: u32 = 0; i < outputCount; i++) {
    let v = modelOutput(i);
    if (v >= valueCount) {
      fail(ERR_MALFORMED, E_VALUE_INDEX, -1);
      return gotExpected(v, valueCount);
    }
    let value = valueAt(v);
    if (value.producer == PRODUCER_NONE) {
      fail(ERR_MALFORMED, E_OUTPUT_UNWRITTEN, -1);
      return context(CTX_VALUE, v);
    }
    value.lastUse = <i32>opCount;
  }
  return ERR_NONE;
}
