// OP_ACTIVATION: out = activation(x), elementwise (softmax over the last axis). The op copies its input; the run
// loop applies every op's (fused) activation to its output with applyActivation below, so this op's own work is
// that one copy. Each elementwise activation is one formula in `activate` and one line in applyActivation.

import {
  ACT_LINEAR, ACT_RELU, ACT_RELU_CLIP, ACT_SIGMOID, ACT_SOFTMAX, ACT_TANH, OP_ACTIVATION, ACT_ELU, ACT_SELU,
  ACT_SOFTPLUS, ACT_SOFTSIGN, ACT_HARD_SIGMOID, ACT_SWISH, ACT_MISH, ACT_GELU, ACT_LOG_SOFTMAX,
} from '../../formats/constants';
import { activationBuilt } from '../features';
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

/** erf(x) by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7), as tfjs computes it. */
@inline function erf(x: f64): f64 {
  let a = Math.abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  let y = 1.0 - poly * Math.exp(-a * a);
  return x < 0 ? -y : y;
}

/**
 * One value through the elementwise activation `code`, in f64 (formats/activations.ts has the reference formula
 * of each). Inlined with a constant code, so each activation gets its own loop (mapValues).
 */
@inline function activate(code: u32, x: f64): f64 {
  if (code == ACT_SIGMOID) return 1.0 / (1.0 + Math.exp(-x));
  if (code == ACT_ELU) return x > 0 ? x : Math.expm1(x);
  if (code == ACT_SELU) return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x));
  if (code == ACT_SOFTPLUS) return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
  if (code == ACT_SOFTSIGN) return x / (1.0 + Math.abs(x));
  if (code == ACT_HARD_SIGMOID) return min(max(0.2 * x + 0.5, 0.0), 1.0);
  if (code == ACT_SWISH) return x / (1.0 + Math.exp(-x));
  if (code == ACT_MISH) return x * Math.tanh(x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
  if (code == ACT_GELU) return 0.5 * x * (1.0 + erf(x * Math.SQRT1_2));
  return Math.tanh(x); // ACT_TANH
}

/** [data, end) through the elementwise activation `code` (a constant where inlined). */
@inline function mapValues(code: u32, data: usize, end: usize): void {
  for (let p = data; p < end; p += 4) store<f32>(p, <f32>activate(code, <f64>load<f32>(p)));
}

/** Rows of `rowBytes` in [data, end) through softmax over each row. */
function softmaxRows(data: usize, end: usize, rowBytes: usize): void {
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

/** Rows of `rowBytes` in [data, end) through log-softmax over each row: x − (max + log Σ exp(x − max)). */
function logSoftmaxRows(data: usize, end: usize, rowBytes: usize): void {
  for (let row = data; row < end; row += rowBytes) {
    let rowEnd = row + rowBytes;
    let largest = load<f32>(row);
    for (let p = row + 4; p < rowEnd; p += 4) largest = max(largest, load<f32>(p));
    let sum: f64 = 0;
    for (let p = row; p < rowEnd; p += 4) sum += Math.exp(<f64>(load<f32>(p) - largest));
    let shift = <f64>largest + Math.log(sum);
    for (let p = row; p < rowEnd; p += 4) store<f32>(p, <f32>(<f64>load<f32>(p) - shift));
  }
}

/** Clamps [data, end) to [0, high] (relu: high = +∞), branch-free. */
function clampValues(data: usize, end: usize, high: f32): void {
  // pmax / pmin, or integer compares and selects (f32.max branches in V8).
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
}

/**
 * Applies `activation` in place to `count` floats; row-wise ones (softmax) work on rows of `lastAxis` floats. Only
 * activations this build contains (features.ts) are compiled in; graph.ts refused any other at load.
 */
export function applyActivation(data: usize, count: u32, activation: u32, clipMax: f32, lastAxis: u32): void {
  let end = data + (<usize>count << 2), rowBytes = <usize>lastAxis << 2;
  if (activation == ACT_LINEAR) return;
  if (activationBuilt(ACT_RELU) && activation == ACT_RELU) clampValues(data, end, Infinity);
  else if (activationBuilt(ACT_RELU_CLIP) && activation == ACT_RELU_CLIP) clampValues(data, end, clipMax);
  else if (activationBuilt(ACT_SIGMOID) && activation == ACT_SIGMOID) mapValues(ACT_SIGMOID, data, end);
  else if (activationBuilt(ACT_TANH) && activation == ACT_TANH) mapValues(ACT_TANH, data, end);
  else if (activationBuilt(ACT_ELU) && activation == ACT_ELU) mapValues(ACT_ELU, data, end);
  else if (activationBuilt(ACT_SELU) && activation == ACT_SELU) mapValues(ACT_SELU, data, end);
  else if (activationBuilt(ACT_SOFTPLUS) && activation == ACT_SOFTPLUS) mapValues(ACT_SOFTPLUS, data, end);
  else if (activationBuilt(ACT_SOFTSIGN) && activation == ACT_SOFTSIGN) mapValues(ACT_SOFTSIGN, data, end);
  else if (activationBuilt(ACT_HARD_SIGMOID) && activation == ACT_HARD_SIGMOID) mapValues(ACT_HARD_SIGMOID, data, end);
  else if (activationBuilt(ACT_SWISH) && activation == ACT_SWISH) mapValues(ACT_SWISH, data, end);
  else if (activationBuilt(ACT_MISH) && activation == ACT_MISH) mapValues(ACT_MISH, data, end);
  else if (activationBuilt(ACT_GELU) && activation == ACT_GELU) mapValues(ACT_GELU, data, end);
  else if (activationBuilt(ACT_SOFTMAX) && activation == ACT_SOFTMAX) softmaxRows(data, end, rowBytes);
  else if (activationBuilt(ACT_LOG_SOFTMAX) && activation == ACT_LOG_SOFTMAX) logSoftmaxRows(data, end, rowBytes);
}
