// OP_ACTIVATION: out = activation(x), elementwise (softmax over the last axis). The op copies its input; the run
// loop applies every op's (fused) activation to its output with applyActivation below, so this op's own work is
// that one copy.

import {
  ACT_LINEAR, ACT_RELU, ACT_RELU_CLIP, ACT_SIGMOID, ACT_SOFTMAX, ACT_TANH, OP_ACTIVATION,
} from '../../formats/constants';
import { Op } from '../model';
import { registerKernel } from '../registry';
import { prepareSameSize } from './common';
import { copyFloats, orderKey } from './vector';

export function registerActivation(): void {
  registerKernel(OP_ACTIVATION, 1, 1, prepareSameSize, evalActivation);
}

function evalActivation(op: Op, x: usize, out: usize, batch: u32): void {
  copyFloats(out, x, <u32>op.inSize * batch);
}

/** Applies `activation` in place to `count` floats; softmax works on rows of `lastAxis` floats. */
export function applyActivation(data: usize, count: u32, activation: u32, clipMax: f32, lastAxis: u32): void {
  if (activation == ACT_LINEAR) return;
  let end = data + (<usize>count << 2);
  if (activation == ACT_RELU || activation == ACT_RELU_CLIP) {
    // Branch-free clamp to [0, high]: pmax / pmin, or integer compares and selects (f32.max branches in V8).
    let high: f32 = activation == ACT_RELU ? Infinity : clipMax;
    let p = data;
    if (ASC_FEATURE_SIMD) {
      let zero = f32x4.splat(0), top = f32x4.splat(high);
      for (; p + 16 <= end; p += 16) v128.store(p, f32x4.pmin(f32x4.pmax(v128.load(p), zero), top));
    }
    let highBits = reinterpret<i32>(high), highKey = orderKey(highBits);
    for (; p < end; p += 4) {
      let bits = load<i32>(p);
      bits = select<i32>(bits, 0, bits > 0); // negative floats (and −0) have the sign bit: they become +0
      store<i32>(p, select<i32>(highBits, bits, orderKey(bits) > highKey));
    }
  } else if (activation == ACT_SIGMOID) {
    for (let p = data; p < end; p += 4) store<f32>(p, <f32>(1.0 / (1.0 + Math.exp(-<f64>load<f32>(p)))));
  } else if (activation == ACT_TANH) {
    for (let p = data; p < end; p += 4) store<f32>(p, <f32>Math.tanh(<f64>load<f32>(p)));
  } else if (activation == ACT_SOFTMAX) {
    let rowBytes = <usize>lastAxis << 2;
    for (let row = data; row < end; row += rowBytes) {
      let rowEnd = row + rowBytes;
      let largest = load<f32>(row);
      for (let p = row + 4; p < rowEnd; p += 4) largest = max(largest, load<f32>(p));
      let sum: f64 = 0;
      for (let p = row; p < rowEnd; p += 4) {
        let e = Math.exp(<f64>(load<f32>(p) - largest));
        store<f32>(p, <f32>e);
        sum += e;
      }
      let scale = 1.0 / sum;
      for (let p = row; p < rowEnd; p += 4) store<f32>(p, <f32>(<f64>load<f32>(p) * scale));
    }
  }
}
