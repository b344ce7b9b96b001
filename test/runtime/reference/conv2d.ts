// Reference conv2d, NHWC, weight [KH, KW, C, M]: cells outside the input count as 0 (TensorFlow's padding).

import { type Padding, windowAxis } from './geometry.js';

export interface ImageShape {
  h: number;
  w: number;
  c: number;
}

export function conv2dReference(
  x: Float32Array,
  batch: number,
  shape: ImageShape,
  w: Float32Array,
  kh: number,
  kw: number,
  m: number,
  strides: [number, number],
  padding: Padding,
  bias?: Float32Array,
): { y: Float32Array; shape: ImageShape } {
  const rows = windowAxis(shape.h, kh, strides[0], padding);
  const cols = windowAxis(shape.w, kw, strides[1], padding);
  const y = new Float32Array(batch * rows.out * cols.out * m);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < rows.out; oy++) {
      for (let ox = 0; ox < cols.out; ox++) {
        for (let o = 0; o < m; o++) {
          let sum = bias ? bias[o] : 0;
          for (let i = 0; i < kh; i++) {
            const iy = oy * strides[0] + i - rows.before;
            if (iy < 0 || iy >= shape.h) continue;
            for (let j = 0; j < kw; j++) {
              const ix = ox * strides[1] + j - cols.before;
              if (ix < 0 || ix >= shape.w) continue;
              for (let c = 0; c < shape.c; c++) {
                sum += x[((b * shape.h + iy) * shape.w + ix) * shape.c + c] * w[((i * kw + j) * shape.c + c) * m + o];
              }
            }
          }
          y[((b * rows.out + oy) * cols.out + ox) * m + o] = sum;
        }
      }
    }
  }
  return { y, shape: { h: rows.out, w: cols.out, c: m } };
}
