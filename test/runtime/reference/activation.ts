// Reference activations: each activation's f64 formula from the activation table (formats/activations.ts: relu,
// relu-clip, sigmoid, tanh, softmax over the last axis, ...), which the tfjs parity tests check against tfjs; and add.

import { applyActivation } from '../../../formats/activations.js';

/** Returns activation(x) as f32; row-wise activations (softmax) work on consecutive rows of `lastAxis` values. */
export function activationReference(
  x: Float32Array,
  activation: number,
  clipMax: number,
  lastAxis: number,
): Float32Array {
  return Float32Array.from(applyActivation(activation, x, clipMax, lastAxis));
}

/** Elementwise sum of equally long arrays. */
export function addReference(inputs: Float32Array[]): Float32Array {
  const y = new Float32Array(inputs[0].length);
  for (const x of inputs)
    x.forEach((v, i) => {
      y[i] += v;
    });
  return y;
}

/** Elementwise merge of equally long arrays: 'multiply', 'average' (the sum times 1 / k in f32), 'maximum', 'minimum'. */
export function mergeReference(
  kind: 'multiply' | 'average' | 'maximum' | 'minimum',
  inputs: Float32Array[],
): Float32Array {
  const y = inputs[0]!.slice();
  for (const x of inputs.slice(1)) {
    x.forEach((v, i) => {
      y[i] =
        kind === 'multiply'
          ? y[i]! * v
          : kind === 'average'
            ? y[i]! + v
            : kind === 'maximum'
              ? Math.max(y[i]!, v)
              : Math.min(y[i]!, v);
    });
  }
  if (kind === 'average')
    y.forEach((v, i) => {
      y[i] = v * Math.fround(1 / inputs.length);
    });
  return y;
}

/** x · scale + offset in f32 (multiply rounded, then add rounded), p = [scale, offset]. */
export function rescaleReference(x: Float32Array, p: Float32Array): Float32Array {
  return x.map((v) => Math.fround(v * p[0]!) + p[1]!);
}

/** x > theta ? x : 0, p = [theta]. */
export function thresholdedReluReference(x: Float32Array, p: Float32Array): Float32Array {
  return x.map((v) => (v > p[0]! ? v : 0));
}
