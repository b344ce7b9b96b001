// Reference activations (tf.relu, relu6-style clip, tf.sigmoid, tf.tanh, tf.softmax over the last axis), and add.

import {
  ACT_LINEAR, ACT_RELU, ACT_RELU_CLIP, ACT_SIGMOID, ACT_SOFTMAX, ACT_TANH,
} from '../../../formats/constants.js';

/** Returns activation(x); softmax over consecutive rows of `lastAxis` values. */
export function activationReference(x: Float32Array, activation: number, clipMax: number, lastAxis: number): Float32Array {
  const y = new Float32Array(x.length);
  switch (activation) {
    case ACT_LINEAR: y.set(x); break;
    case ACT_RELU: x.forEach((v, i) => { y[i] = Math.max(v, 0); }); break;
    case ACT_RELU_CLIP: x.forEach((v, i) => { y[i] = Math.min(Math.max(v, 0), clipMax); }); break;
    case ACT_SIGMOID: x.forEach((v, i) => { y[i] = 1 / (1 + Math.exp(-v)); }); break;
    case ACT_TANH: x.forEach((v, i) => { y[i] = Math.tanh(v); }); break;
    case ACT_SOFTMAX:
      for (let row = 0; row < x.length; row += lastAxis) {
        let largest = -Infinity;
        for (let i = 0; i < lastAxis; i++) largest = Math.max(largest, x[row + i]);
        let sum = 0;
        for (let i = 0; i < lastAxis; i++) sum += Math.exp(x[row + i] - largest);
        for (let i = 0; i < lastAxis; i++) y[row + i] = Math.exp(x[row + i] - largest) / sum;
      }
      break;
    default: throw new Error(`unknown activation ${activation}`);
  }
  return y;
}

/** Elementwise sum of equally long arrays. */
export function addReference(inputs: Float32Array[]): Float32Array {
  const y = new Float32Array(inputs[0].length);
  for (const x of inputs) x.forEach((v, i) => { y[i] += v; });
  return y;
}
