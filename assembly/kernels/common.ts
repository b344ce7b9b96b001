// Shared prepare-time pieces of the kernels: record accessors, shape and attribute checks with their error
// reports, and window geometry (TensorFlow's valid / same rules) for conv and pools.

import { ERR_MALFORMED, ERR_NONE, ERR_SHAPE, PAD_VALID } from '../../formats/constants';
import {
  CTX_OP, E_ATTR_COUNT, E_ATTR_RANGE, E_B_SHAPE, E_IN_SHAPE, E_NEEDS_WEIGHT, E_NO_WEIGHTS_HERE, E_OUT_SHAPE,
  E_PARAMS, E_W_SHAPE, E_WINDOW, Message, context, fail, gotExpected,
} from '../errors';
import { Op, Tensor, Value, opInput, opParam, tensorAt, valueAt } from '../model';

// ── Prepare helpers ──────────────────────────────────────────────────────────

@inline export function inputValue(op: Op, index: u32): Value {
  return valueAt(opInput(op, index));
}

@inline export function outputValue(op: Op): Value {
  return valueAt(op.output);
}

@inline export function weightOf(op: Op): Tensor {
  return tensorAt(op.weightRef - 1);
}

/** Records a shape error for op `index` with got/expected numbers. */
export function shapeFail(op: Op, index: u32, message: Message, got: i64, expected: i64): i32 {
  fail(ERR_SHAPE, message, op.msgOffset);
  gotExpected(got, expected);
  return context(CTX_OP, index);
}

export function opFail(op: Op, index: u32, code: i32, message: Message): i32 {
  fail(code, message, op.msgOffset);
  return context(CTX_OP, index);
}

/** Ops without weights must not name any. */
export function requireNoWeights(op: Op, index: u32): i32 {
  if (op.weightRef != 0 || op.biasRef != 0) return opFail(op, index, ERR_MALFORMED, E_NO_WEIGHTS_HERE);
  return ERR_NONE;
}

/** Ops that read params: exactly `count` of them, each at least `min`. */
export function requireParams(op: Op, index: u32, count: u32, min: u32): i32 {
  if (op.paramCount != count) {
    fail(ERR_MALFORMED, E_PARAMS, op.msgOffset);
    gotExpected(op.paramCount, count);
    return context(CTX_OP, index);
  }
  for (let k: u32 = 0; k < count; k++) {
    if (opParam(op, k) < min) {
      fail(ERR_MALFORMED, E_PARAMS, op.msgOffset);
      gotExpected(opParam(op, k), min);
      return context(CTX_OP, index);
    }
  }
  return ERR_NONE;
}

/**
 * Checks the output value is the image [outH, outW, channels] (sizes computed in u64, so a sum of params cannot
 * wrap) and sets op.outH/outW/outC.
 */
export function requireImageOutput(op: Op, index: u32, outH: u64, outW: u64, channels: u64): i32 {
  let output = outputValue(op);
  if (output.rank != 3) return shapeFail(op, index, E_OUT_SHAPE, output.rank, 3);
  if (<u64>output.d0 != outH) return shapeFail(op, index, E_OUT_SHAPE, output.d0, outH);
  if (<u64>output.d1 != outW) return shapeFail(op, index, E_OUT_SHAPE, output.d1, outW);
  if (<u64>output.d2 != channels) return shapeFail(op, index, E_OUT_SHAPE, output.d2, channels);
  op.outH = <i32>outH;
  op.outW = <i32>outW;
  op.outC = <i32>channels;
  return ERR_NONE;
}

/** Weighted ops: checks a weight is named and has `rank` dims. */
export function requireWeight(op: Op, index: u32, rank: u32): i32 {
  if (op.weightRef == 0) return opFail(op, index, ERR_MALFORMED, E_NEEDS_WEIGHT);
  let t = weightOf(op);
  if (t.rank != rank) return shapeFail(op, index, E_W_SHAPE, t.rank, rank);
  return ERR_NONE;
}

/** A bias, when named, must be a vector of `length` values. */
export function checkBias(op: Op, index: u32, length: u32): i32 {
  if (op.biasRef == 0) return ERR_NONE;
  let t = tensorAt(op.biasRef - 1);
  if (t.rank != 1 || t.d0 != length) return shapeFail(op, index, E_B_SHAPE, t.n, length);
  return ERR_NONE;
}

/** Elementwise merges (add, multiply, average, maximum, minimum): every input has the output's size; sets op.inSize. */
export function prepareMerge(op: Op, index: u32): i32 {
  let code = requireNoWeights(op, index);
  if (code != ERR_NONE) return code;
  let size = outputValue(op).size;
  for (let k: u32 = 0; k < op.inputCount; k++) {
    let inputSize = inputValue(op, k).size;
    if (inputSize != size) return shapeFail(op, index, E_IN_SHAPE, inputSize, size);
  }
  op.inSize = <i32>size;
  return ERR_NONE;
}

/** Ops without weights whose output has the input's element count (activation, reshape): sets op.inSize. */
export function prepareSameSize(op: Op, index: u32): i32 {
  let code = requireNoWeights(op, index);
  if (code != ERR_NONE) return code;
  return takeSameSize(op, index);
}

/**
 * Elementwise ops whose constants sit in the bias slot (rescale [scale, offset], thresholded relu [theta]): no
 * weight, a bias of `count` values, and the output has the input's element count. Sets op.inSize.
 */
export function prepareBiasConstants(op: Op, index: u32, count: u32): i32 {
  if (op.weightRef != 0) return opFail(op, index, ERR_MALFORMED, E_NO_WEIGHTS_HERE);
  if (op.biasRef == 0) return opFail(op, index, ERR_MALFORMED, E_NEEDS_WEIGHT);
  let code = checkBias(op, index, count);
  if (code != ERR_NONE) return code;
  return takeSameSize(op, index);
}

/** The output has the input's element count: sets op.inSize. */
function takeSameSize(op: Op, index: u32): i32 {
  let size = inputValue(op, 0).size;
  let outputSize = outputValue(op).size;
  if (outputSize != size) return shapeFail(op, index, E_OUT_SHAPE, outputSize, size);
  op.inSize = <i32>size;
  return ERR_NONE;
}

/**
 * Conv2d and depthwise conv2d: a weight [KH, KW, C, ·] over an image input [H, W, C]. Sets op.inH/inW/inC and
 * op.windowH/windowW; the caller then sets the output geometry (prepareWindow) for its channel count.
 */
export function prepareConvWeight(op: Op, index: u32): i32 {
  let code = requireWeight(op, index, 4);
  if (code == ERR_NONE) code = takeImageInput(op, index);
  if (code != ERR_NONE) return code;
  let t = weightOf(op);
  if (t.d2 != <u32>op.inC) return shapeFail(op, index, E_W_SHAPE, t.d2, op.inC);
  op.windowH = <i32>t.d0;
  op.windowW = <i32>t.d1;
  return ERR_NONE;
}

/** Reads [H, W, C] of the op's first input into op.inH/inW/inC. */
export function takeImageInput(op: Op, index: u32): i32 {
  let input = inputValue(op, 0);
  if (input.rank != 3) return shapeFail(op, index, E_IN_SHAPE, input.rank, 3);
  op.inH = <i32>input.d0;
  op.inW = <i32>input.d1;
  op.inC = <i32>input.d2;
  return ERR_NONE;
}

/** Output length along one axis: valid ceil((in − window + 1) / stride), same ceil(in / stride); 0 if none. */
function windowOutput(input: u64, window: u64, stride: u64, padding: u32): u64 {
  if (padding == PAD_VALID) return input >= window ? (input - window) / stride + 1 : 0;
  return (input + stride - 1) / stride;
}

/** TF 'same': pad_total = max((out − 1)·stride + window − in, 0), before = floor(total / 2). */
function windowPadBefore(input: u64, window: u64, stride: u64, out: u64, padding: u32): i32 {
  if (padding == PAD_VALID) return 0;
  let span = (out - 1) * stride + window;
  return span > input ? <i32>((span - input) >> 1) : 0;
}

/** Takes the op's strides (default 1, 1) into op.strideH/strideW: each in 1..65535. */
export function takeStrides(op: Op, index: u32): i32 {
  if (op.strideCount == 0) {
    op.strideH = 1;
    op.strideW = 1;
  } else if (op.strideCount != 2) {
    return opFail(op, index, ERR_MALFORMED, E_ATTR_COUNT);
  }
  // 0 wraps to 0xFFFFFFFF, so one unsigned compare per stride refuses 0 and anything above 0xFFFF.
  if (op.strideH - 1 >= 0xFFFF || op.strideW - 1 >= 0xFFFF) return opFail(op, index, ERR_MALFORMED, E_ATTR_RANGE);
  return ERR_NONE;
}

/**
 * Window geometry for conv and pools: takes strides (default 1, 1), computes outH/outW and the padding, and
 * checks the output value is [outH, outW, channels]. windowH/windowW must be set, and inH/inW.
 */
export function prepareWindow(op: Op, index: u32, channels: u64): i32 {
  let code = takeStrides(op, index);
  if (code != ERR_NONE) return code;
  let strideH = <u64>op.strideH, strideW = <u64>op.strideW;
  let windowH = <u64>op.windowH, windowW = <u64>op.windowW;
  let outH = windowOutput(op.inH, windowH, strideH, op.padding);
  let outW = windowOutput(op.inW, windowW, strideW, op.padding);
  if (outH == 0) return shapeFail(op, index, E_WINDOW, windowH, op.inH);
  if (outW == 0) return shapeFail(op, index, E_WINDOW, windowW, op.inW);
  op.padTop = windowPadBefore(op.inH, windowH, strideH, outH, op.padding);
  op.padLeft = windowPadBefore(op.inW, windowW, strideW, outW, op.padding);
  return requireImageOutput(op, index, outH, outW, channels);
}
