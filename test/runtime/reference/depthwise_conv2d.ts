// Reference depthwise conv2d, NHWC, weight [KH, KW, C, D]: output channel c·D + d reads input channel c only.

import type { ImageShape } from './conv2d.js';
import { type Padding, windowAxis } from './geometry.js';

export function depthwiseConv2dReference(
  x: Float32Array, batch: number, shape: ImageShape, w: Float32Array, kh: number, kw: number, depth: number,
  strides: [number, number], padding: Padding, bias?: Float32Array,
): { y: Float32Array; shape: ImageShape } {
  const rows = windowAxis(shape.h, kh, strides[0], padding);
  const cols = windowAxis(shape.w, kw, strides[1], padding);
  const channelsOut = shape.c * depth;
  const y = new Float32Array(batch * rows.out * cols.out * channelsOut);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < rows.out; oy++) {
      for (let ox = 0; ox < cols.out; ox++) {
        for (let c = 0; c < shape.c; c++) {
          for (let d = 0; d < depth; d++) {
            let sum = bias ? bias[c * depth + d] : 0;
            for (let i = 0; i < kh; i++) {
              const iy = oy * strides[0] + i - rows.before;
              if (iy < 0 || iy >= shape.h) continue;
              for (let j = 0; j < kw; j++) {
                const ix = ox * strides[1] + j - cols.before;
                if (ix < 0 || ix >= shape.w) continue;
                sum += x[((b * shape.h + iy) * shape.w + ix) * shape.c + c] * w[((i * kw + j) * shape.c + c) * depth + d];
              }
            }
            y[((b * rows.out + oy) * cols.out + ox) * channelsOut + c * depth + d] = sum;
          }
        }
      }
    }
  }
  return { y, shape: { h: rows.out, w: cols.out, c: channelsOut } };
}
