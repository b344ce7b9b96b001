// OP_TRANSPOSE: the per-sample axes permuted by params (output axis i is input axis params[i]), any rank up to 6.
// The output is written in order while an odometer over its dims moves through the input by each axis's input
// stride; the innermost axis is one run, copied at once when it is also the input's innermost axis.

import { ERR_MALFORMED, ERR_NONE, OP_TRANSPOSE } from '../../formats/constants';
import { E_OUT_SHAPE, E_PARAMS } from '../errors';
import { MAX_RANK, Op, dimOf, opParam } from '../model';
import { registerKernel } from '../registry';
import { inputValue, opFail, outputValue, requireNoWeights, shapeFail } from './common';
import { copyFloats } from './vector';

export function registerTranspose(): void {
  registerKernel(OP_TRANSPOSE, 1, 1, prepareTranspose, evalTranspose);
}

/** Per output axis: its size and its input stride in floats; and the odometer (u32 each). */
const geometry: usize = memory.data(<i32>(MAX_RANK * 12), 16);
const DIMS: usize = 0, STEPS: usize = MAX_RANK * 4, INDEX: usize = MAX_RANK * 8;

/** Checks params is a permutation of the input's axes and the output has the permuted dims; sets op.inSize. */
function prepareTranspose(op: Op, index: u32): i32 {
  let code = requireNoWeights(op, index);
  if (code != ERR_NONE) return code;
  let input = inputValue(op, 0), output = outputValue(op);
  let rank = input.rank;
  if (op.paramCount != rank) return opFail(op, index, ERR_MALFORMED, E_PARAMS);
  let seen: u32 = 0;
  for (let i: u32 = 0; i < rank; i++) {
    let axis = opParam(op, i);
    if (axis >= rank || (seen >> axis) & 1) return opFail(op, index, ERR_MALFORMED, E_PARAMS);
    seen |= 1 << axis;
  }
  if (output.rank != rank) return shapeFail(op, index, E_OUT_SHAPE, output.rank, rank);
  for (let i: u32 = 0; i < rank; i++) {
    let want = dimOf(changetype<usize>(input), opParam(op, i));
    let got = dimOf(changetype<usize>(output), i);
    if (got != want) return shapeFail(op, index, E_OUT_SHAPE, got, want);
  }
  op.inSize = <i32>input.size;
  return ERR_NONE;
}

function evalTranspose(op: Op, x: usize, out: usize, batch: u32): void {
  let input = inputValue(op, 0);
  let rank = input.rank;
  // Input strides per output axis, from the input's dims.
  for (let i: u32 = 0; i < rank; i++) {
    let axis = opParam(op, i);
    let stride: u32 = 1;
    for (let d = axis + 1; d < rank; d++) stride *= dimOf(changetype<usize>(input), d);
    store<u32>(geometry + DIMS + (<usize>i << 2), dimOf(changetype<usize>(input), axis));
    store<u32>(geometry + STEPS + (<usize>i << 2), stride);
  }
  let last = rank - 1;
  let run = load<u32>(geometry + DIMS + (<usize>last << 2));
  let step = load<u32>(geometry + STEPS + (<usize>last << 2));
  let runs = <u32>op.inSize / run;
  let sampleBytes = <usize>op.inSize << 2;
  for (let b: u32 = 0; b < batch; b++) {
    for (let i: u32 = 0; i < rank; i++) store<u32>(geometry + INDEX + (<usize>i << 2), 0);
    let src: u32 = 0; // input float offset of the run's first element
    for (let r: u32 = 0; r < runs; r++) {
      if (step == 1) {
        copyFloats(out, x + (<usize>src << 2), run);
        out += <usize>run << 2;
      } else {
        let s = x + (<usize>src << 2), stepBytes = <usize>step << 2;
        for (let j: u32 = 0; j < run; j++) {
          store<f32>(out, load<f32>(s));
          out += 4;
          s += stepBytes;
        }
      }
      // Advance the odometer over the outer axes (last − 1 down to 0).
      for (let i = <i32>last - 1; i >= 0; i--) {
        let at = <usize>i << 2;
        let k = load<u32>(geometry + INDEX + at) + 1;
        let stride = load<u32>(geometry + STEPS + at);
        if (k < load<u32>(geometry + DIMS + at)) {
          store<u32>(geometry + INDEX + at, k);
          src += stride;
          break;
        }
        store<u32>(geometry + INDEX + at, 0);
        src -= (k - 1) * stride;
      }
    }
    x += sampleBytes;
  }
}
