// Reference depthwise conv2d, NHWC, weight [KH, KW, C, D]: output channel c·D + d reads input channel c only.
// That is the conv2d whose weight [KH, KW, C, C·D] is zero except W[kh, kw, c, c·D + d] = w[kh, kw, c, d]; the
// zero terms add nothing to any finite sum, so the conv2d reference computes it as written.

import { type ImageShape, conv2dReference } from './conv2d.js';
import type { Padding } from './geometry.js';

export function depthwiseConv2dReference(
  x: Float32Array,
  batch: number,
  shape: ImageShape,
  w: Float32Array,
  kh: number,
  kw: number,
  depth: number,
  strides: [number, number],
  padding: Padding,
  bias?: Float32Array,
): { y: Float32Array; shape: ImageShape } {
  const channelsOut = shape.c * depth;
  const full = new Float32Array(kh * kw * shape.c * channelsOut);
  for (let tap = 0; tap < kh * kw; tap++) {
    for (let c = 0; c < shape.c; c++) {
      for (let d = 0; d < depth; d++) {
        full[(tap * shape.c + c) * channelsOut + c * depth + d] = w[(tap * shape.c + c) * depth + d];
      }
    }
  }
  return conv2dReference(x, batch, shape, full, kh, kw, channelsOut, strides, padding, bias);
}
